#!/usr/bin/env bash
# tests/lib/libvirtd.sh — a PRIVATE libvirtd with the real QEMU driver, for
# end-to-end tests and benchmarks that need a second client (virsh console,
# virsh list, ...) talking to the same domains as virtmux.
#
# Source it:
#     . tests/lib/libvirtd.sh
#     D=$(mktemp -d /tmp/vmxd.XXXX)
#     trap 'libvirtd_down "$D"' EXIT
#     libvirtd_up "$D"                     # <= 20 s, returns when the socket answers
#     libvirtd_guest "$D" demo1            # build (demo/mkguest.sh), define, start
#     libvirtd_wait_ready "$D" demo1 90    # serial shows "virtmux demo guest ready"
#     virsh -c "$(libvirtd_uri "$D")" list --all
#     libvirtd_down "$D"                   # idempotent; also after a failed up
#
# Opt-in: SASL on the daemon's unix sockets (default: no authentication):
#     libvirtd_enable_sasl "$D" USER PASS  # before libvirtd_up; stays on for D
#     libvirtd_up "$D"                     # clients must now log in as USER
#     LIBVIRT_AUTH_FILE=$(libvirtd_auth_file "$D") virsh -c URI list
# (the helpers' own virsh calls use that file by themselves; see
# libvirtd_enable_sasl for the details).
#
# or run it by hand (root):
#     tests/lib/libvirtd.sh up DIR | down DIR | env DIR | uri DIR
#     tests/lib/libvirtd.sh guest DIR NAME | wait-ready DIR NAME [SECS] | status DIR
#     tests/lib/libvirtd.sh enable-sasl DIR USER PASS   (before up DIR)
# `env DIR` prints  export LIBVIRT_DEFAULT_URI='...'  for eval.
#
# Clients outside the namespace connect with
#     qemu+unix:///system?socket=DIR/run/libvirt-sock
#
# Layout of DIR (keep it short: the admin socket DIR/run/libvirt-admin-sock must
# fit in sun_path; QEMU's monitor sockets live at the fixed, short
# /var/lib/libvirt/qemu/domain-N-NAME/ path inside the namespace):
#     run/             unix_sock_dir: libvirt-sock, libvirt-sock-ro, libvirt-admin-sock
#     etc/             bind-mounted over /etc/libvirt: libvirtd.conf, qemu.conf,
#                      qemu/NAME.xml (persistent definitions)
#     state/run/       over /run/libvirt     (qemu/NAME.pid, qemu/NAME.xml live status)
#     state/lib/       over /var/lib/libvirt (monitor sockets, qmp-* probe dirs)
#     state/cache/     over /var/cache/libvirt (QEMU capabilities cache)
#     state/log/       over /var/log/libvirt (qemu/NAME.log: QEMU's stdout/stderr)
#     drivers/         LIBVIRT_DRIVER_DIR: a symlink to the qemu driver module only
#     guest/           demo/mkguest.sh output + NAME.run.xml (with a serial <log>)
#     console/NAME.log the guest's serial output (QEMU chardev logfile)
#     libvirtd.pid     libvirtd's own pid file;  launch.pid: PID as started
#     mntns            the daemon's mount namespace (for the leak check)
#     libvirtd.log     daemon log (warnings+);  libvirtd.out: its stdout/stderr
#     sasl2/           only after libvirtd_enable_sasl: libvirt.conf (SASL config
#                      of the "libvirt" service, bind-mounted over /etc/sasl2),
#                      passwd.db (sasldb), client-auth.conf (for our own virsh)
#
# How it is isolated:
#   * `unshare --mount --propagation private` (no --fork: the shell that does
#     the mounts execs libvirtd, so the PID we record is the daemon).  Inside:
#     a tmpfs over /run (hides the host's /run/libvirt, /run/dbus, /run/systemd:
#     no D-Bus, so no systemd/machined registration; it gets an empty
#     /run/lock, where libvirt puts its console lock files LCK.._pts_N), then
#     bind mounts of
#     DIR/state/* over /run/libvirt, /var/lib/libvirt, /var/cache/libvirt,
#     /var/log/libvirt and DIR/etc over /etc/libvirt.  All mounts use
#     `mount -n` (no /run/mount/utab on the host) and are private, so the host
#     never sees them; they vanish with the namespace when its last process
#     (libvirtd or a QEMU it started) exits.
#   * LIBVIRT_DRIVER_DIR=DIR/drivers holds only libvirt_driver_qemu.so, so the
#     network, nwfilter, storage, nodedev, interface and secret drivers are not
#     loaded (libvirtd treats a missing module as "not installed").
#   * qemu.conf: stdio_handler="file" (no virtlogd), security_driver="none",
#     user/group root, remember_owner=0, cgroup_controllers=[] (no cgroup
#     directories are created on the host: libvirtd.log gets one harmless
#     "error : virCgroupDetectControllers ... At least one cgroup controller is
#     required" per start and QEMU stays in libvirtd's cgroups),
#     namespaces=[] (QEMU uses the namespace's /dev directly).
#   * The daemon runs under setsid with a clean environment, stdin from
#     /dev/null, and an idle timeout (LIBVIRTD_IDLE_TIMEOUT, default 1800 s)
#     as a safety net; running domains keep it alive.
#
# Environment knobs: LIBVIRTD (/usr/sbin/libvirtd), LIBVIRTD_IDLE_TIMEOUT
# (1800, 0 = none), LIBVIRTD_LOG_LEVEL (3), LIBVIRTD_QEMU_DRIVER (path of
# libvirt_driver_qemu.so, found automatically), VIRSH (virsh),
# LIBVIRTD_SASL_MECH (libvirtd_enable_sasl: scram-sha-256 if the plugin is
# installed, else digest-md5).
#
# Needs root (unshare -m, mounts).  The functions do not change the caller's
# shell options; they return non-zero and print "libvirtd.sh: ..." on error.

# ---------------------------------------------------------------- helpers ---

_vmxd_err() { echo "libvirtd.sh: $*" >&2; }

_vmxd_repo() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

# _vmxd_dir DIR [ERR EXAMPLE]: validate DIR, print it absolute without a
# trailing slash; reasons through ERR (default _vmxd_err), suggesting EXAMPLE.
# tests/rig/lxc.sh checks its directories with it too.
_vmxd_dir() {
    local d=${1:-} err=${2:-_vmxd_err} example=${3:-/tmp/vmxd.XXXX}
    if [[ -z $d ]]; then $err "DIR missing"; return 2; fi
    [[ $d == /* ]] || d=$PWD/$d
    while [[ $d == */ && $d != / ]]; do d=${d%/}; done
    if [[ ! $d =~ ^/[A-Za-z0-9/._+-]+$ ]]; then
        $err "DIR '$d' has characters unsafe for a URI/config (use A-Z a-z 0-9 / . _ + -)"
        return 2
    fi
    case $d/ in
        /run/*|/var/run/*|/var/lib/libvirt/*|/var/cache/libvirt/*|/var/log/libvirt/*|/etc/libvirt/*|/dev/*|/proc/*|/sys/*)
            $err "DIR '$d' is under a path the namespace hides or replaces; use e.g. $example"
            return 2 ;;
    esac
    # DIR/run/libvirt-admin-sock must fit in sun_path (107 bytes + NUL).
    if (( ${#d} > 80 )); then
        $err "DIR '$d' is ${#d} bytes; keep it at most 80 (unix socket paths)"
        return 2
    fi
    printf '%s\n' "$d"
}

_vmxd_virsh() {
    # bounded: a wedged daemon must not hang the caller
    local auth=""
    # A daemon of ours with SASL on (libvirtd_enable_sasl): log in from the
    # client auth file next to it, never by asking on stdin.
    if [[ $1 == *'?socket='*/run/libvirt-sock ]]; then
        auth=${1#*'?socket='}
        auth=${auth%/run/libvirt-sock}/sasl2/client-auth.conf
        [[ -r $auth ]] || auth=""
    fi
    if [[ -n $auth ]]; then
        LIBVIRT_AUTH_FILE=$auth timeout -k 3 "${_VMXD_VIRSH_TIMEOUT:-30}" "${VIRSH:-virsh}" -q -c "$1" "${@:2}" </dev/null
    else
        timeout -k 3 "${_VMXD_VIRSH_TIMEOUT:-30}" "${VIRSH:-virsh}" -q -c "$1" "${@:2}"
    fi
}

# _vmxd_cmdline PID: the command line with NULs as spaces ('' if gone).
_vmxd_cmdline() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true; }

# _vmxd_readpid FILE: the PID in FILE (libvirt writes QEMU's without a newline).
_vmxd_readpid() {
    local pid
    pid=$({ cat "$1"; } 2>/dev/null) || return 1
    pid=${pid//[$' \t\n']/}
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    echo "$pid"
}

# _vmxd_is_daemon PID DIR: PID is a libvirtd (or its launching shell) of DIR.
_vmxd_is_daemon() {
    local pid=$1 d=$2 c
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    c=$(_vmxd_cmdline "$pid")
    [[ -n $c && $c == *" $d/etc/libvirtd.conf "* ]]
}

# _vmxd_is_qemu PID NEEDLE: PID is a QEMU whose command line contains NEEDLE.
_vmxd_is_qemu() {
    local pid=$1 needle=$2 c exe
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    c=$(_vmxd_cmdline "$pid")
    [[ -n $c && $c == *"$needle"* ]] || return 1
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
    exe=${exe% (deleted)}
    [[ ${exe##*/} == qemu-system-* || ${c%% *} == *qemu-system-* ]]
}

# _vmxd_stop_pids SECS PID...: TERM, wait up to SECS, then KILL.  Only pass
# PIDs already checked to be ours.
_vmxd_stop_pids() {
    local secs=$1 pid i alive
    shift
    (( $# )) || return 0
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for ((i = 0; i < secs * 10; i++)); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        (( alive )) || return 0
        sleep 0.1
    done
    for pid in "$@"; do
        if kill -0 "$pid" 2>/dev/null; then
            _vmxd_err "pid $pid did not exit within ${secs}s of SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    for ((i = 0; i < 30; i++)); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        (( alive )) || return 0
        sleep 0.1
    done
    return 1
}

# _vmxd_daemon_pids DIR: the live daemon PIDs recorded for DIR (pid file,
# launch PID), checked against their command lines.
_vmxd_daemon_pids() {
    local d=$1 f pid seen=" "
    for f in "$d/libvirtd.pid" "$d/launch.pid"; do
        [[ -r $f ]] || continue
        pid=$(_vmxd_readpid "$f") || continue
        [[ $seen == *" $pid "* ]] && continue
        seen+="$pid "
        _vmxd_is_daemon "$pid" "$d" && echo "$pid"
    done
    return 0
}

# _vmxd_qemu_pids DIR: live QEMU PIDs from the daemon's pid files: domains
# (run/qemu/NAME.pid) and capability probes (lib/qemu/qmp-*/qmp.pid).
_vmxd_qemu_pids() {
    local d=$1 f pid name
    for f in "$d"/state/run/qemu/*.pid "$d"/state/lib/qemu/qmp-*/qmp.pid; do
        [[ -r $f ]] || continue
        pid=$(_vmxd_readpid "$f") || continue
        if [[ $f == */qmp.pid ]]; then
            name=${f%/qmp.pid}; name=${name##*/}        # qmp-XXXXXX
        else
            name=${f##*/}; name="guest=${name%.pid},"   # -name guest=NAME,...
        fi
        _vmxd_is_qemu "$pid" "$name" && echo "$pid"
    done
    return 0
}

_vmxd_find_qemu_driver() {
    local f
    if [[ -n ${LIBVIRTD_QEMU_DRIVER:-} ]]; then
        echo "$LIBVIRTD_QEMU_DRIVER"; return 0
    fi
    for f in /usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so \
             /usr/lib64/libvirt/connection-driver/libvirt_driver_qemu.so \
             /usr/lib/libvirt/connection-driver/libvirt_driver_qemu.so; do
        [[ -f $f ]] && { echo "$f"; return 0; }
    done
    return 1
}

# ------------------------------------------------------------------- API ---

# libvirtd_uri DIR — the client URI (works from outside the namespace).
libvirtd_uri() {
    local d
    d=$(_vmxd_dir "${1:-}") || return
    printf 'qemu+unix:///system?socket=%s/run/libvirt-sock\n' "$d"
}

# libvirtd_env DIR — shell code exporting LIBVIRT_DEFAULT_URI (for eval).
libvirtd_env() {
    local u
    u=$(libvirtd_uri "${1:-}") || return
    printf "export LIBVIRT_DEFAULT_URI='%s'\n" "$u"
}

# libvirtd_pid DIR — the running daemon's PID (non-zero status if none).
libvirtd_pid() {
    local d pids
    d=$(_vmxd_dir "${1:-}") || return
    pids=$(_vmxd_daemon_pids "$d")
    [[ -n $pids ]] || return 1
    echo "${pids%%$'\n'*}"
}

# libvirtd_up DIR — start the private daemon; returns 0 once
# `virsh -c URI list --all` answers (<= 20 s).  On failure it prints the tail
# of the daemon's output and log, cleans up (libvirtd_down) and returns 1.
libvirtd_up() {
    local d libvirtd=${LIBVIRTD:-/usr/sbin/libvirtd} drv p uri i pid idle
    d=$(_vmxd_dir "${1:-}") || return
    if (( EUID != 0 )); then _vmxd_err "libvirtd_up needs root (unshare -m, mounts)"; return 1; fi
    [[ -x $libvirtd ]] || { _vmxd_err "$libvirtd not found (apt-get install libvirt-daemon)"; return 1; }
    command -v unshare >/dev/null || { _vmxd_err "unshare not found (util-linux)"; return 1; }
    command -v "${VIRSH:-virsh}" >/dev/null || { _vmxd_err "virsh not found (libvirt-clients)"; return 1; }
    drv=$(_vmxd_find_qemu_driver) || { _vmxd_err "libvirt_driver_qemu.so not found (libvirt-daemon-driver-qemu)"; return 1; }
    for p in /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt; do
        # A bind mount needs an existing mount point, and creating one would
        # write to the host.  libvirt-daemon creates all of them.
        [[ -d $p ]] || { _vmxd_err "$p does not exist on this host (is libvirt-daemon installed?)"; return 1; }
    done
    if [[ -n $(_vmxd_daemon_pids "$d") ]]; then
        _vmxd_err "a private libvirtd for $d is already running (pid $(_vmxd_daemon_pids "$d" | head -n 1)); libvirtd_down it first"
        return 1
    fi
    idle=${LIBVIRTD_IDLE_TIMEOUT:-1800}
    [[ $idle =~ ^[0-9]+$ ]] || { _vmxd_err "LIBVIRTD_IDLE_TIMEOUT must be a number of seconds"; return 1; }
    local targs=()
    (( idle > 0 )) && targs=(-t "$idle")
    # Opt-in SASL (libvirtd_enable_sasl wrote DIR/sasl2/libvirt.conf).
    local auth=none senv=()
    if [[ -r $d/sasl2/libvirt.conf ]]; then
        auth=sasl
        # Cyrus SASL reads SERVICE.conf from SASL_CONF_PATH; inside the
        # namespace DIR/sasl2 is also bind-mounted over /etc/sasl2 (if the
        # host has that directory) for builds that ignore the variable.
        senv=(SASL_CONF_PATH="$d/sasl2")
    fi

    mkdir -p "$d" || return 1
    mkdir -p "$d/run" "$d/etc/qemu" "$d/state/run" "$d/state/lib" "$d/state/cache" \
        "$d/state/log" "$d/drivers" "$d/home" "$d/console" "$d/guest" || return 1
    chmod 755 "$d" "$d/guest" "$d/console"
    chmod 700 "$d/run"
    rm -f "$d/libvirtd.pid" "$d/launch.pid" "$d/mntns" "$d/run/"libvirt-*sock*
    ln -sfn "$drv" "$d/drivers/libvirt_driver_qemu.so"

    cat >"$d/etc/libvirtd.conf" <<EOF
# private libvirtd for virtmux tests (tests/lib/libvirtd.sh; generated)
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$d/run"
unix_sock_group = "root"
unix_sock_ro_perms = "0700"
unix_sock_rw_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_ro = "$auth"
auth_unix_rw = "$auth"
host_uuid = "6b1d0e5a-7c3f-4e21-9a4b-00000000d0d0"
log_outputs = "${LIBVIRTD_LOG_LEVEL:-3}:file:$d/libvirtd.log"
EOF
    cat >"$d/etc/qemu.conf" <<'EOF'
# private libvirtd for virtmux tests (tests/lib/libvirtd.sh; generated)
# QEMU's stdout/stderr and chardev logs go straight to files: no virtlogd.
stdio_handler = "file"
# No AppArmor/SELinux labelling; QEMU runs as root, no xattrs on the images.
security_driver = "none"
user = "root"
group = "root"
remember_owner = 0
# No cgroup directories on the host (and no systemd-machined, see /run).
cgroup_controllers = [ ]
# No per-QEMU private /dev: QEMU uses the namespace's /dev as is.
namespaces = [ ]
vnc_listen = "127.0.0.1"
EOF
    : >"$d/libvirtd.log"

    # Chain of execs (env, setsid, unshare without --fork, sh, libvirtd), so
    # $! is the daemon's PID unless setsid had to fork (caller with job
    # control); libvirtd's own pid file is the authority either way.
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$d/home" LANG=C \
        LIBVIRT_DRIVER_DIR="$d/drivers" \
        XDG_CONFIG_HOME="$d/home/.config" XDG_CACHE_HOME="$d/home/.cache" \
        XDG_RUNTIME_DIR="$d/home/.run" "${senv[@]}" \
        setsid unshare --mount --propagation private -- \
        /bin/sh -c '
            d=$1; shift
            m() { mount -n "$@" || { echo "libvirtd.sh: mount $* failed" >&2; exit 97; }; }
            m -t tmpfs -o mode=0755,size=16m vmxd-run /run
            # /var/lock -> /run/lock: virsh console takes LCK.._pts_N there
            mkdir -p /run/libvirt /run/lock && chmod 1777 /run/lock || exit 97
            m --bind "$d/state/run" /run/libvirt
            m --bind "$d/state/lib" /var/lib/libvirt
            m --bind "$d/state/cache" /var/cache/libvirt
            m --bind "$d/state/log" /var/log/libvirt
            m --bind "$d/etc" /etc/libvirt
            if [ -n "${SASL_CONF_PATH:-}" ] && [ -d /etc/sasl2 ]; then
                m --bind "$SASL_CONF_PATH" /etc/sasl2
            fi
            exec "$@"' \
        vmxd-ns "$d" "$libvirtd" "${targs[@]}" \
        --config "$d/etc/libvirtd.conf" --pid-file "$d/libvirtd.pid" \
        </dev/null >"$d/libvirtd.out" 2>&1 &
    echo "$!" >"$d/launch.pid"

    uri=$(libvirtd_uri "$d")
    for ((i = 0; ; i++)); do
        pid=$(_vmxd_daemon_pids "$d" | head -n 1)
        # Until the launcher has exec'd libvirtd there is no daemon to see yet.
        if [[ -z $pid ]] && (( i < 200 )) && kill -0 "$(cat "$d/launch.pid")" 2>/dev/null; then
            sleep 0.1
            continue
        fi
        if [[ -z $pid ]]; then
            _vmxd_err "private libvirtd exited during startup"
            break
        fi
        if [[ -S $d/run/libvirt-sock ]] &&
            _VMXD_VIRSH_TIMEOUT=5 _vmxd_virsh "$uri" list --all >/dev/null 2>&1; then
            pid=$(cat "$d/libvirtd.pid" 2>/dev/null || true)
            if ! _vmxd_is_daemon "$pid" "$d"; then
                _vmxd_err "libvirtd answers but its pid file ($d/libvirtd.pid: '$pid') is not it"
                break
            fi
            readlink "/proc/$pid/ns/mnt" >"$d/mntns" 2>/dev/null || true
            if [[ $(cat "$d/mntns") == "$(readlink /proc/self/ns/mnt)" ]]; then
                _vmxd_err "libvirtd (pid $pid) is in the host's mount namespace"
                break
            fi
            return 0
        fi
        if (( i >= 200 )); then
            _vmxd_err "private libvirtd did not answer on $d/run/libvirt-sock within 20 s"
            break
        fi
        sleep 0.1
    done
    {
        echo "  --- $d/libvirtd.out ---"
        tail -n 20 "$d/libvirtd.out" 2>/dev/null | sed 's/^/  | /'
        echo "  --- $d/libvirtd.log ---"
        tail -n 20 "$d/libvirtd.log" 2>/dev/null | sed 's/^/  | /'
    } >&2
    libvirtd_down "$d"
    return 1
}

# libvirtd_enable_sasl DIR USER PASS — opt-in, before libvirtd_up DIR: the
# daemon then requires SASL on both unix sockets (auth_unix_ro/rw = "sasl").
# Writes DIR/sasl2/libvirt.conf (mech_list: scram-sha-256, or digest-md5 when
# the SCRAM plugin is missing, or LIBVIRTD_SASL_MECH; sasldb_path:
# DIR/sasl2/passwd.db), creates USER with PASS in that sasldb (saslpasswd2,
# password on stdin) and DIR/sasl2/client-auth.conf, a libvirt client auth
# file with USER/PASS that the helpers' own virsh calls use
# (LIBVIRT_AUTH_FILE, only for those commands: other clients, virtmux under
# test included, are asked).  SASL stays on for DIR, also across a
# down/up, until DIR/sasl2 is removed.  Needs saslpasswd2 (sasl2-bin) and the
# SASL plugins (libsasl2-modules).  USER: A-Z a-z 0-9 _ . - @;  PASS: printable
# ASCII without spaces or backslashes.
libvirtd_enable_sasl() {
    local d user=${2:-} pass=${3:-} mech s
    d=$(_vmxd_dir "${1:-}") || return
    [[ $user =~ ^[A-Za-z0-9_.@-]+$ ]] || { _vmxd_err "bad SASL user name '$user'"; return 2; }
    [[ -n $pass && $pass =~ ^[!-~]+$ && $pass != *\\* ]] ||
        { _vmxd_err "SASL password must be printable ASCII without spaces or backslashes"; return 2; }
    command -v saslpasswd2 >/dev/null || { _vmxd_err "saslpasswd2 not found (apt-get install sasl2-bin)"; return 1; }
    if [[ -n ${LIBVIRTD_SASL_MECH:-} ]]; then
        mech=$LIBVIRTD_SASL_MECH
    elif compgen -G '/usr/lib*/sasl2/libscram.so*' >/dev/null ||
         compgen -G '/usr/lib/*/sasl2/libscram.so*' >/dev/null; then
        mech=scram-sha-256
    elif compgen -G '/usr/lib*/sasl2/libdigestmd5.so*' >/dev/null ||
         compgen -G '/usr/lib/*/sasl2/libdigestmd5.so*' >/dev/null; then
        mech=digest-md5
    else
        _vmxd_err "no SCRAM or DIGEST-MD5 SASL plugin (apt-get install libsasl2-modules)"
        return 1
    fi
    [[ $mech =~ ^[a-z0-9-]+$ ]] || { _vmxd_err "bad SASL mechanism '$mech'"; return 2; }
    s=$d/sasl2
    mkdir -p "$s" || return 1
    chmod 700 "$s"
    rm -f "$s"/passwd.db*
    cat >"$s/libvirt.conf" <<EOF
# private libvirtd for virtmux tests (tests/lib/libvirtd.sh; generated)
mech_list: $mech
sasldb_path: $s/passwd.db
EOF
    # SASL_CONF_PATH: saslpasswd2 reads libvirt.conf (mech_list) from here,
    # not the host's /etc/sasl2.
    if ! printf '%s' "$pass" | SASL_CONF_PATH=$s saslpasswd2 -a libvirt -f "$s/passwd.db" -p -c "$user"; then
        _vmxd_err "saslpasswd2 failed"
        rm -rf "$s"
        return 1
    fi
    ( umask 077
      cat >"$s/client-auth.conf" <<EOF
[credentials-vmxd]
authname=$user
password=$pass

[auth-libvirt-localhost]
credentials=vmxd
EOF
    ) || return 1
}

# libvirtd_auth_file DIR — the client auth file of a SASL daemon (for
# LIBVIRT_AUTH_FILE); non-zero status if SASL is not enabled for DIR.
libvirtd_auth_file() {
    local d
    d=$(_vmxd_dir "${1:-}") || return
    [[ -r $d/sasl2/client-auth.conf ]] || return 1
    printf '%s\n' "$d/sasl2/client-auth.conf"
}

# libvirtd_down DIR — destroy running domains, stop the daemon (TERM, <= 10 s,
# KILL), stop any QEMU left (by the daemon's pid files), wait for the mount
# namespace to go away.  Idempotent; safe after a failed or no up.  Keeps DIR
# (logs) in place.  Returns 1 only if something of ours is still alive.
libvirtd_down() {
    local d uri dom pids pid ns i left qemus rc=0
    d=$(_vmxd_dir "${1:-}") || return
    [[ -d $d ]] || return 0
    uri=$(libvirtd_uri "$d")
    # Remember the domains' QEMUs before libvirt deletes their pid files.
    qemus=$(_vmxd_qemu_pids "$d")
    pids=$(_vmxd_daemon_pids "$d")
    if [[ -n $pids && -S $d/run/libvirt-sock ]]; then
        for dom in $(_VMXD_VIRSH_TIMEOUT=10 _vmxd_virsh "$uri" list --name --state-running --state-paused --state-other 2>/dev/null); do
            _VMXD_VIRSH_TIMEOUT=15 _vmxd_virsh "$uri" destroy "$dom" >/dev/null 2>&1 ||
                _vmxd_err "virsh destroy $dom failed (its QEMU is killed below)"
        done
    fi
    # shellcheck disable=SC2086
    [[ -z $pids ]] || _vmxd_stop_pids 10 $pids || rc=1
    # QEMUs the daemon left behind (crash, SIGKILL, probe in flight).
    qemus=$(printf '%s\n%s\n' "$qemus" "$(_vmxd_qemu_pids "$d")" | sort -u)
    pids=""
    for pid in $qemus; do
        _vmxd_is_qemu "$pid" "$d/" || _vmxd_is_qemu "$pid" "qmp-" && pids+=" $pid"
    done
    if [[ -n $pids ]]; then
        _vmxd_err "stopping leftover QEMU pid(s)$pids"
        # shellcheck disable=SC2086
        _vmxd_stop_pids 5 $pids || rc=1
    fi
    # The namespace (and with it every mount) is gone once no process is in
    # it.  Report (do not kill) anything still in it.
    ns=$(cat "$d/mntns" 2>/dev/null || true)
    if [[ -n $ns ]]; then
        for ((i = 0; i < 50; i++)); do
            left=$(_vmxd_ns_pids "$ns")
            [[ -z $left ]] && break
            sleep 0.1
        done
        if [[ -n $left ]]; then
            _vmxd_err "processes still in the private mount namespace $ns:"
            for pid in $left; do _vmxd_err "  $pid $(_vmxd_cmdline "$pid")"; done
            rc=1
        else
            rm -f "$d/mntns"   # the inode number may be reused by a new namespace
        fi
    fi
    rm -f "$d/launch.pid" "$d/run/"libvirt-*sock*
    [[ -n $(_vmxd_daemon_pids "$d") ]] && rc=1
    return $rc
}

# _vmxd_ns_pids NS: PIDs whose mount namespace is NS (e.g. "mnt:[4026532...]").
_vmxd_ns_pids() {
    local pat=$1 p
    pat=${pat//[/\\[}; pat=${pat//]/\\]}   # a glob for find -lname
    # one find instead of a readlink per process
    find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/mnt' -lname "$pat" \
        2>/dev/null | while IFS= read -r p; do p=${p#/proc/}; echo "${p%%/*}"; done
    return 0
}

# libvirtd_guest DIR NAME — build the demo guest into DIR/guest (if needed),
# add a serial log (DIR/console/NAME.log), define and start NAME.  A running
# NAME is left alone.
libvirtd_guest() {
    local d name=${2:-} uri xml run log st repo
    d=$(_vmxd_dir "${1:-}") || return
    [[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || { _vmxd_err "bad guest name '$name'"; return 2; }
    uri=$(libvirtd_uri "$d")
    repo=$(_vmxd_repo)
    xml=$("$repo/demo/mkguest.sh" "$d/guest" "$name") || { _vmxd_err "demo/mkguest.sh failed"; return 1; }
    run=$d/guest/$name.run.xml
    log=$d/console/$name.log
    grep -q "<serial type='pty'>" "$xml" || { _vmxd_err "$xml has no <serial type='pty'>"; return 1; }
    sed "s|^\( *\)<serial type='pty'>\$|&\n\1  <log file='$log' append='off'/>|" "$xml" >"$run.tmp" &&
        mv -f "$run.tmp" "$run" || return 1
    grep -q "<log file='$log'" "$run" || { _vmxd_err "could not add the serial <log> to $run"; return 1; }
    st=$(_vmxd_virsh "$uri" domstate "$name" 2>/dev/null || true)
    if [[ $st == running* ]]; then
        return 0
    fi
    _VMXD_VIRSH_TIMEOUT=60 _vmxd_virsh "$uri" define "$run" >/dev/null || { _vmxd_err "virsh define $run failed"; return 1; }
    rm -f "$log"
    _VMXD_VIRSH_TIMEOUT=60 _vmxd_virsh "$uri" start "$name" >/dev/null || {
        _vmxd_err "virsh start $name failed"
        tail -n 20 "$d/state/log/qemu/$name.log" 2>/dev/null | sed 's/^/  | /' >&2
        return 1
    }
}

# libvirtd_wait_ready DIR NAME [SECS] — wait (default 120 s) until NAME's
# serial log shows "virtmux demo guest ready".
libvirtd_wait_ready() {
    local d name=${2:-} secs=${3:-120} uri log i st
    d=$(_vmxd_dir "${1:-}") || return
    [[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || { _vmxd_err "bad guest name '$name'"; return 2; }
    [[ $secs =~ ^[0-9]+$ ]] || { _vmxd_err "SECS must be a whole number"; return 2; }
    uri=$(libvirtd_uri "$d")
    log=$d/console/$name.log
    for ((i = 0; i < secs * 5; i++)); do
        grep -qF "virtmux demo guest ready" "$log" 2>/dev/null && return 0
        if (( i % 10 == 9 )); then   # every 2 s: give up early if it died
            st=$(_VMXD_VIRSH_TIMEOUT=10 _vmxd_virsh "$uri" domstate "$name" 2>/dev/null || true)
            if [[ $st != running* ]]; then
                _vmxd_err "guest $name is '${st:-unknown}', not running"
                tail -n 20 "$d/state/log/qemu/$name.log" 2>/dev/null | sed 's/^/  | /' >&2
                return 1
            fi
        fi
        sleep 0.2
    done
    _vmxd_err "guest $name not ready within ${secs}s; last serial output:"
    tail -c 2000 "$log" 2>/dev/null | tr -d '\r' | tail -n 15 | sed 's/^/  | /' >&2
    return 1
}

# libvirtd_status DIR — one line: daemon pid, namespace, URI, domains.
libvirtd_status() {
    local d pid
    d=$(_vmxd_dir "${1:-}") || return
    if pid=$(libvirtd_pid "$d"); then
        echo "libvirtd pid $pid ns $(cat "$d/mntns" 2>/dev/null) uri $(libvirtd_uri "$d")"
        _vmxd_virsh "$(libvirtd_uri "$d")" list --all
    else
        echo "no private libvirtd for $d"
        return 1
    fi
}

# ------------------------------------------------------------ standalone ---

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -u
    _vmxd_usage() {
        echo "usage: $0 up DIR | down DIR | env DIR | uri DIR | status DIR" >&2
        echo "       $0 guest DIR NAME | wait-ready DIR NAME [SECS]" >&2
        echo "       $0 enable-sasl DIR USER PASS   (then up DIR)" >&2
        exit 2
    }
    (( $# >= 2 )) || _vmxd_usage
    cmd=$1; shift
    case $cmd in
        up)         libvirtd_up "$1" && libvirtd_env "$1" ;;
        down)       libvirtd_down "$1" ;;
        env)        libvirtd_env "$1" ;;
        uri)        libvirtd_uri "$1" ;;
        status)     libvirtd_status "$1" ;;
        guest)      (( $# == 2 )) || _vmxd_usage; libvirtd_guest "$1" "$2" ;;
        wait-ready) (( $# >= 2 )) || _vmxd_usage; libvirtd_wait_ready "$@" ;;
        enable-sasl) (( $# == 3 )) || _vmxd_usage; libvirtd_enable_sasl "$@" ;;
        *)          _vmxd_usage ;;
    esac
fi
