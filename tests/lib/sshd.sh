#!/usr/bin/env bash
# tests/lib/sshd.sh — a PRIVATE sshd on 127.0.0.1 for tests: its own config,
# host key, authorized key and pid file in DIR; started with a recorded PID and
# stopped by that PID (and the per-connection sshd processes it forked). The
# machine's own sshd and ~/.ssh are never touched.
#
#     . tests/lib/sshd.sh
#     S=$(mktemp -d /tmp/vmxs.XXXX)
#     sshd_setup "$S"            # host key, client key pair, config (port 2222+random)
#     sshd_up "$S"               # <= 10 s; returns when the port answers
#     sshd_port "$S"             # the port
#     sshd_client_key "$S"       # private key whose .pub is authorized (root)
#     sshd_host_pub "$S"         # the host's public key line ("ssh-ed25519 AAAA...")
#     sshd_down "$S"             # the listener and its connections; idempotent
#
# Log in as root with the client key; password logins are allowed but root's
# password is never set by us, so a typed password is refused (a test of
# "wrong password").  Needs /usr/sbin/sshd (openssh-server).

_vmxs_err() { echo "sshd.sh: $*" >&2; }

sshd_setup() {
    local d=${1:?DIR} port
    mkdir -p "$d" && chmod 700 "$d" || return 1
    [[ -x /usr/sbin/sshd ]] || { _vmxs_err "/usr/sbin/sshd not found (openssh-server)"; return 1; }
    [[ -f $d/host_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C vmx-test-host -f "$d/host_ed25519" || return 1
    [[ -f $d/client_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C vmx-test-client -f "$d/client_ed25519" || return 1
    cp "$d/client_ed25519.pub" "$d/authorized_keys" && chmod 600 "$d/authorized_keys"
    port=$(cat "$d/port" 2>/dev/null)
    if [[ -z $port ]]; then
        port=$((2222 + RANDOM % 20000))
        echo "$port" >"$d/port"
    fi
    cat >"$d/sshd_config" <<EOF
# private sshd for virtmux tests (tests/lib/sshd.sh; generated)
Port $port
ListenAddress 127.0.0.1
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
}

# sshd_home DIR HOME [nokey]: a test HOME whose ~/.ssh/id_ed25519 is the
# authorized client key (or no key with "nokey"), and no known_hosts yet.
sshd_home() {
    local d=${1:?DIR} h=${2:?HOME}
    mkdir -p "$h/.ssh" && chmod 700 "$h/.ssh" || return 1
    if [[ ${3:-} != nokey ]]; then
        cp "$d/client_ed25519" "$h/.ssh/id_ed25519" && cp "$d/client_ed25519.pub" "$h/.ssh/id_ed25519.pub" &&
            chmod 600 "$h/.ssh/id_ed25519" || return 1
    fi
}

sshd_port() { cat "${1:?DIR}/port"; }
sshd_client_key() { echo "${1:?DIR}/client_ed25519"; }
sshd_host_pub() { cut -d' ' -f1,2 "${1:?DIR}/host_ed25519.pub"; }

# Descendants of PID (the sshd processes serving connections).
_vmxs_children() {
    local p kids
    kids=$(pgrep -P "$1" 2>/dev/null)
    for p in $kids; do
        echo "$p"
        _vmxs_children "$p"
    done
}

sshd_up() {
    local d=${1:?DIR} port i pid
    port=$(sshd_port "$d")
    # sshd insists on its privilege separation directory (systemd makes it
    # at boot; a container may not have it).
    [[ -d /run/sshd ]] || mkdir -p -m 0755 /run/sshd
    /usr/sbin/sshd -t -f "$d/sshd_config" 2>"$d/sshd.check" || {
        _vmxs_err "config check failed:"; cat "$d/sshd.check" >&2; return 1; }
    /usr/sbin/sshd -f "$d/sshd_config" -D -e </dev/null >>"$d/sshd.log" 2>&1 &
    pid=$!
    echo "$pid" >"$d/launch.pid"
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || { _vmxs_err "sshd exited:"; tail -5 "$d/sshd.log" >&2; return 1; }
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    _vmxs_err "sshd did not listen on 127.0.0.1:$port within 10 s"
    sshd_down "$d"
    return 1
}

# sshd_down DIR: TERM the listener we started and the connections it serves
# (they would outlive it), KILL what is left after 5 s.
sshd_down() {
    local d=${1:?DIR} pid pids i
    pid=$(cat "$d/launch.pid" 2>/dev/null) || return 0
    [[ -n $pid ]] || return 0
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$d/launch.pid"
        return 0
    fi
    # Only if it still is our sshd (the PID could have been reused).
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f $d/sshd_config" || {
        rm -f "$d/launch.pid"; return 0; }
    pids="$pid $(_vmxs_children "$pid")"
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        local alive=""
        for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
        [[ -z $alive ]] && break
        sleep 0.1
    done
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    rm -f "$d/launch.pid"
    return 0
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    case ${1:-} in
        setup) sshd_setup "$2" ;;
        up) sshd_setup "$2" && sshd_up "$2" && echo "port $(sshd_port "$2")" ;;
        down) sshd_down "$2" ;;
        *) echo "usage: $0 setup|up|down DIR" >&2; exit 2 ;;
    esac
fi
