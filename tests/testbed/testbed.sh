#!/usr/bin/env bash
# tests/testbed/testbed.sh — two real libvirt hosts (hostA, hostB) on this one
# machine, reached over SSH from a third "client" network namespace.
#
#   testbed.sh up        build and start everything (refuses if already up)
#   testbed.sh down      stop and remove everything; idempotent, also after a
#                        failed or partial up; keeps TESTBED_DIR (keys, guest,
#                        capability caches, logs) for the next up
#   testbed.sh purge     down, then remove TESTBED_DIR
#   testbed.sh status    what runs, PIDs, both hosts reachable over SSH
#   testbed.sh env       shell code (export X=...) for tests: eval "$(testbed.sh env)"
#   testbed.sh exec A|B|client CMD...   run CMD inside a host's (or the
#                        client's) namespaces (net + mount [+ uts])
#   testbed.sh guest-up [A|B] [SECS]   start the guest there (default A) and
#                        wait (default 120 s) until it is ready
#   testbed.sh restart-sshd A|B       stop that host's sshd (by pid file, with
#   testbed.sh restart-libvirtd A|B   its per-connection children) if it runs,
#                        start it again as `up` does, wait until it answers
#
# See tests/testbed/README.md.  Needs root.  Knobs (environment):
#   TESTBED_DIR            state directory (default /tmp/virtmux-testbed)
#   TESTBED_NETNS_PREFIX   netns names PREFIX{A,B,client} (default vm)
#   TESTBED_SUBNET         first three octets of the /24 (default 10.77.0)
#   TESTBED_PASSWORD       password of the test user tbuser (default testbed)
#   TESTBED_GUEST          guest name (default tb1)
#
# Everything is tracked by PID files and namespace ids; nothing is stopped by
# name.  The machine's own /run/libvirt, /etc/hosts, ... are never touched:
# all bind mounts live in private mount namespaces.

set -u
set -o pipefail

TB_SELF=$(readlink -f "${BASH_SOURCE[0]}")
TB_REPO=$(cd "$(dirname "$TB_SELF")/../.." && pwd)

TB_DIR=${TESTBED_DIR:-/tmp/virtmux-testbed}
TB_PREFIX=${TESTBED_NETNS_PREFIX:-vm}
TB_SUBNET=${TESTBED_SUBNET:-10.77.0}
TB_PASSWORD=${TESTBED_PASSWORD:-testbed}
TB_GUEST=${TESTBED_GUEST:-tb1}
TB_USER=tbuser
TB_UID=7777
TB_HOSTS="A B"

err() { echo "testbed: $*" >&2; }
note() { echo "testbed: $*" >&2; }

# ---------------------------------------------------------------- config ---

tb_check_dir() {
    [[ $TB_DIR == /* ]] || TB_DIR=$PWD/$TB_DIR
    while [[ $TB_DIR == */ && $TB_DIR != / ]]; do TB_DIR=${TB_DIR%/}; done
    if [[ ! $TB_DIR =~ ^/[A-Za-z0-9/._+-]+$ ]]; then
        err "TESTBED_DIR '$TB_DIR' has unsafe characters (use A-Z a-z 0-9 / . _ + -)"; return 2
    fi
    case $TB_DIR/ in
        /|/run/*|/var/*|/etc/*|/dev/*|/proc/*|/sys/*|/root/)
            err "TESTBED_DIR '$TB_DIR' is under a path the host namespaces replace; use e.g. /tmp/virtmux-testbed"
            return 2 ;;
    esac
    # sockets under it (libvirt-admin-sock) must fit in sun_path
    (( ${#TB_DIR} <= 60 )) || { err "TESTBED_DIR '$TB_DIR' is too long (max 60 bytes)"; return 2; }
    [[ $TB_PREFIX =~ ^[A-Za-z0-9_-]{1,8}$ ]] || { err "TESTBED_NETNS_PREFIX must be 1-8 of A-Z a-z 0-9 _ -"; return 2; }
    [[ $TB_SUBNET =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || { err "TESTBED_SUBNET must look like 10.77.0"; return 2; }
    [[ $TB_GUEST =~ ^[A-Za-z0-9_.-]+$ ]] || { err "bad TESTBED_GUEST"; return 2; }
    [[ $TB_PASSWORD =~ ^[!-~]+$ && $TB_PASSWORD != *[\'\\\"]* ]] ||
        { err "TESTBED_PASSWORD: printable ASCII without spaces, quotes, backslashes"; return 2; }
    return 0
}

# After `up`, the names in use are recorded in DIR/testbed.conf, so that
# `down`/`status`/`env` work whatever the caller's environment says.
tb_load_conf() {
    local f=$TB_DIR/testbed.conf k v
    [[ -r $f ]] || return 0
    while IFS='=' read -r k v; do
        case $k in
            prefix) [[ $v =~ ^[A-Za-z0-9_-]{1,8}$ ]] && TB_PREFIX=$v ;;
            subnet) [[ $v =~ ^[0-9.]+$ ]] && TB_SUBNET=$v ;;
            guest)  [[ $v =~ ^[A-Za-z0-9_.-]+$ ]] && TB_GUEST=$v ;;
            password) [[ $v =~ ^[!-~]+$ ]] && TB_PASSWORD=$v ;;
        esac
    done <"$f"
}

tb_netns() { echo "$TB_PREFIX$1"; }            # A | B | client
tb_addr() {
    case $1 in client) echo "$TB_SUBNET.1" ;; A) echo "$TB_SUBNET.11" ;; B) echo "$TB_SUBNET.12" ;; esac
}
tb_hostname() { echo "host$1"; }
tb_hdir() { echo "$TB_DIR/hosts/$1"; }
tb_local_uri() { echo "qemu+unix:///system?socket=$(tb_hdir "$1")/run/libvirt-sock"; }
tb_uri_libssh() {   # HOST [USER] [AUTH]: over libssh, by host name, from the client ns
    local u=${2:-root} a=${3:-privkey}
    if [[ $a == password ]]; then
        echo "qemu+libssh://$u@$(tb_hostname "$1")/system?known_hosts=$TB_DIR/ssh/known_hosts&known_hosts_verify=normal&sshauth=password"
    else
        echo "qemu+libssh://$u@$(tb_hostname "$1")/system?known_hosts=$TB_DIR/ssh/known_hosts&known_hosts_verify=normal&keyfile=$TB_DIR/ssh/id_ed25519&sshauth=privkey"
    fi
}
tb_uri_ssh() {      # HOST: over the OpenSSH client (host keys via the client ns' ssh_config)
    echo "qemu+ssh://root@$(tb_hostname "$1")/system?keyfile=$TB_DIR/ssh/id_ed25519&no_tty=1"
}

# ------------------------------------------------------------- processes ---

tb_cmdline() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true; }

tb_readpid() {
    local p
    p=$({ cat "$1"; } 2>/dev/null) || return 1
    p=${p//[$' \t\n']/}
    [[ $p =~ ^[0-9]+$ ]] || return 1
    echo "$p"
}

# tb_pid FILE NEEDLE: the live PID in FILE whose command line contains NEEDLE.
tb_pid() {
    local p c
    p=$(tb_readpid "$1") || return 1
    c=$(tb_cmdline "$p")
    [[ -n $c && $c == *"$2"* ]] || return 1
    echo "$p"
}

# PIDs of this shell and its ancestors: never signalled (`down` run from
# inside the client namespace must not kill itself).
tb_self_pids() {
    local p=$$ s=" $BASHPID " k v i
    for ((i = 0; i < 64; i++)); do
        [[ $p =~ ^[0-9]+$ ]] && (( p > 1 )) || break
        s+="$p "
        v=""
        while read -r k v; do [[ $k == PPid: ]] && break; v=""; done <"/proc/$p/status" 2>/dev/null
        p=$v
    done
    echo "$s"
}

# tb_descends PID: PID is this script or one of its children (the pipeline
# that scans /proc runs in the very namespace it scans, when `down` is run
# from inside the client namespace).
tb_descends() {
    local p=$1 k v i
    for ((i = 0; i < 64; i++)); do
        [[ $p == "$$" ]] && return 0
        [[ $p =~ ^[0-9]+$ ]] && (( p > 1 )) || return 1
        v=""
        while read -r k v; do [[ $k == PPid: ]] && break; v=""; done <"/proc/$p/status" 2>/dev/null
        p=$v
    done
    return 1
}

# tb_ns_pids ID...: live PIDs (not ours) in any of the namespaces ID
# ("mnt:[123]", "net:[456]"), in one pass over /proc.
tb_ns_pids() {
    local want=" $* " self dir link p
    (( $# )) || return 0
    self=$(tb_self_pids)
    find /proc -mindepth 3 -maxdepth 3 \( -path '/proc/[0-9]*/ns/mnt' -o -path '/proc/[0-9]*/ns/net' \) \
        -printf '%h %l\n' 2>/dev/null |
        while read -r dir link; do
            [[ $want == *" $link "* ]] || continue
            p=${dir#/proc/}; p=${p%/ns}
            [[ $self == *" $p "* ]] || ! tb_alive "$p" || tb_descends "$p" || echo "$p"
        done | sort -un
    return 0
}

# tb_alive PID: running (a zombie is not: our daemons are reparented to
# init when the starting shell exits, and init may reap them late).
tb_alive() {
    local st
    kill -0 "$1" 2>/dev/null || return 1
    read -r st <"/proc/$1/stat" 2>/dev/null || return 1
    st=${st##*) }
    [[ ${st:0:1} != [ZX] ]]
}

# tb_stop SECS PID...: TERM, wait up to SECS, KILL, wait up to 3 s.
tb_stop() {
    local secs=$1 p i alive
    shift
    (( $# )) || return 0
    for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    for ((i = 0; i < secs * 10; i++)); do
        alive=0
        for p in "$@"; do tb_alive "$p" && { alive=1; break; }; done
        (( alive )) || return 0
        sleep 0.1
    done
    for p in "$@"; do
        if tb_alive "$p"; then
            err "pid $p ($(tb_cmdline "$p" | cut -c1-60)) ignored SIGTERM for ${secs}s; SIGKILL"
            kill -KILL "$p" 2>/dev/null
        fi
    done
    for ((i = 0; i < 30; i++)); do
        alive=0
        for p in "$@"; do tb_alive "$p" && { alive=1; break; }; done
        (( alive )) || return 0
        sleep 0.1
    done
    return 1
}

# tb_wait SECS DESC CMD...: poll CMD every 0.1 s for at most SECS seconds.
tb_wait() {
    local secs=$1 desc=$2 i
    shift 2
    for ((i = 0; i <= secs * 10; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    err "timed out after ${secs}s waiting for $desc"
    return 1
}

tb_virsh() {   # URI ARGS...: bounded virsh
    timeout -k 3 "${TB_VIRSH_TIMEOUT:-30}" virsh -q -c "$1" "${@:2}" </dev/null
}

# Named network namespaces are ours only if their inode was recorded by our
# `up` (DIR/client/netns.owned): another testbed may use the same names.
tb_netns_ino() { stat -L -c %i "/run/netns/$1" 2>/dev/null; }
tb_netns_owned() {   # NAME
    local ino
    ino=$(tb_netns_ino "$1") || return 1
    grep -qx "$1 $ino" "$TB_DIR/client/netns.owned" 2>/dev/null
}

tb_holder_pid() {   # A|B|client
    local f
    if [[ $1 == client ]]; then f=$TB_DIR/client/holder.pid; else f=$(tb_hdir "$1")/holder.pid; fi
    tb_pid "$f" "virtmux-testbed-holder $TB_DIR $1"
}

# tb_nsenter WHO: the nsenter command (as words) entering WHO's namespaces.
tb_nsenter() {
    local hp
    hp=$(tb_holder_pid "$1") || { err "$1 is not up (no namespace holder)"; return 1; }
    if [[ $1 == client ]]; then
        echo "nsenter --net=/run/netns/$(tb_netns client) --mount=/proc/$hp/ns/mnt --wd=. --"
    else
        echo "nsenter --target $hp --net --mount --uts --wd=. --"
    fi
}

# ------------------------------------------------------------------- up ---

tb_need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || { err "'$c' not found; $(tb_pkg_hint "$c")"; return 1; }
    done
}
tb_pkg_hint() {
    case $1 in
        ip) echo "apt-get install iproute2" ;;
        nsenter|unshare|setsid) echo "apt-get install util-linux" ;;
        libvirtd|virtlogd) echo "apt-get install libvirt-daemon libvirt-daemon-driver-qemu" ;;
        virsh) echo "apt-get install libvirt-clients" ;;
        sshd) echo "apt-get install openssh-server" ;;
        ssh|ssh-keygen|ssh-keyscan) echo "apt-get install openssh-client" ;;
        openssl) echo "apt-get install openssl" ;;
        qemu-system-x86_64) echo "apt-get install qemu-system-x86" ;;
        *) echo "install it" ;;
    esac
}

tb_find_qemu_driver() {
    local f
    for f in /usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so \
             /usr/lib64/libvirt/connection-driver/libvirt_driver_qemu.so \
             /usr/lib/libvirt/connection-driver/libvirt_driver_qemu.so; do
        [[ -f $f ]] && { echo "$f"; return 0; }
    done
    return 1
}

tb_preflight() {
    local p
    (( EUID == 0 )) || { err "needs root (namespaces, mounts)"; return 1; }
    tb_need ip nsenter unshare setsid timeout virsh ssh ssh-keygen openssl qemu-system-x86_64 || return 1
    [[ -x /usr/sbin/libvirtd ]] || { err "/usr/sbin/libvirtd not found; $(tb_pkg_hint libvirtd)"; return 1; }
    [[ -x /usr/sbin/virtlogd ]] || { err "/usr/sbin/virtlogd not found; $(tb_pkg_hint virtlogd)"; return 1; }
    [[ -x /usr/sbin/sshd ]] || { err "/usr/sbin/sshd not found; $(tb_pkg_hint sshd)"; return 1; }
    tb_find_qemu_driver >/dev/null || { err "libvirt_driver_qemu.so not found; apt-get install libvirt-daemon-driver-qemu"; return 1; }
    command -v virt-ssh-helper >/dev/null || err "warning: virt-ssh-helper not found: qemu+ssh/qemu+libssh need it (or nc -U) on the hosts"
    for p in /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log /etc/hosts /etc/passwd /etc/shadow /etc/group /etc/ssh/ssh_config /sys/fs/cgroup; do
        # bind mounts need existing mount points; creating them would write to the machine
        [[ -e $p ]] || { err "$p does not exist on this machine (needed as a mount point)"; return 1; }
    done
    ip netns list >/dev/null 2>&1 || { err "'ip netns' does not work here"; return 1; }
}

# Files that survive down/up: keys, guest image, capability caches.
tb_make_keys() {
    local s=$TB_DIR/ssh h
    mkdir -p "$s" && chmod 700 "$s" || return 1
    if [[ ! -s $s/id_ed25519 ]]; then
        rm -f "$s/id_ed25519" "$s/id_ed25519.pub"
        ssh-keygen -q -t ed25519 -N '' -C "virtmux-testbed" -f "$s/id_ed25519" || { err "ssh-keygen (client key) failed"; return 1; }
    fi
    cp "$s/id_ed25519.pub" "$s/authorized_keys" && chmod 600 "$s/authorized_keys" || return 1
    : >"$s/known_hosts.tmp"
    for h in $TB_HOSTS; do
        mkdir -p "$(tb_hdir "$h")/sshd" || return 1
        local k
        k=$(tb_hdir "$h")/sshd/ssh_host_ed25519_key
        if [[ ! -s $k ]]; then
            rm -f "$k" "$k.pub"
            ssh-keygen -q -t ed25519 -N '' -C "host$h" -f "$k" || { err "ssh-keygen (host key $h) failed"; return 1; }
        fi
        local pub
        pub=$(cut -d' ' -f1,2 "$k.pub")
        printf '%s %s\n%s %s\n' "$(tb_hostname "$h")" "$pub" "$(tb_addr "$h")" "$pub" >>"$s/known_hosts.tmp"
    done
    mv -f "$s/known_hosts.tmp" "$s/known_hosts"
    # For OpenSSH (qemu+ssh, plain ssh): bound over /etc/ssh/ssh_config in
    # the client's and the hosts' mount namespaces.
    cat >"$s/ssh_config" <<EOF
# virtmux testbed (generated by tests/testbed/testbed.sh)
Host hostA hostB $(tb_addr A) $(tb_addr B)
    UserKnownHostsFile $s/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    IdentityFile $s/id_ed25519
    IdentitiesOnly yes
Include /etc/ssh/ssh_config.d/*.conf
Host *
    SendEnv LANG LC_*
    HashKnownHosts no
EOF
}

tb_make_guest() {
    local g=$TB_DIR/guest xml run log
    xml=$("$TB_REPO/demo/mkguest.sh" "$g" "$TB_GUEST") || { err "demo/mkguest.sh failed"; return 1; }
    # The serial console also goes to a log (through virtlogd), per host:
    # DIR/hosts/X/log/qemu/NAME.serial.log on whichever host runs it.
    log=/var/log/libvirt/qemu/$TB_GUEST.serial.log
    run=$g/$TB_GUEST.testbed.xml
    sed "s|^\( *\)<serial type='pty'>\$|&\n\1  <log file='$log' append='on'/>|" "$xml" >"$run.tmp" &&
        mv -f "$run.tmp" "$run" || return 1
    grep -q "<log file='$log'" "$run" || { err "could not add a serial <log> to $run"; return 1; }
    chmod 644 "$run"
}

tb_host_files() {   # A|B
    local h=$1 d hn addr uuid hash
    d=$(tb_hdir "$h"); hn=$(tb_hostname "$h"); addr=$(tb_addr "$h")
    # Every up starts clean: no domain definitions, state or logs of an
    # earlier run (the capability cache and the host keys stay).
    [[ $d == "$TB_DIR"/hosts/[AB] ]] || return 1
    rm -rf "${d:?}/etc" "${d:?}/run" "${d:?}/lib" "${d:?}/log" "${d:?}/pid" "${d:?}/root"
    mkdir -p "$d"/{etc,run,lib,cache,log/qemu,pid,sshd,root,home,drivers} || return 1
    chmod 700 "$d/root"; chmod 755 "$d/run"   # tbuser reaches libvirt-sock (group tbuser)
    rm -f "$d"/pid/*.pid "$d"/run/*sock* "$d/holder.pid" "$d/holder.ready" "$d/mntns" "$d/netns"
    ln -sfn "$(tb_find_qemu_driver)" "$d/drivers/libvirt_driver_qemu.so"
    [[ $h == A ]] && uuid=7e57bed0-0a0a-4a0a-8a0a-00000000000a || uuid=7e57bed0-0b0b-4b0b-8b0b-00000000000b
    cat >"$d/etc/libvirtd.conf" <<EOF
# $hn of the virtmux testbed (generated by tests/testbed/testbed.sh)
listen_tls = 0
listen_tcp = 0
unix_sock_group = "$TB_USER"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0770"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
host_uuid = "$uuid"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
    cat >"$d/etc/qemu.conf" <<EOF
# $hn of the virtmux testbed (generated by tests/testbed/testbed.sh)
security_driver = "none"
user = "root"
group = "root"
remember_owner = 0
cgroup_controllers = [ ]
namespaces = [ ]
vnc_listen = "127.0.0.1"
migration_host = "$addr"
migration_address = "$addr"
EOF
    cat >"$d/etc/virtlogd.conf" <<EOF
log_outputs = "3:file:/var/log/libvirt/virtlogd.log"
EOF
    # clients inside the namespace (virsh, virt-ssh-helper): talk to libvirtd
    cat >"$d/etc/libvirt.conf" <<EOF
remote_mode = "legacy"
uri_default = "qemu:///system"
EOF
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n%s\t%s\n' "$addr" "$hn" >"$d/hosts"
    printf '%s\thostA\n%s\thostB\n%s\tclient\n' "$(tb_addr A)" "$(tb_addr B)" "$(tb_addr client)" |
        grep -v "	$hn\$" >>"$d/hosts"
    # Users: root (home in the state dir, never locked: sshd without PAM
    # refuses locked accounts even for keys) and tbuser (password login).
    hash=$(openssl passwd -6 -salt virtmuxtestbed "$TB_PASSWORD") || { err "openssl passwd failed"; return 1; }
    awk -F: -v OFS=: -v home="$d/root" '$1 == "root" {$6 = home} $1 != "'$TB_USER'"' /etc/passwd >"$d/passwd" &&
        echo "$TB_USER:x:$TB_UID:$TB_UID:virtmux testbed:$d/home:/bin/sh" >>"$d/passwd" || return 1
    awk -F: -v OFS=: '$1 == "root" {$2 = "*"} $1 != "'$TB_USER'"' /etc/shadow >"$d/shadow" &&
        echo "$TB_USER:$hash:19000:0:99999:7:::" >>"$d/shadow" || return 1
    awk -F: '$1 != "'$TB_USER'"' /etc/group >"$d/group" &&
        echo "$TB_USER:x:$TB_UID:" >>"$d/group" || return 1
    chmod 644 "$d/passwd" "$d/group" "$d/hosts"; chmod 600 "$d/shadow"
    chown "$TB_UID:$TB_UID" "$d/home"; chmod 755 "$d/home"
    cat >"$d/sshd/sshd_config" <<EOF
# $hn of the virtmux testbed (generated by tests/testbed/testbed.sh)
ListenAddress $addr:22
HostKey $d/sshd/ssh_host_ed25519_key
PidFile $d/pid/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $TB_DIR/ssh/authorized_keys
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitEmptyPasswords no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
X11Forwarding no
MaxStartups 100:30:200
MaxSessions 64
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
LogLevel INFO
EOF
}

tb_net_up() {
    local c h ns br=tbbr0
    c=$(tb_netns client)
    mkdir -p "$TB_DIR/client" || return 1
    # Remember whether /run/netns existed: `ip netns add` makes it a mount
    # point on the machine; `down` removes it again only if we made it.
    if [[ ! -e $TB_DIR/client/run-netns-preexisting && ! -e $TB_DIR/client/run-netns-ours ]]; then
        if [[ -d /run/netns ]]; then : >"$TB_DIR/client/run-netns-preexisting"; else : >"$TB_DIR/client/run-netns-ours"; fi
    fi
    for h in client $TB_HOSTS; do
        ns=$(tb_netns "$h")
        if [[ -e /run/netns/$ns ]]; then err "network namespace $ns already exists"; return 1; fi
    done
    ip netns add "$c" || { err "ip netns add $c failed"; return 1; }
    echo "$c $(tb_netns_ino "$c")" >>"$TB_DIR/client/netns.owned"
    ip -n "$c" link set lo up &&
        ip -n "$c" link add "$br" type bridge &&
        ip -n "$c" addr add "$(tb_addr client)/24" dev "$br" &&
        ip -n "$c" link set "$br" up || { err "bridge in $c failed"; return 1; }
    for h in $TB_HOSTS; do
        ns=$(tb_netns "$h")
        ip netns add "$ns" || { err "ip netns add $ns failed"; return 1; }
        echo "$ns $(tb_netns_ino "$ns")" >>"$TB_DIR/client/netns.owned"
        # the veth pair is created inside the client namespace: nothing on the machine
        ip -n "$c" link add "veth$h" type veth peer name eth0 netns "$ns" &&
            ip -n "$c" link set "veth$h" master "$br" &&
            ip -n "$c" link set "veth$h" up &&
            ip -n "$ns" link set lo up &&
            ip -n "$ns" addr add "$(tb_addr "$h")/24" dev eth0 &&
            ip -n "$ns" link set eth0 up || { err "network of $ns failed"; return 1; }
    done
}

# The holder: a `sleep` that keeps a private mount (+UTS) namespace alive and
# holds the bind mounts; daemons are started into it with nsenter.
TB_HOST_NS_SCRIPT='
set -e
d=$1 h=$2 hn=$3 tb=$4
m() { mount -n "$@"; }
m -t tmpfs -o mode=0755,size=16m,nosuid,nodev tb-run /run
mkdir -p /run/libvirt /run/lock /run/sshd
chmod 1777 /run/lock
m --bind "$d/run" /run/libvirt
m --bind "$d/lib" /var/lib/libvirt
m --bind "$d/cache" /var/cache/libvirt
m -t tmpfs -o mode=0755,size=16m,nosuid,nodev tb-log /var/log
mkdir -p /var/log/libvirt
m --bind "$d/log" /var/log/libvirt
m --bind "$d/etc" /etc/libvirt
m --bind "$d/hosts" /etc/hosts
m --bind "$d/passwd" /etc/passwd
m --bind "$d/shadow" /etc/shadow
m --bind "$d/group" /etc/group
m --bind "$tb/ssh/ssh_config" /etc/ssh/ssh_config
m -t tmpfs -o ro,mode=0555,size=4k tb-nocgroup /sys/fs/cgroup
hostname "$hn"
: >"$d/holder.ready"
exec -a "virtmux-testbed-holder $tb $h" sleep infinity
'
TB_CLIENT_NS_SCRIPT='
set -e
c=$1 tb=$2
mount -n --bind "$c/hosts" /etc/hosts
mount -n --bind "$tb/ssh/ssh_config" /etc/ssh/ssh_config
: >"$c/holder.ready"
exec -a "virtmux-testbed-holder $tb client" sleep infinity
'

tb_start_holder() {   # A|B|client
    local who=$1 d p
    if [[ $who == client ]]; then
        d=$TB_DIR/client
        printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n%s\tclient\n%s\thostA\n%s\thostB\n' \
            "$(tb_addr client)" "$(tb_addr A)" "$(tb_addr B)" >"$d/hosts"
        rm -f "$d/holder.ready" "$d/holder.pid"
        setsid nsenter --net="/run/netns/$(tb_netns client)" -- \
            unshare --mount --propagation private -- \
            bash -c "$TB_CLIENT_NS_SCRIPT" tb-client "$d" "$TB_DIR" \
            </dev/null >"$d/holder.out" 2>&1 &
    else
        d=$(tb_hdir "$who")
        setsid nsenter --net="/run/netns/$(tb_netns "$who")" -- \
            unshare --mount --uts --propagation private -- \
            bash -c "$TB_HOST_NS_SCRIPT" tb-host "$d" "$who" "$(tb_hostname "$who")" "$TB_DIR" \
            </dev/null >"$d/holder.out" 2>&1 &
    fi
    p=$!
    echo "$p" >"$d/holder.pid"
    tb_wait 10 "the $who namespace" test -e "$d/holder.ready" || { cat "$d/holder.out" >&2; return 1; }
    tb_wait 5 "the $who holder" tb_holder_pid "$who" || { cat "$d/holder.out" >&2; return 1; }
    readlink "/proc/$p/ns/mnt" >"$d/mntns" && readlink "/proc/$p/ns/net" >"$d/netns" || return 1
    if [[ $(cat "$d/mntns") == "$(readlink /proc/self/ns/mnt)" ]]; then
        err "the $who holder is in the machine's mount namespace"; return 1
    fi
}

# The daemons run under a small reaper (a child subreaper that waits for any
# child): libvirt double-forks QEMU, and orphans would otherwise go to the
# machine's init, which here may reap them a second or more late.  libvirt
# (like `kill -0`) counts a zombie as running, so every QEMU stop - destroy,
# the end of each migration - waited for init.  The reaper exits when it has
# no children left.
TB_REAPER='
use POSIX ();
my %nr = (x86_64 => 157, aarch64 => 167, riscv64 => 167, i686 => 172);
my $nr = $nr{(POSIX::uname())[4]};
defined $nr && syscall($nr, 36, 1, 0, 0, 0) == 0
    or warn "testbed reaper: no PR_SET_CHILD_SUBREAPER; zombies go to init\n";
my $main = fork;
defined $main or die "testbed reaper: fork: $!\n";
if ($main == 0) { exec { $ARGV[0] } @ARGV; die "testbed reaper: exec $ARGV[0]: $!\n"; }
my $rc = 0;
while (1) {
    my $p = waitpid(-1, 0);
    if ($p == -1) { last unless $!{EINTR}; next; }
    $rc = $? >> 8 if $p == $main;
}
exit $rc;
'

# tb_daemon HOST NAME CMD...: start CMD in HOST's namespaces, clean env.
tb_daemon() {
    local h=$1 name=$2 d hp
    shift 2
    d=$(tb_hdir "$h")
    hp=$(tb_holder_pid "$h") || { err "no holder for $h"; return 1; }
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$d/root" LANG=C USER=root LOGNAME=root \
        LIBVIRT_DRIVER_DIR="$d/drivers" \
        setsid nsenter --target "$hp" --net --mount --uts -- perl -e "$TB_REAPER" -- "$@" \
        </dev/null >"$d/$name.out" 2>&1 &
    echo "$!" >"$d/pid/$name.launch"
}

tb_libvirtd_answers() { tb_virsh "$(tb_local_uri "$1")" uri; }
tb_sshd_listens() {
    local h=$1
    $(tb_nsenter client) timeout 3 bash -c "exec 3<>/dev/tcp/$(tb_addr "$h")/22; head -c 4 <&3" 2>/dev/null | grep -q SSH
}

tb_up() {
    local h t0 d p
    t0=$EPOCHREALTIME
    tb_preflight || return 1
    # A previous up (maybe with other names) in this DIR: its recorded names
    local want="$TB_PREFIX $TB_SUBNET $TB_GUEST $TB_PASSWORD"
    tb_load_conf
    if tb_anything_alive; then
        err "a testbed is already (partly) up in $TB_DIR; run: $0 down"
        TB_UP_REFUSED=1
        return 1
    fi
    # stale state of a crashed run (processes in recorded namespaces)
    if compgen -G "$TB_DIR/hosts/*/[mn][ne][tt]ns" >/dev/null || compgen -G "$TB_DIR/client/[mn][ne][tt]ns" >/dev/null; then
        tb_down_quiet
    fi
    read -r TB_PREFIX TB_SUBNET TB_GUEST TB_PASSWORD <<<"$want"
    for h in client $TB_HOSTS; do
        if [[ -e /run/netns/$(tb_netns "$h") ]]; then
            err "network namespace $(tb_netns "$h") exists and is not this testbed's (another TESTBED_DIR? set TESTBED_NETNS_PREFIX)"
            TB_UP_REFUSED=1
            return 1
        fi
    done
    mkdir -p "$TB_DIR" && chmod 755 "$TB_DIR" || { err "cannot create $TB_DIR"; return 1; }
    printf 'prefix=%s\nsubnet=%s\nguest=%s\npassword=%s\n' "$TB_PREFIX" "$TB_SUBNET" "$TB_GUEST" "$TB_PASSWORD" >"$TB_DIR/testbed.conf"
    tb_make_keys || return 1
    tb_make_guest || return 1
    for h in $TB_HOSTS; do tb_host_files "$h" || return 1; done
    tb_net_up || return 1
    tb_start_holder client || return 1
    for h in $TB_HOSTS; do
        d=$(tb_hdir "$h")
        tb_start_holder "$h" || return 1
        tb_daemon "$h" virtlogd /usr/sbin/virtlogd -p "$d/pid/virtlogd.pid" -f /etc/libvirt/virtlogd.conf
        tb_daemon "$h" sshd /usr/sbin/sshd -D -f "$d/sshd/sshd_config" -E "$d/sshd.log"
    done
    for h in $TB_HOSTS; do
        d=$(tb_hdir "$h")
        # libvirtd as root does not spawn virtlogd: wait for its socket first
        tb_wait 10 "virtlogd of host$h" test -S "$d/run/virtlogd-sock" || { tb_tail "$d/virtlogd.out"; return 1; }
        tb_daemon "$h" libvirtd /usr/sbin/libvirtd -p "$d/pid/libvirtd.pid" -f /etc/libvirt/libvirtd.conf
    done
    for h in $TB_HOSTS; do
        d=$(tb_hdir "$h")
        tb_wait 20 "libvirtd of host$h" tb_libvirtd_answers "$h" ||
            { tb_tail "$d/libvirtd.out"; tb_tail "$d/log/libvirtd.log"; return 1; }
        tb_wait 10 "sshd of host$h on $(tb_addr "$h"):22" tb_sshd_listens "$h" ||
            { tb_tail "$d/sshd.out"; tb_tail "$d/sshd.log"; return 1; }
        for p in virtlogd libvirtd sshd; do
            tb_daemon_pid "$h" "$p" >/dev/null || { err "$p of host$h is not running"; tb_tail "$d/$p.out"; return 1; }
        done
    done
    # Warm QEMU's capability cache on both hosts (a cold cache costs seconds
    # at the first start or incoming migration); kept in DIR across down/up.
    local pids=()
    for h in $TB_HOSTS; do
        TB_VIRSH_TIMEOUT=120 tb_virsh "$(tb_local_uri "$h")" domcapabilities --virttype qemu \
            --emulatorbin /usr/bin/qemu-system-x86_64 --arch x86_64 --machine pc >/dev/null &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || { err "domcapabilities failed (QEMU capability probe)"; return 1; }; done
    TB_VIRSH_TIMEOUT=60 tb_virsh "$(tb_local_uri A)" define "$TB_DIR/guest/$TB_GUEST.testbed.xml" >/dev/null ||
        { err "virsh define $TB_GUEST on hostA failed"; return 1; }
    # End to end: both hosts over SSH from the client namespace.
    for h in $TB_HOSTS; do
        $(tb_nsenter client) timeout -k 3 30 virsh -q -c "$(tb_uri_libssh "$h")" uri </dev/null >/dev/null 2>"$TB_DIR/client/check.err" ||
            { err "host$h not reachable over qemu+libssh from the client namespace:"; cat "$TB_DIR/client/check.err" >&2; return 1; }
    done
    note "up in $(tb_since "$t0") s; eval \"\$($0 env)\" for the variables"
}

tb_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

tb_tail() { [[ -r $1 ]] && { echo "  --- $1 ---"; tail -n 15 "$1" | sed 's/^/  | /'; } >&2; return 0; }

tb_daemon_pid() {   # HOST NAME: live PID of daemon NAME of HOST
    local d
    d=$(tb_hdir "$1")
    tb_pid "$d/pid/$2.pid" "$d/" && return 0
    tb_pid "$d/pid/$2.launch" "$d/"
}

# ----------------------------------------------------------------- down ---

tb_anything_alive() {
    local h
    for h in client $TB_HOSTS; do tb_holder_pid "$h" >/dev/null && return 0; done
    for h in $TB_HOSTS; do
        for p in virtlogd libvirtd sshd; do tb_daemon_pid "$h" "$p" >/dev/null && return 0; done
    done
    for h in client $TB_HOSTS; do tb_netns_owned "$(tb_netns "$h")" && return 0; done
    return 1
}

tb_down_quiet() { tb_down >/dev/null 2>&1; }

tb_down() {
    local h d p pids ns left="" rc=0 dom f
    # 1. domains: destroy (QEMU would otherwise outlive libvirtd)
    for h in $TB_HOSTS; do
        d=$(tb_hdir "$h")
        if tb_daemon_pid "$h" libvirtd >/dev/null && [[ -S $d/run/libvirt-sock ]]; then
            for dom in $(TB_VIRSH_TIMEOUT=10 tb_virsh "$(tb_local_uri "$h")" list --name 2>/dev/null); do
                TB_VIRSH_TIMEOUT=15 tb_virsh "$(tb_local_uri "$h")" destroy "$dom" >/dev/null 2>&1 ||
                    err "virsh destroy $dom on host$h failed (killed below)"
            done
        fi
    done
    # 2. daemons, by their pid files (checked against their command lines)
    pids=""
    for h in $TB_HOSTS; do
        for p in sshd libvirtd virtlogd; do
            pids+=" $(tb_daemon_pid "$h" "$p")"
        done
    done
    # shellcheck disable=SC2086
    tb_stop 10 $pids || rc=1
    # 3. anything else in our namespaces (QEMU, ssh sessions, holders, test
    #    programs run in the client namespace): they are ours by construction
    local ids=""
    for h in $TB_HOSTS client; do
        if [[ $h == client ]]; then d=$TB_DIR/client; else d=$(tb_hdir "$h"); fi
        for f in mntns netns; do
            ns=$(cat "$d/$f" 2>/dev/null) && ids+=" $ns"
        done
        if tb_netns_owned "$(tb_netns "$h")"; then
            ids+=" net:[$(tb_netns_ino "$(tb_netns "$h")")]"
        fi
    done
    # shellcheck disable=SC2086
    pids=$(tb_ns_pids $ids)
    # shellcheck disable=SC2086
    [[ -z $pids ]] || tb_stop 5 $pids || rc=1
    # shellcheck disable=SC2086
    left=$(tb_ns_pids $ids)
    if [[ -n $left ]]; then
        err "still alive in the testbed's namespaces:"
        for p in $left; do err "  $p $(tb_cmdline "$p")"; done
        rc=1
    fi
    for h in $TB_HOSTS client; do
        if [[ $h == client ]]; then d=$TB_DIR/client; else d=$(tb_hdir "$h"); fi
        [[ -n $left ]] || rm -f "$d/mntns" "$d/netns" "$d/holder.pid" "$d/holder.ready"
        rm -f "$d"/pid/*.pid "$d"/pid/*.launch 2>/dev/null
    done
    # 4. network namespaces (their veths and the bridge go with them)
    for h in $TB_HOSTS client; do
        ns=$(tb_netns "$h")
        if tb_netns_owned "$ns"; then
            ip netns del "$ns" || { err "ip netns del $ns failed"; rc=1; }
        elif [[ -e /run/netns/$ns ]]; then
            note "network namespace $ns is not this testbed's ($TB_DIR); left alone"
        fi
    done
    (( rc )) || rm -f "$TB_DIR/client/netns.owned"
    # 5. /run/netns: `ip netns add` made it a mount point; undo that if we
    #    created it and nobody else has a namespace there (umount fails if busy)
    if [[ -e $TB_DIR/client/run-netns-ours && -d /run/netns ]]; then
        if [[ -z $(ls -A /run/netns 2>/dev/null) ]]; then
            if mountpoint -q /run/netns; then umount /run/netns 2>/dev/null; fi
            mountpoint -q /run/netns || rmdir /run/netns 2>/dev/null
        fi
    fi
    rm -f "$TB_DIR/client/run-netns-ours" "$TB_DIR/client/run-netns-preexisting"
    if mount | grep -qF "$TB_DIR"; then err "mounts under $TB_DIR remain on the machine:"; mount | grep -F "$TB_DIR" >&2; rc=1; fi
    return $rc
}

# --------------------------------------------------------- status / env ---

tb_status() {
    local h p pid rc=0 dom
    for h in client $TB_HOSTS; do
        if pid=$(tb_holder_pid "$h"); then
            echo "$h: netns $(tb_netns "$h") ($(tb_addr "$h")), namespace holder pid $pid"
        else
            echo "$h: DOWN (no namespace holder)"; rc=1
        fi
    done
    for h in $TB_HOSTS; do
        for p in virtlogd libvirtd sshd; do
            if pid=$(tb_daemon_pid "$h" "$p"); then echo "host$h: $p pid $pid"; else echo "host$h: $p NOT RUNNING"; rc=1; fi
        done
    done
    (( rc == 0 )) || return $rc
    for h in $TB_HOSTS; do
        if dom=$($(tb_nsenter client) timeout -k 3 30 virsh -q -c "$(tb_uri_libssh "$h")" list --all </dev/null 2>&1); then
            echo "host$h: reachable over qemu+libssh from the client namespace; domains:"
            echo "${dom:-  (none)}" | sed 's/^/    /'
        else
            echo "host$h: NOT reachable over qemu+libssh: $dom"; rc=1
        fi
    done
    return $rc
}

tb_env() {
    local h cp
    cp=$(tb_holder_pid client) || { err "not up"; return 1; }
    q() { printf 'export %s=%q\n' "$1" "$2"; }
    q TESTBED_DIR "$TB_DIR"
    q TESTBED_NETNS_CLIENT "$(tb_netns client)"
    q TESTBED_ADDR_CLIENT "$(tb_addr client)"
    # prefix: $TESTBED_CLIENT virsh -c "$TESTBED_URI_A" list
    q TESTBED_CLIENT "nsenter --net=/run/netns/$(tb_netns client) --mount=/proc/$cp/ns/mnt --wd=. --"
    for h in $TB_HOSTS; do
        q "TESTBED_NETNS_$h" "$(tb_netns "$h")"
        q "TESTBED_HOST_$h" "$(tb_hostname "$h")"
        q "TESTBED_ADDR_$h" "$(tb_addr "$h")"
        q "TESTBED_URI_$h" "$(tb_uri_libssh "$h")"
        q "TESTBED_SSHURI_$h" "$(tb_uri_ssh "$h")"
        q "TESTBED_PWURI_$h" "$(tb_uri_libssh "$h" "$TB_USER" password)"
        q "TESTBED_LOCALURI_$h" "$(tb_local_uri "$h")"
        q "TESTBED_EXEC_$h" "nsenter --target $(tb_holder_pid "$h") --net --mount --uts --wd=. --"
        q "TESTBED_SERIAL_LOG_$h" "$(tb_hdir "$h")/log/qemu/$TB_GUEST.serial.log"
    done
    q TESTBED_SSH_KEY "$TB_DIR/ssh/id_ed25519"
    q TESTBED_KNOWN_HOSTS "$TB_DIR/ssh/known_hosts"
    q TESTBED_SSH_CONFIG "$TB_DIR/ssh/ssh_config"
    q TESTBED_USER "$TB_USER"
    q TESTBED_PASSWORD "$TB_PASSWORD"
    q TESTBED_GUEST "$TB_GUEST"
    q TESTBED_GUEST_XML "$TB_DIR/guest/$TB_GUEST.testbed.xml"
}

# tb_guest_up [A|B] [SECS]: start the guest there (defining it if needed)
# and wait until its serial log says "virtmux demo guest ready".
tb_guest_up() {
    local h=${1:-A} secs=${2:-120} uri log i st t0=$EPOCHREALTIME
    case $h in A|B) ;; *) err "guest-up: A or B"; return 2 ;; esac
    [[ $secs =~ ^[0-9]+$ ]] || { err "guest-up: SECS must be a number"; return 2; }
    tb_holder_pid "$h" >/dev/null || { err "host$h is not up"; return 1; }
    uri=$(tb_local_uri "$h")
    log=$(tb_hdir "$h")/log/qemu/$TB_GUEST.serial.log
    st=$(tb_virsh "$uri" domstate "$TB_GUEST" 2>/dev/null)
    if [[ $st == running* ]]; then note "$TB_GUEST already runs on host$h"; return 0; fi
    local o
    o=$([[ $h == A ]] && echo B || echo A)
    if [[ $(tb_virsh "$(tb_local_uri "$o")" domstate "$TB_GUEST" 2>/dev/null) == running* ]]; then
        # same UUID on two hosts = the same domain for virtmux: never both
        err "$TB_GUEST runs on host$o; migrate it instead"; return 1
    fi
    if [[ -z $st ]]; then
        TB_VIRSH_TIMEOUT=60 tb_virsh "$uri" define "$TB_DIR/guest/$TB_GUEST.testbed.xml" >/dev/null ||
            { err "define $TB_GUEST on host$h failed"; return 1; }
    fi
    rm -f "$log"
    TB_VIRSH_TIMEOUT=60 tb_virsh "$uri" start "$TB_GUEST" >/dev/null || { err "start $TB_GUEST on host$h failed"; return 1; }
    for ((i = 0; i < secs * 5; i++)); do
        if grep -qF "virtmux demo guest ready" "$log" 2>/dev/null; then
            note "$TB_GUEST ready on host$h in $(tb_since "$t0") s"
            return 0
        fi
        sleep 0.2
    done
    err "$TB_GUEST not ready on host$h within ${secs}s"
    tail -c 1000 "$log" 2>/dev/null | tr -d '\r' | tail -n 8 | sed 's/^/  | /' >&2
    return 1
}

# tb_children PID: the PIDs whose parent is PID (from /proc, never by name).
tb_children() {
    local st
    for st in /proc/[0-9]*/stat; do
        { read -r st <"$st"; } 2>/dev/null || continue
        # pid (comm) state ppid ...: comm may hold spaces or parentheses
        local rest=${st##*) } pid=${st%% *}
        rest=${rest#* }
        [[ ${rest%% *} == "$1" ]] && echo "$pid"
    done
    return 0
}

# tb_restart A|B sshd|libvirtd: stop the daemon if it runs (sshd: also the
# sessions it forked; libvirtd: running QEMUs stay up), start it again into
# the host's namespaces, wait until it answers.
tb_restart() {
    local h=${1:-} name=${2:-} d p kids=""
    case $h in A|B) ;; *) err "restart-$name: A or B"; return 2 ;; esac
    tb_holder_pid "$h" >/dev/null || { err "host$h is not up"; return 1; }
    d=$(tb_hdir "$h")
    # the daemon itself by its own pid file (the .launch reaper of libvirtd
    # lives on while QEMU, its child, runs)
    if p=$(tb_pid "$d/pid/$name.pid" "$d/"); then
        [[ $name == sshd ]] && kids=$(tb_children "$p")
        # shellcheck disable=SC2086
        tb_stop 10 "$p" $kids || { err "$name of host$h did not stop"; return 1; }
    fi
    case $name in
        sshd)
            tb_daemon "$h" sshd /usr/sbin/sshd -D -f "$d/sshd/sshd_config" -E "$d/sshd.log"
            tb_wait 10 "sshd of host$h on $(tb_addr "$h"):22" tb_sshd_listens "$h" ||
                { tb_tail "$d/sshd.out"; tb_tail "$d/sshd.log"; return 1; } ;;
        libvirtd)
            tb_daemon "$h" libvirtd /usr/sbin/libvirtd -p "$d/pid/libvirtd.pid" -f /etc/libvirt/libvirtd.conf
            tb_wait 20 "libvirtd of host$h" tb_libvirtd_answers "$h" ||
                { tb_tail "$d/libvirtd.out"; tb_tail "$d/log/libvirtd.log"; return 1; } ;;
    esac
    tb_wait 5 "the pid file of $name (host$h)" tb_pid "$d/pid/$name.pid" "$d/" || return 1
    note "$name of host$h restarted (pid $(tb_readpid "$d/pid/$name.pid"))"
}

tb_exec() {
    local who=${1:-} pre
    case $who in A|B|client) ;; *) err "exec: A, B or client"; return 2 ;; esac
    shift
    (( $# )) || { err "exec $who: command missing"; return 2; }
    pre=$(tb_nsenter "$who") || return 1
    # shellcheck disable=SC2086
    exec $pre "$@"
}

# ----------------------------------------------------------------- main ---

tb_usage() {
    sed -n '2,/^$/p' "$TB_SELF" | sed -n '/^#   testbed.sh/,/^# See/p' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    cmd=${1:-}
    (( $# )) && shift
    tb_check_dir || exit 2
    case $cmd in
        up)     TB_UP_REFUSED=0
                if ! tb_up; then
                    (( TB_UP_REFUSED )) && exit 1
                    err "up failed; cleaning up"; tb_down || err "cleanup incomplete"; exit 1
                fi ;;
        down)   tb_load_conf; tb_down; exit ;;
        purge)  tb_load_conf; tb_down && rm -rf "$TB_DIR"; exit ;;
        status) tb_load_conf; tb_status; exit ;;
        env)    tb_load_conf; tb_env; exit ;;
        exec)   tb_load_conf; tb_exec "$@"; exit ;;
        guest-up) tb_load_conf; tb_guest_up "$@"; exit ;;
        restart-sshd) tb_load_conf; tb_restart "${1:-}" sshd; exit ;;
        restart-libvirtd) tb_load_conf; tb_restart "${1:-}" libvirtd; exit ;;
        *)      tb_usage ;;
    esac
fi
