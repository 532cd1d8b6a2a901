#!/usr/bin/env bash
# tests/rig/lxc.sh — a rig of N real libvirt LXC domains (rig-001 .. rig-N),
# each with a real <console type='pty'/>, under a PRIVATE libvirtd that runs
# the LXC driver in its own mount and cgroup namespace.  For the 240-console
# benchmark and tests (issue 14); see tests/rig/README.md for the numbers.
#
#     tests/rig/lxc.sh up DIR N [MODE[,MODE...]]   daemon + N domains; returns
#                                       once every init has printed its banner
#     tests/rig/lxc.sh uri DIR          the URI for clients (outside the namespace)
#     tests/rig/lxc.sh env DIR          export LIBVIRT_DEFAULT_URI='...'  (for eval)
#     tests/rig/lxc.sh say DIR NAME TEXT    NAME prints TEXT on its console
#     tests/rig/lxc.sh panic DIR NAME [REASON]  NAME prints a kernel-panic block
#     tests/rig/lxc.sh status DIR       daemon, domains, cgroup totals
#     tests/rig/lxc.sh measure DIR [SECS]   RSS/PSS/CPU of the whole rig
#     tests/rig/lxc.sh hold DIR [-t SECS] [-e TEXT] [-a] [-s LINE] [NAME...]
#                                       hold every (or each NAME's) console
#                                       open at once (tests/rig/conhold.c)
#     tests/rig/lxc.sh down DIR         stop everything it started; idempotent
#
# MODE (one for all, or a comma list cycled over rig-001, rig-002, ...):
#     idle    banner, then a root shell on the console, prompt "# " (respawned
#             when it exits), so typing works
#     tick    banner, then "rig-NNN tick K" every second, forever (no fork per
#             line: the loop is shell builtins)
#     panic   banner, a few boot lines, then a kernel-panic block, then quiet;
#             the time the panic line was written (EPOCHREALTIME, host
#             clock) is in /proc/INIT/root/dev/.rig-panic-at
#     quiet   banner, then nothing
# Every container's init is /init of DIR/rootfs, with the mode as its argument.
#
# Source it for the functions (rig_up, rig_down, rig_uri, rig_say, rig_panic,
# rig_status, rig_measure, rig_hold, rig_names, rig_init_pid) or run it (root).
#
# How it is built:
#   * DIR/rootfs: one read-only root file system for all containers:
#     busybox-static, its applets as symlinks, /init.  Each container gets
#     libvirt's own /dev (tmpfs, with /dev/console = its pty), /proc, /sys,
#     its own PID, UTS, IPC and network (loopback only) namespaces.
#   * The daemon: like tests/lib/libvirtd.sh (tmpfs over /run; bind mounts of
#     DIR/state/* and DIR/etc over /run/libvirt, /var/lib/libvirt,
#     /var/cache/libvirt, /var/log/libvirt, /etc/libvirt; LIBVIRT_DRIVER_DIR
#     with only libvirt_driver_lxc.so; clean environment; setsid), plus:
#   * cgroups.  The LXC driver needs the cpuacct, devices and memory
#     controllers.  On this hybrid host (v1 controllers, and a cgroup2 mount
#     at /sys/fs/cgroup/unified that carries the hugetlb controller) libvirt
#     9.0 uses both backends, and in the container the v2 backend tries to
#     create /sys/fs/cgroup/unified inside the container's sysfs before the
#     v1 tmpfs is there: "Unable to create directory /sys/fs/cgroup/unified".
#     So the rig gets its own cgroup, vmxrig-<cksum of DIR>, below the
#     caller's own cgroup in each of the v1 hierarchies cpu, cpuacct, memory,
#     devices, freezer, pids (recorded in DIR/cgroups); the daemon is moved
#     into it and started with `unshare --cgroup --mount`; inside, the host's
#     /sys/fs/cgroup is detached and replaced by a tmpfs with fresh v1 mounts
#     of those six controllers only (rooted at the rig's cgroup by the cgroup
#     namespace), and no cgroup2.  libvirt then sees a plain v1 host, puts its
#     machine/rig-NNN.libvirt-lxc groups under the rig's cgroup, and nothing
#     is created elsewhere on the host.  The rig's cgroup also measures it:
#     everything in it is the rig (libvirtd, libvirt_lxc, containers).
#   * Teardown (down): virsh destroy every running domain, TERM the daemon
#     (recorded PID, checked against its command line), then TERM/KILL any
#     process still in the rig's cgroups (all started by the rig, by
#     construction), wait for the mount namespace to go, rmdir the cgroups.
#   * say/panic write to /proc/INIT/root/dev/console, i.e. the container's
#     own console pty, exactly as a process inside it would; INIT is the
#     container init PID from libvirt's status XML, checked to be a child of
#     that domain's libvirt_lxc.
#
# Clients outside the namespace connect with
#     lxc+unix:///system?socket=DIR/run/libvirt-sock
#
# Environment knobs: LIBVIRTD (/usr/sbin/libvirtd), RIG_LXC_DRIVER (path of
# libvirt_driver_lxc.so, found automatically), RIG_BUSYBOX (/bin/busybox, must
# be static), RIG_IDLE_TIMEOUT (1800 s, libvirtd -t; 0 = none), RIG_START_JOBS
# (parallel `virsh start` processes, 4), RIG_LOG_LEVEL (3), RIG_MEM_MIB
# (memory limit per container, 32), VIRSH (virsh).
#
# Needs root.  The functions do not change the caller's shell options; they
# return non-zero and print "lxc.sh: ..." on error.

# ---------------------------------------------------------------- helpers ---

_rig_err() { echo "lxc.sh: $*" >&2; }

# _rig_note: progress on stderr (RIG_QUIET=1 silences it).
_rig_note() { [[ ${RIG_QUIET:-0} == 1 ]] || echo "lxc.sh: $*" >&2; }

# _rig_since T0: seconds since EPOCHREALTIME T0, to 0.1 s.
_rig_since() {
    local now=${EPOCHREALTIME/./} t=${1/./}
    local ds=$(( (now - t) / 100000 ))
    echo "$((ds / 10)).$((ds % 10))"
}

# _rig_here: the absolute directory of this file (tests/rig).
_rig_here() { (cd "$(dirname "${BASH_SOURCE[0]}")" && pwd); }

# The cgroup v1 controllers the rig mounts for libvirt (cpuacct, devices and
# memory are required by the LXC driver; the rest are cheap and useful).
_RIG_CTRLS="cpu cpuacct memory devices freezer pids"

# _rig_dir DIR: validate DIR, print it absolute without a trailing slash
# (the same rules as the private libvirtd's directories).
. "$(dirname "${BASH_SOURCE[0]}")/../lib/libvirtd.sh"
_rig_dir() { _vmxd_dir "${1:-}" _rig_err /tmp/rig.XXXX; }

# _rig_virsh URI ARGS...: virsh, bounded (RIG_VIRSH_TIMEOUT, 30 s).
_rig_virsh() {
    timeout -k 3 "${_RIG_VIRSH_TIMEOUT:-30}" "${VIRSH:-virsh}" -q -c "$1" "${@:2}"
}

# _rig_int VALUE MIN MAX: VALUE is a whole number in [MIN, MAX].
_rig_int() { [[ $1 =~ ^[0-9]{1,9}$ ]] && (( 10#$1 >= $2 && 10#$1 <= $3 )); }

_rig_cmdline() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true; }

_rig_readpid() {
    local pid
    pid=$({ cat "$1"; } 2>/dev/null) || return 1
    pid=${pid//[$' \t\n']/}
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    echo "$pid"
}

# _rig_is_daemon PID DIR: PID is the libvirtd (or its launcher) of DIR.
_rig_is_daemon() {
    local c
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    c=$(_rig_cmdline "$1")
    [[ -n $c && $c == *" $2/etc/libvirtd.conf "* ]]
}

# _rig_daemon_pids DIR: live daemon PIDs recorded for DIR.
_rig_daemon_pids() {
    local d=$1 f pid seen=" "
    for f in "$d/libvirtd.pid" "$d/launch.pid"; do
        pid=$(_rig_readpid "$f") || continue
        [[ $seen == *" $pid "* ]] && continue
        seen+="$pid "
        _rig_is_daemon "$pid" "$d" && echo "$pid"
    done
    return 0
}

# _rig_stop_pids SECS PID...: TERM, wait up to SECS, then KILL (<= 3 s more).
# Only pass PIDs already checked to be ours.
_rig_stop_pids() {
    local secs=$1 pid i alive
    shift
    (( $# )) || return 0
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for ((i = 0; i < secs * 10; i++)); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && { alive=1; break; }; done
        (( alive )) || return 0
        sleep 0.1
    done
    for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
    for ((i = 0; i < 30; i++)); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && { alive=1; break; }; done
        (( alive )) || return 0
        sleep 0.1
    done
    return 1
}

# _rig_ns_pids NS: PIDs whose mount namespace is NS ("mnt:[4026532...]").
_rig_ns_pids() {
    local pat=$1 p
    pat=${pat//[/\\[}; pat=${pat//]/\\]}
    find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/mnt' -lname "$pat" \
        2>/dev/null | while IFS= read -r p; do p=${p#/proc/}; echo "${p%%/*}"; done
    return 0
}

# _rig_cg_pids DIR: every PID in the rig's cgroups (all of the rig's processes).
_rig_cg_pids() {
    local d=$1 top
    top=$(grep '^/sys/fs/cgroup/pids/' "$d/cgroups" 2>/dev/null | head -n 1)
    [[ -n $top && -d $top ]] || return 0
    find "$top" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un
    return 0
}

# _rig_cg_path CTRL: the caller's own cgroup directory in v1 hierarchy CTRL.
_rig_cg_path() {
    local c=$1 line pl
    while IFS= read -r line; do
        # N:ctrl[,ctrl...]:/path
        local ctrls=${line#*:}
        pl=${ctrls#*:}
        ctrls=${ctrls%%:*}
        if [[ ,$ctrls, == *",$c,"* ]]; then
            # the mount point of that hierarchy in this namespace
            local mp
            mp=$(awk -v c="$c" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }' /proc/self/mounts)
            [[ -n $mp ]] || return 1
            pl=${pl%/}
            printf '%s%s\n' "$mp" "$pl"
            return 0
        fi
    done </proc/self/cgroup
    return 1
}

_rig_find_driver() {
    local f
    if [[ -n ${RIG_LXC_DRIVER:-} ]]; then echo "$RIG_LXC_DRIVER"; return 0; fi
    for f in /usr/lib/*/libvirt/connection-driver/libvirt_driver_lxc.so \
             /usr/lib64/libvirt/connection-driver/libvirt_driver_lxc.so \
             /usr/lib/libvirt/connection-driver/libvirt_driver_lxc.so; do
        [[ -f $f ]] && { echo "$f"; return 0; }
    done
    return 1
}

_rig_find_controller() {
    local f
    for f in /usr/lib/libvirt/libvirt_lxc /usr/libexec/libvirt_lxc /usr/lib64/libvirt/libvirt_lxc; do
        [[ -x $f ]] && { echo "$f"; return 0; }
    done
    return 1
}

# rig_missing: why the rig cannot run here ("" and 0 when it can).  Used by
# the selftest to skip (exit 77) with a reason.
rig_missing() {
    local bb=${RIG_BUSYBOX:-/bin/busybox} c
    if (( EUID != 0 )); then echo "needs root (unshare, mounts, cgroups)"; return 1; fi
    [[ -x ${LIBVIRTD:-/usr/sbin/libvirtd} ]] || { echo "no libvirtd (apt-get install libvirt-daemon)"; return 1; }
    _rig_find_driver >/dev/null || { echo "no libvirt LXC driver (apt-get install libvirt-daemon-driver-lxc)"; return 1; }
    _rig_find_controller >/dev/null || { echo "no libvirt_lxc (apt-get install libvirt-daemon-driver-lxc)"; return 1; }
    command -v "${VIRSH:-virsh}" >/dev/null || { echo "no virsh (apt-get install libvirt-clients)"; return 1; }
    command -v unshare >/dev/null || { echo "no unshare (util-linux)"; return 1; }
    [[ -x $bb ]] || { echo "no $bb (apt-get install busybox-static)"; return 1; }
    if LC_ALL=C ldd "$bb" 2>&1 | grep -q '=>'; then
        echo "$bb is dynamically linked (apt-get install busybox-static)"; return 1
    fi
    for c in cpuacct devices memory; do
        _rig_cg_path "$c" >/dev/null ||
            { echo "cgroup v1 controller '$c' is not mounted (a pure cgroup v2 host is not supported by this rig)"; return 1; }
    done
    for c in /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt /sys/fs/cgroup; do
        [[ -d $c ]] || { echo "$c does not exist on this host (is libvirt-daemon installed?)"; return 1; }
    done
    return 0
}

# _rig_name I: rig-001 .. rig-999
_rig_name() { printf 'rig-%03d\n' "$1"; }

_rig_write_rootfs() {
    local d=$1 bb=${RIG_BUSYBOX:-/bin/busybox} r=$1/rootfs
    rm -rf "$r"
    mkdir -p "$r/bin" "$r/dev" "$r/proc" "$r/sys" "$r/tmp" "$r/etc" "$r/root" || return 1
    cp "$bb" "$r/bin/busybox" || return 1
    "$r/bin/busybox" --install -s "$r/bin" || return 1
    # --install -s makes absolute links to the host path of the copy; make
    # them relative so they resolve inside the container.
    local f
    for f in "$r"/bin/*; do
        [[ -L $f ]] && ln -sfn busybox "$f"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
    echo 'root:x:0:' >"$r/etc/group"
    # An interactive ash ignores SIGTERM; the rig's shells end on it, so
    # that libvirt's destroy does not have to wait for its SIGKILL.
    echo "trap 'exit 0' TERM" >"$r/etc/rig-shrc"
    cat >"$r/init" <<'EOF'
#!/bin/sh
# /init of a virtmux rig container (tests/rig/lxc.sh); $1 = mode.
# stdin/stdout/stderr are the container's console (/dev/console, a pty).
export PATH=/bin HOME=/root PS1='# ' TERM=${TERM:-linux}
name=$(hostname)
mode=${1:-idle}
# The banner; /dev/.rig-up (on the container's private /dev tmpfs) tells
# lxc.sh that the banner has been written to the console.
echo "virtmux rig $name ($mode): libvirt LXC, busybox init, console /dev/console"
: >/dev/.rig-up
# A FIFO nobody writes: "read -t 1" on it is a 1 s sleep without a fork.
mkfifo /dev/.rig-sleep && exec 3<>/dev/.rig-sleep
pause() { read -r -t "$1" -u 3 _ ; }
# As PID 1 of its namespace, init gets only the signals it handles: without
# this, libvirt's destroy waits 1.6 s for SIGTERM to do something, then
# sends SIGKILL.  When init exits, the kernel kills the rest.
trap 'exit 0' TERM HUP INT
case $mode in
tick)
    i=0
    while :; do
        i=$((i + 1))
        echo "$name tick $i"
        pause 1
    done ;;
panic)
    echo "[    0.000000] Linux version 6.1.0-rig (virtmux rig) #1 SMP"
    echo "[    0.412000] VFS: Cannot open root device \"vda1\" or unknown-block(0,0): error -6"
    echo "[    0.412100] Please append a correct \"root=\" boot option"
    # when the panic line left (host clock), for latency measurements
    echo "$EPOCHREALTIME" >/dev/.rig-panic-at
    echo "[    0.412200] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"
    echo "[    0.412300] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) ]---"
    while :; do pause 3600; done ;;
quiet)
    while :; do pause 3600; done ;;
*)
    # A login-less root shell on the console with it as controlling tty
    # (job control, ^C); a new one when it exits.
    # In the foreground (a background job would ignore ^C); init's TERM
    # trap runs when it ends, and /etc/rig-shrc ($ENV) makes the shell
    # itself end on TERM.
    export ENV=/etc/rig-shrc
    while :; do
        setsid -c /bin/sh
        pause 1
    done ;;
esac
EOF
    chmod 755 "$r" "$r/init" "$r/bin" "$r/tmp"
    chmod 1777 "$r/tmp"
}

# _rig_uuid DIR NAME: a UUID that depends only on DIR and NAME, so that a
# domain can be redefined (with another mode) and tests can know it.
_rig_uuid() {
    local h
    h=$(printf 'virtmux-rig %s %s' "$1" "$2" | md5sum)
    h=${h%% *}
    printf '%s-%s-4%s-8%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" "${h:17:3}" "${h:20:12}"
}

# _rig_domain_xml DIR NAME MODE MEM_MIB
_rig_domain_xml() {
    cat <<EOF
<domain type='lxc'>
  <name>$2</name>
  <uuid>$(_rig_uuid "$1" "$2")</uuid>
  <memory unit='MiB'>$4</memory>
  <vcpu>1</vcpu>
  <os>
    <type>exe</type>
    <init>/init</init>
    <initarg>$3</initarg>
  </os>
  <features><privnet/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(_rig_find_controller)</emulator>
    <filesystem type='mount' accessmode='passthrough'>
      <source dir='$1/rootfs'/>
      <target dir='/'/>
      <readonly/>
    </filesystem>
    <console type='pty'>
      <target type='lxc' port='0'/>
    </console>
  </devices>
</domain>
EOF
}

# ------------------------------------------------------------------- API ---

# rig_uri DIR — the URI clients outside the namespace use.
rig_uri() {
    local d
    d=$(_rig_dir "${1:-}") || return
    printf 'lxc+unix:///system?socket=%s/run/libvirt-sock\n' "$d"
}

rig_env() {
    local u
    u=$(rig_uri "$1") || return
    printf "export LIBVIRT_DEFAULT_URI='%s'\n" "$u"
}

# rig_names DIR — the rig's domain names (from DIR/names, written by up).
rig_names() {
    local d
    d=$(_rig_dir "${1:-}") || return
    cat "$d/names" 2>/dev/null
}

# rig_init_pid DIR NAME — the PID (host view) of NAME's container init: the
# one child of NAME's libvirt_lxc controller (DIR/state/run/lxc/NAME.pid,
# checked against its command line).  Not libvirt's <init pid=.../> in the
# status XML: with many domains starting at once it sometimes stays 0.
rig_init_pid() {
    local d name=${2:-}
    d=$(_rig_dir "${1:-}") || return
    [[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || { _rig_err "bad domain name '$name'"; return 2; }
    _rig_init_pid "$d" "$name" && return 0
    _rig_err "$name: no container init (not running, or still starting)"
    return 1
}

# _rig_init_pid DIR NAME: rig_init_pid without messages, and few forks (the
# bring-up polls it for every domain).
_rig_init_pid() {
    local ctl f c=() kids=() args=()
    # (libvirt writes the pid file without a newline: read fails at EOF)
    read -r ctl 2>/dev/null <"$1/state/run/lxc/$2.pid" || [[ -n ${ctl:-} ]] || return 1
    [[ $ctl =~ ^[0-9]+$ ]] || return 1
    mapfile -d '' -t args 2>/dev/null <"/proc/$ctl/cmdline" || return 1
    [[ ${args[0]:-} == */libvirt_lxc && ${args[1]:-} == --name && ${args[2]:-} == "$2" ]] || return 1
    # the controller's children, over all its threads
    for f in /proc/"$ctl"/task/*/children; do
        c=()
        read -r -a c 2>/dev/null <"$f"   # "PID PID " without a newline
        kids+=("${c[@]}")
    done
    (( ${#kids[@]} == 1 )) || return 1
    echo "${kids[0]}"
}

# rig_up DIR N [MODES] — start the private daemon, define and start rig-001
# .. rig-N (MODES: one mode or a comma list cycled over the domains), and
# wait until every container has written its banner to its console
# (bounded: 60 s + N/2 s).  Domains already running are left alone, with
# their mode (so a second up with a larger N adds domains); the others are
# (re)defined with this call's modes.  On failure: prints why, leaves
# the rig up for inspection (rig_down cleans up) and returns 1.
rig_up() {
    local d n=${2:-} modes=${3:-idle} why uri i name mode mem=${RIG_MEM_MIB:-32}
    local -a ml
    d=$(_rig_dir "${1:-}") || return
    _rig_int "$n" 1 999 || { _rig_err "N must be 1..999"; return 2; }
    [[ $modes =~ ^[a-z]+(,[a-z]+)*$ ]] || { _rig_err "bad MODE list '$modes'"; return 2; }
    IFS=, read -r -a ml <<<"$modes"
    for mode in "${ml[@]}"; do
        case $mode in idle|tick|panic|quiet) ;; *) _rig_err "unknown mode '$mode' (idle tick panic quiet)"; return 2 ;; esac
    done
    _rig_int "$mem" 8 65536 || { _rig_err "RIG_MEM_MIB must be a number >= 8"; return 2; }
    why=$(rig_missing) || { _rig_err "$why"; return 1; }
    local t0=$EPOCHREALTIME
    if [[ -z $(_rig_daemon_pids "$d") ]]; then
        _rig_daemon_up "$d" || return 1
        _rig_note "private libvirtd up after $(_rig_since "$t0") s"
    fi
    uri=$(rig_uri "$d")

    # (Re)define the domains that are not running, so that they get this
    # call's mode (one virsh for all of them).
    local running cmds=() names=()
    running=" $(_rig_virsh "$uri" list --name 2>/dev/null | tr '\n' ' ') "
    mkdir -p "$d/xml"
    for ((i = 1; i <= n; i++)); do
        name=$(_rig_name "$i")
        names+=("$name")
        [[ $running == *" $name "* ]] && continue
        mode=${ml[(i - 1) % ${#ml[@]}]}
        _rig_domain_xml "$d" "$name" "$mode" "$mem" >"$d/xml/$name.xml" || return 1
        cmds+=("define $d/xml/$name.xml")
    done
    if (( ${#cmds[@]} )); then
        # (a virsh batch goes on after a failed command: look at its output)
        if ! printf '%s\n' "${cmds[@]}" | _RIG_VIRSH_TIMEOUT=$((30 + n)) _rig_virsh "$uri" \
                >"$d/define.out" 2>&1 || grep -q '^error' "$d/define.out"; then
            _rig_err "virsh define failed:"
            grep '^error' "$d/define.out" | head -n 10 | sed 's/^/  | /' >&2
            return 1
        fi
        rm -f "$d/define.out"
    fi
    # DIR/names: every domain the rig has defined (down and status use it).
    { cat "$d/names" 2>/dev/null; printf '%s\n' "${names[@]}"; } | sort -u >"$d/names.tmp" &&
        mv -f "$d/names.tmp" "$d/names"

    # Start the ones not running, RIG_START_JOBS virsh processes in parallel.
    local todo=() jobs=${RIG_START_JOBS:-4}
    _rig_int "$jobs" 1 64 || jobs=4
    for name in "${names[@]}"; do
        [[ $running == *" $name "* ]] || todo+=("$name")
    done
    if (( ${#todo[@]} )); then
        printf 'start %s\n' "${todo[@]}" | _rig_split "$jobs" "$d/start" || return 1
        local f rc=0 vp=()
        for f in "$d"/start.*.in; do
            _RIG_VIRSH_TIMEOUT=$((60 + 2 * n)) _rig_virsh "$uri" <"$f" >"${f%.in}.out" 2>&1 &
            vp+=("$!")
        done
        # only these: the caller (or this shell) may have other children
        for f in "${vp[@]}"; do wait "$f" || rc=1; done
        for f in "$d"/start.*.out; do
            if grep -q '^error' "$f"; then rc=1; sed 's/^/  | /' "$f" >&2; fi
        done
        rm -f "$d"/start.*.in "$d"/start.*.out
        (( rc == 0 )) || { _rig_err "some domains did not start (libvirtd.log, state/log/lxc/NAME.log)"; return 1; }
        _rig_note "${#todo[@]} domain(s) started after $(_rig_since "$t0") s"
    fi

    # Wait for the banners.
    local secs=$((60 + n / 2)) left pid end
    end=$(( ${EPOCHREALTIME/./} + secs * 1000000 ))
    for ((i = 0; i < secs * 5 && ${EPOCHREALTIME/./} < end; i++)); do
        left=()
        for name in "${names[@]}"; do
            pid=$(_rig_init_pid "$d" "$name") && [[ -e /proc/$pid/root/dev/.rig-up ]] || left+=("$name")
        done
        if (( ${#left[@]} == 0 )); then
            _rig_note "$n domains up, every banner printed, after $(_rig_since "$t0") s"
            return 0
        fi
        names=("${left[@]}")
        sleep 0.2
    done
    _rig_err "no banner within ${secs}s from: ${left[*]}"
    _rig_why_no_banner "$d" "$uri" "${left[@]:0:3}"
    return 1
}

# _rig_why_no_banner DIR URI NAME...: what each of these containers was doing
# (a failure the rig tears down afterwards must say it here).
_rig_why_no_banner() {
    local d=$1 uri=$2 name ctl init f c
    shift 2
    for name in "$@"; do
        ctl=$({ cat "$d/state/run/lxc/$name.pid"; } 2>/dev/null)
        echo "  $name: state $(_rig_virsh "$uri" domstate "$name" 2>&1 | head -1)," \
            "controller ${ctl:-none}: $(_rig_cmdline "${ctl:-0}" | cut -c1-80)" >&2
        for f in /proc/"${ctl:-0}"/task/*/children; do
            c=$({ cat "$f"; } 2>/dev/null)   # /proc files have no size
            [[ -n $c ]] && echo "    children of ${f%/children}: $c" >&2
        done
        if init=$(_rig_init_pid "$d" "$name"); then
            echo "    init $init: $(_rig_cmdline "$init" | cut -c1-60); wchan $(cat "/proc/$init/wchan" 2>/dev/null);" \
                "state $(awk '/^State:/ { print $2 }' "/proc/$init/status" 2>/dev/null)" >&2
        fi
        tail -n 5 "$d/state/log/lxc/$name.log" 2>/dev/null | sed 's/^/    | /' >&2
    done
}

# _rig_split JOBS PREFIX: stdin lines round-robin into PREFIX.K.in, K < JOBS.
_rig_split() {
    local jobs=$1 pre=$2 k=0 line
    rm -f "$pre".*.in
    while IFS= read -r line; do
        printf '%s\n' "$line" >>"$pre.$k.in"
        k=$(( (k + 1) % jobs ))
    done
}

_rig_daemon_up() {
    local d=$1 libvirtd=${LIBVIRTD:-/usr/sbin/libvirtd} drv id c cg idle uri pid i
    drv=$(_rig_find_driver) || return 1
    idle=${RIG_IDLE_TIMEOUT:-1800}
    [[ $idle =~ ^[0-9]+$ ]] || { _rig_err "RIG_IDLE_TIMEOUT must be a number of seconds"; return 1; }
    local targs=()
    (( idle > 0 )) && targs=(-t "$idle")

    mkdir -p "$d/run" "$d/etc/lxc" "$d/state/run" "$d/state/lib" "$d/state/cache" \
        "$d/state/log" "$d/drivers" "$d/home" || return 1
    chmod 755 "$d"
    chmod 700 "$d/run"
    rm -f "$d/libvirtd.pid" "$d/launch.pid" "$d/mntns" "$d/run/"libvirt-*sock*
    ln -sfn "$drv" "$d/drivers/libvirt_driver_lxc.so"
    [[ -x $d/rootfs/init ]] || _rig_write_rootfs "$d" || { _rig_err "could not build $d/rootfs"; return 1; }

    # Limits: 240 `virsh console` clients connecting at once, each with a
    # stream, plus the rig's own virsh calls.
    cat >"$d/etc/libvirtd.conf" <<EOF
# private libvirtd for the virtmux LXC rig (tests/rig/lxc.sh; generated)
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$d/run"
unix_sock_group = "root"
unix_sock_ro_perms = "0700"
unix_sock_rw_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
max_clients = 5000
max_queued_clients = 1000
max_anonymous_clients = 1000
max_workers = 20
max_client_requests = 10
log_outputs = "${RIG_LOG_LEVEL:-3}:file:$d/libvirtd.log"
EOF
    cat >"$d/etc/lxc.conf" <<'EOF'
# private libvirtd for the virtmux LXC rig (tests/rig/lxc.sh; generated)
security_driver = "none"
EOF
    : >"$d/libvirtd.log"

    # The rig's cgroups, below the caller's own in each hierarchy.
    id=vmxrig-$(printf '%s' "$d" | cksum | cut -d' ' -f1)
    : >"$d/cgroups"
    for c in $_RIG_CTRLS; do
        cg=$(_rig_cg_path "$c") || { _rig_err "cgroup v1 '$c' not mounted"; return 1; }
        cg=$cg/$id
        mkdir -p "$cg" || { _rig_err "cannot create cgroup $cg"; return 1; }
        echo "$cg" >>"$d/cgroups"
    done

    # Chain of execs (subshell, env, setsid, rig-ns.sh, unshare, rig-ns.sh, libvirtd):
    # $! is the daemon's PID unless setsid had to fork; the pid file decides
    # anyway.  rig-ns.sh joins the rig's cgroups before it unshares, so the
    # new cgroup namespace is rooted there.
    # Open files: libvirtd holds a socket per client, a pty per open console
    # and a monitor socket per container (about 1000 for 240 consoles with a
    # client each): the soft limit goes up to the hard one.
    local here
    here=$(_rig_here)
    (
        ulimit -S -n "$(ulimit -H -n)" 2>/dev/null
        exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$d/home" LANG=C \
            LIBVIRT_DRIVER_DIR="$d/drivers" \
            XDG_CONFIG_HOME="$d/home/.config" XDG_CACHE_HOME="$d/home/.cache" \
            XDG_RUNTIME_DIR="$d/home/.run" \
            setsid "$here/rig-ns.sh" \
            "$d/cgroups" "$d" "$_RIG_CTRLS" "$libvirtd" "${targs[@]}" \
            --config "$d/etc/libvirtd.conf" --pid-file "$d/libvirtd.pid" \
            </dev/null >"$d/libvirtd.out" 2>&1
    ) &
    echo "$!" >"$d/launch.pid"

    uri=$(rig_uri "$d")
    for ((i = 0; i < 200; i++)); do
        pid=$(_rig_daemon_pids "$d" | head -n 1)
        if [[ -z $pid ]]; then
            if kill -0 "$(cat "$d/launch.pid")" 2>/dev/null; then sleep 0.1; continue; fi
            _rig_err "private libvirtd exited during startup"
            break
        fi
        if [[ -S $d/run/libvirt-sock ]] &&
            _RIG_VIRSH_TIMEOUT=5 _rig_virsh "$uri" list --all >/dev/null 2>&1; then
            pid=$(cat "$d/libvirtd.pid" 2>/dev/null || true)
            if ! _rig_is_daemon "$pid" "$d"; then
                _rig_err "libvirtd answers but its pid file ($d/libvirtd.pid: '$pid') is not it"
                break
            fi
            readlink "/proc/$pid/ns/mnt" >"$d/mntns" 2>/dev/null || true
            if [[ $(cat "$d/mntns") == "$(readlink /proc/self/ns/mnt)" ]]; then
                _rig_err "libvirtd (pid $pid) is in the host's mount namespace"
                break
            fi
            return 0
        fi
        sleep 0.1
    done
    (( i < 200 )) || _rig_err "private libvirtd did not answer on $d/run/libvirt-sock within 20 s"
    {
        echo "  --- $d/libvirtd.out ---"
        tail -n 20 "$d/libvirtd.out" 2>/dev/null | sed 's/^/  | /'
        echo "  --- $d/libvirtd.log ---"
        tail -n 20 "$d/libvirtd.log" 2>/dev/null | sed 's/^/  | /'
    } >&2
    rig_down "$d"
    return 1
}

# rig_say DIR NAME TEXT — NAME prints TEXT (and CR LF) on its console: the
# bytes are written to the container's /dev/console pty, as its own
# processes write there.  DIR/events.log gets "EPOCHREALTIME NAME say" just
# before the write (for latency measurements; rig_panic: "... panic").
rig_say() {
    local d name=${2:-} pid
    d=$(_rig_dir "${1:-}") || return
    (( $# >= 3 )) || { _rig_err "usage: say DIR NAME TEXT"; return 2; }
    pid=$(rig_init_pid "$d" "$name") || return 1
    echo "$EPOCHREALTIME $name say" >>"$d/events.log"
    printf '%s\r\n' "$3" | _rig_console_write "$pid" ||
        { _rig_err "cannot write to $name's console (full: nobody has read it for long?)"; return 1; }
}

# _rig_console_write PID: stdin to the console of the container whose init
# is PID, bounded: with no client for a long time (about 34 KiB waiting) a
# console write blocks, as the container's own writes do.
_rig_console_write() {
    timeout -k 1 5 dd of="/proc/$1/root/dev/console" conv=notrunc status=none
}

# rig_panic DIR NAME [REASON] — NAME prints a kernel-panic block.
rig_panic() {
    local d name=${2:-} pid reason=${3:-Attempted to kill init! exitcode=0x0000000b}
    d=$(_rig_dir "${1:-}") || return
    pid=$(rig_init_pid "$d" "$name") || return 1
    echo "$EPOCHREALTIME $name panic" >>"$d/events.log"
    printf '\r\n[   42.000000] Kernel panic - not syncing: %s\r\n[   42.000100] CPU: 0 PID: 1 Comm: init Not tainted 6.1.0-rig #1\r\n[   42.000200] ---[ end Kernel panic - not syncing: %s ]---\r\n' \
        "$reason" "$reason" | _rig_console_write "$pid" ||
        { _rig_err "cannot write to $name's console (full: nobody has read it for long?)"; return 1; }
}

# rig_status DIR — daemon, domain counts, the rig cgroup's totals.
rig_status() {
    local d pid uri cg
    d=$(_rig_dir "${1:-}") || return
    pid=$(_rig_daemon_pids "$d" | head -n 1)
    if [[ -z $pid ]]; then
        echo "no rig libvirtd for $d"
        return 1
    fi
    uri=$(rig_uri "$d")
    echo "libvirtd pid $pid ns $(cat "$d/mntns" 2>/dev/null)"
    echo "uri $uri"
    echo "domains: $(_rig_virsh "$uri" list --all --name 2>/dev/null | grep -c .) defined, $(_rig_virsh "$uri" list --name 2>/dev/null | grep -c .) running"
    echo "processes: $(_rig_cg_pids "$d" | grep -c .)"
    cg=$(grep '/memory/' "$d/cgroups" 2>/dev/null | head -n 1)
    [[ -r $cg/memory.usage_in_bytes ]] && echo "cgroup memory: $(( $(cat "$cg/memory.usage_in_bytes") / 1048576 )) MiB"
    cg=$(grep '/cpuacct/' "$d/cgroups" 2>/dev/null | head -n 1)
    [[ -r $cg/cpuacct.usage ]] && echo "cgroup cpu: $(( $(cat "$cg/cpuacct.usage") / 1000000 )) ms"
    return 0
}

# _rig_cpu_ns PID...: "PID NS" lines, NS = CPU time of all of PID's threads
# (/proc/PID/task/*/schedstat: exact, unlike the tick-sampled utime/stime).
_rig_cpu_ns() {
    local p files=()
    for p in "$@"; do files+=(/proc/"$p"/task/*/schedstat); done
    (( ${#files[@]} )) || return 0
    # grep -H, not awk FILENAME: a thread that has gone meanwhile is skipped
    # (mawk stops at an unreadable file)
    grep -H . "${files[@]}" 2>/dev/null |
        awk -F '[/: ]' '{ t[$3] += $7 } END { for (p in t) printf "%s %.0f\n", p, t[p] }'
    return 0
}

# rig_measure DIR [SECS] — over SECS (default 10) seconds: CPU of the whole
# rig (cgroup cpuacct.usage) and of each kind of process (schedstat), and
# the RSS and PSS of each kind (libvirtd, libvirt_lxc, container processes)
# at the end.  CPU % is of one core; the kinds count only processes that
# lived through the whole window, the total counts everything.
rig_measure() {
    local d secs=${2:-10} cg mcg c0 c1 pid exe kind p t r ss
    d=$(_rig_dir "${1:-}") || return
    _rig_int "$secs" 1 3600 || { _rig_err "SECS must be 1..3600"; return 2; }
    cg=$(grep '/cpuacct/' "$d/cgroups" 2>/dev/null | head -n 1)
    mcg=$(grep '/memory/' "$d/cgroups" 2>/dev/null | head -n 1)
    [[ -r $cg/cpuacct.usage ]] || { _rig_err "no rig cgroup for $d"; return 1; }
    local -a pids
    mapfile -t pids < <(_rig_cg_pids "$d")
    local -A cpu0=() cnt=() rss=() pss=() cpu=() kindof=()
    while read -r p t; do cpu0[$p]=$t; done < <(_rig_cpu_ns "${pids[@]}")
    local -a cpu1
    c0=$(cat "$cg/cpuacct.usage")
    sleep "$secs"
    # both CPU readings first, right at the end of the window
    c1=$(cat "$cg/cpuacct.usage")
    mapfile -t cpu1 < <(_rig_cpu_ns "${pids[@]}")
    for pid in "${pids[@]}"; do
        exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
        case ${exe##*/} in
            libvirtd) kind=libvirtd ;;
            libvirt_lxc) kind=libvirt_lxc ;;
            *) kind=container ;;
        esac
        kindof[$pid]=$kind
        read -r r ss < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { s = $2 } END { print r + 0, s + 0 }' \
            "/proc/$pid/smaps_rollup" 2>/dev/null)
        cnt[$kind]=$(( ${cnt[$kind]:-0} + 1 ))
        rss[$kind]=$(( ${rss[$kind]:-0} + ${r:-0} ))
        pss[$kind]=$(( ${pss[$kind]:-0} + ${ss:-0} ))
    done
    for p in "${cpu1[@]}"; do
        t=${p#* } p=${p%% *}
        kind=${kindof[$p]:-}
        # only processes that lived through the whole window
        [[ -n $kind && -n ${cpu0[$p]:-} ]] || continue
        cpu[$kind]=$(( ${cpu[$kind]:-0} + t - cpu0[$p] ))
    done
    {
        printf '%-12s %6s %10s %10s %8s\n' kind procs "RSS MiB" "PSS MiB" "CPU %"
        for kind in libvirtd libvirt_lxc container; do
            echo "$kind ${cnt[$kind]:-0} ${rss[$kind]:-0} ${pss[$kind]:-0} ${cpu[$kind]:-0}"
        done | awk -v s="$secs" -v c="$((c1 - c0))" '
            { printf "%-12s %6d %10.1f %10.1f %8.2f\n", $1, $2, $3 / 1024, $4 / 1024, $5 / 1e7 / s
              n += $2; r += $3; p += $4 }
            END { printf "%-12s %6d %10.1f %10.1f %8.2f  (CPU: the cgroup'"'"'s cpuacct.usage)\n", "total", n, r / 1024, p / 1024, c / 1e7 / s }'
        [[ -r $mcg/memory.usage_in_bytes ]] &&
            awk -v b="$(cat "$mcg/memory.usage_in_bytes")" \
                'BEGIN { printf "cgroup memory.usage_in_bytes: %.1f MiB (includes page cache and kernel memory)\n", b / 1048576 }'
    }
    return 0
}

# rig_hold DIR [CONHOLD ARGS...] — build tests/rig/conhold.c into DIR (once)
# and run it against the rig: every running console held open at once on
# non-blocking streams (see conhold.c for -t -e -a -s -f).
rig_hold() {
    local d here cflags
    d=$(_rig_dir "${1:-}") || return
    shift
    here=$(_rig_here)
    if [[ ! -x $d/conhold || $here/conhold.c -nt $d/conhold ]]; then
        cflags=$(pkg-config --cflags --libs libvirt) || { _rig_err "pkg-config libvirt failed (apt-get install libvirt-dev)"; return 1; }
        # shellcheck disable=SC2086
        "${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$d/conhold" "$here/conhold.c" $cflags ||
            { _rig_err "cannot build conhold"; return 1; }
    fi
    "$d/conhold" -c "$(rig_uri "$d")" "$@"
}

# rig_down DIR — destroy the domains, stop the daemon, stop anything left in
# the rig's cgroups, wait for the namespace to go, remove the cgroups.
# Idempotent; safe after a failed or no up.  Keeps DIR (logs, rootfs).
# Returns 1 only if something of the rig is still alive or left behind.
rig_down() {
    local d uri pids pid ns i left rc=0 cg n f t0=$EPOCHREALTIME
    d=$(_rig_dir "${1:-}") || return
    [[ -d $d ]] || return 0
    uri=$(rig_uri "$d")
    pids=$(_rig_daemon_pids "$d")
    if [[ -n $pids && -S $d/run/libvirt-sock ]]; then
        local doms
        doms=$(_RIG_VIRSH_TIMEOUT=15 _rig_virsh "$uri" list --name 2>/dev/null | grep .)
        if [[ -n $doms ]]; then
            n=$(grep -c . <<<"$doms")
            # destroy in RIG_START_JOBS parallel virsh batches, bounded
            local jobs=${RIG_START_JOBS:-4}
            _rig_int "$jobs" 1 64 || jobs=4
            while IFS= read -r f; do echo "destroy $f"; done <<<"$doms" |
                _rig_split "$jobs" "$d/destroy"
            local vp=()
            for f in "$d"/destroy.*.in; do
                _RIG_VIRSH_TIMEOUT=$((30 + n)) _rig_virsh "$uri" <"$f" >/dev/null 2>&1 &
                vp+=("$!")
            done
            for f in "${vp[@]}"; do wait "$f"; done
            rm -f "$d"/destroy.*.in
            _rig_note "$n domain(s) destroyed after $(_rig_since "$t0") s"
        fi
    fi
    # shellcheck disable=SC2086
    [[ -z $pids ]] || _rig_stop_pids 10 $pids || rc=1
    # Anything still in the rig's cgroups (a controller or container that
    # survived, after a daemon crash, say) belongs to the rig.
    pids=$(_rig_cg_pids "$d")
    if [[ -n $pids ]]; then
        _rig_err "stopping $(grep -c . <<<"$pids") leftover process(es) in the rig's cgroups"
        # shellcheck disable=SC2086
        _rig_stop_pids 5 $pids || rc=1
    fi
    ns=$(cat "$d/mntns" 2>/dev/null || true)
    if [[ -n $ns ]]; then
        for ((i = 0; i < 50; i++)); do
            left=$(_rig_ns_pids "$ns")
            [[ -z $left ]] && break
            sleep 0.1
        done
        if [[ -n $left ]]; then
            _rig_err "processes still in the rig's mount namespace $ns:"
            for pid in $left; do _rig_err "  $pid $(_rig_cmdline "$pid")"; done
            rc=1
        else
            rm -f "$d/mntns"
        fi
    fi
    # Remove the cgroups, deepest first (a cgroup goes a moment after its
    # last process; retry for up to 5 s).
    if [[ -r $d/cgroups ]]; then
        for ((i = 0; i < 50; i++)); do
            left=""
            while IFS= read -r cg; do
                [[ $cg == /sys/fs/cgroup/*/vmxrig-* && -d $cg ]] || continue
                find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
                [[ -d $cg ]] && left+=" $cg"
            done <"$d/cgroups"
            [[ -z $left ]] && break
            sleep 0.1
        done
        if [[ -n $left ]]; then
            _rig_err "could not remove cgroup(s):$left"
            rc=1
        else
            rm -f "$d/cgroups"
        fi
    fi
    rm -f "$d/launch.pid" "$d/run/"libvirt-*sock*
    [[ -n $(_rig_daemon_pids "$d") ]] && rc=1
    return $rc
}

# ------------------------------------------------------------ standalone ---

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -u
    _rig_usage() {
        echo "usage: $0 up DIR N [MODE[,MODE...]]   (MODE: idle tick panic quiet)" >&2
        echo "       $0 uri DIR | env DIR | status DIR | down DIR | names DIR" >&2
        echo "       $0 say DIR NAME TEXT | panic DIR NAME [REASON] | measure DIR [SECS]" >&2
        echo "       $0 hold DIR [-t SECS] [-e TEXT] [-a] [-s LINE] [-f] [NAME...]" >&2
        exit 2
    }
    (( $# >= 2 )) || _rig_usage
    cmd=$1; shift
    case $cmd in
        up)      (( $# >= 2 && $# <= 3 )) || _rig_usage; rig_up "$@" && rig_uri "$1" ;;
        down)    rig_down "$1" ;;
        uri)     rig_uri "$1" ;;
        env)     rig_env "$1" ;;
        names)   rig_names "$1" ;;
        status)  rig_status "$1" ;;
        say)     (( $# == 3 )) || _rig_usage; rig_say "$@" ;;
        panic)   (( $# >= 2 && $# <= 3 )) || _rig_usage; rig_panic "$@" ;;
        measure) rig_measure "$@" ;;
        hold)    rig_hold "$@" ;;
        *)       _rig_usage ;;
    esac
fi
