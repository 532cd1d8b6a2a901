#!/usr/bin/env bash
# tests/lib/selftest-libvirtd.sh — prove tests/lib/libvirtd.sh end to end:
#   1. a failing up (bogus daemon binary) cleans up after itself;
#   2. up; `virsh list --all` from OUTSIDE the namespace;
#   3. guest demo1 (TCG), wait until its serial log says it is ready;
#   4. `virsh -c URI console demo1` in a private tmux server: type
#      `echo hi-$((6*7))`, see hi-42, leave with ^];
#   5. down (twice: idempotent), then check that none of the recorded PIDs
#      (libvirtd, QEMU, tmux, virsh) is alive, no process is left in the
#      daemon's mount namespace, findmnt shows none of its mounts, nothing was
#      written to the host's /run/libvirt, /var/lib/libvirt, /var/cache/libvirt,
#      /var/log/libvirt, /etc/libvirt, and no cgroup directory appeared.
# Prints timings and "selftest-libvirtd: PASS".  Exit 77 = skipped (not root,
# no qemu/tmux/kernel/busybox), 1 = failure.  SELFTEST_KEEP=1 keeps the dir.
set -u
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/libvirtd.sh
. "$ROOT/tests/lib/libvirtd.sh"

skip() { echo "selftest-libvirtd: SKIP: $*"; exit 77; }
(( EUID == 0 )) || skip "needs root"
for c in virsh tmux qemu-system-x86_64 unshare findmnt timeout; do
    command -v "$c" >/dev/null || skip "$c not installed"
done
[[ -x /usr/sbin/libvirtd ]] || skip "libvirtd not installed"
ls /boot/vmlinuz-* >/dev/null 2>&1 || skip "no /boot/vmlinuz-*"
[[ -x /bin/busybox ]] || skip "busybox-static not installed"

D=$(mktemp -d /tmp/vmxd.XXXX)
F=$(mktemp -d /tmp/vmxf.XXXX)       # for the failing-up check
TSOCK=$D/tmux.sock
URI=$(libvirtd_uri "$D")
PIDS=()            # every PID this test started or that libvirtd started for it
NS=""
FAILED=0

now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
fail() {
    echo "selftest-libvirtd: FAIL: $*"
    if [[ -S $TSOCK ]]; then
        echo "---- console pane ----"
        tmux -S "$TSOCK" capture-pane -p 2>/dev/null | sed 's/^/| /'
    fi
    echo "---- $D/libvirtd.log (tail) ----"
    tail -n 15 "$D/libvirtd.log" 2>/dev/null | sed 's/^/| /'
    FAILED=1
    exit 1
}

TMUX_PID=""
stop_tmux() {
    [[ -S $TSOCK ]] && timeout 5 tmux -S "$TSOCK" kill-server 2>/dev/null
    if [[ -n $TMUX_PID ]]; then
        local i
        for ((i = 0; i < 30; i++)); do kill -0 "$TMUX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$TMUX_PID" 2>/dev/null && kill -KILL "$TMUX_PID" 2>/dev/null
    fi
    rm -f "$TSOCK"
}
cleanup() {
    stop_tmux
    libvirtd_down "$F" 2>/dev/null
    libvirtd_down "$D"
    rm -rf "$F"
    if [[ ${SELFTEST_KEEP:-0} == 1 || $FAILED == 1 ]]; then
        echo "selftest-libvirtd: kept $D"
    else
        rm -rf "$D"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

host_dirs=(/run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt /run/dbus /run/systemd)
cg_list() { find /sys/fs/cgroup -maxdepth 4 -type d 2>/dev/null | sort; }
touch "$D/stamp"
sleep 1   # mtime granularity: anything touched after the stamp is newer
CG_BEFORE=$(cg_list)

# --- 1. a failing up cleans up --------------------------------------------------
t=$(now_ms)
if LIBVIRTD=/bin/false libvirtd_up "$F" 2>"$F.err"; then
    fail "libvirtd_up with LIBVIRTD=/bin/false succeeded"
fi
libvirtd_down "$F" || fail "libvirtd_down after a failed up"
[[ -z $(libvirtd_pid "$F" 2>/dev/null) ]] || fail "daemon left after failed up"
echo "failed up + down:  $(secs $(($(now_ms) - t)))  ($(grep -c . "$F.err") lines of diagnostics)"
rm -f "$F.err"

# --- 2. up ---------------------------------------------------------------------
t=$(now_ms)
libvirtd_up "$D" || fail "libvirtd_up"
T_UP=$(($(now_ms) - t))
DPID=$(libvirtd_pid "$D") || fail "no daemon pid"
PIDS+=("$DPID")
NS=$(cat "$D/mntns")
[[ $NS != "$(readlink /proc/self/ns/mnt)" ]] || fail "daemon shares our mount namespace"
out=$(timeout 15 virsh -c "$URI" list --all 2>&1) || fail "virsh list from outside: $out"
echo "$out" | grep -q "Name" || fail "virsh list output: $out"
findmnt -rn -o TARGET,SOURCE | grep -qE "vmxd|$D" && fail "namespace mounts visible on the host"

# --- 3. guest ------------------------------------------------------------------
t=$(now_ms)
libvirtd_guest "$D" demo1 || fail "libvirtd_guest demo1"
T_GUEST=$(($(now_ms) - t))
QPID=$(cat "$D/state/run/qemu/demo1.pid" 2>/dev/null) || fail "no QEMU pid file"
PIDS+=("$QPID")
[[ $(readlink "/proc/$QPID/ns/mnt") == "$NS" ]] || fail "QEMU is not in the daemon's namespace"
# cgroup_controllers = [ ]: QEMU stays in libvirtd's cgroups (no machine/qemu-N-demo1)
cmp -s "/proc/$QPID/cgroup" "/proc/$DPID/cgroup" ||
    fail "QEMU was moved to its own cgroup: $(tr '\n' ' ' <"/proc/$QPID/cgroup")"
t=$(now_ms)
libvirtd_wait_ready "$D" demo1 120 || fail "demo1 not ready"
T_BOOT=$(($(now_ms) - t))

# --- 4. virsh console, driven through tmux ----------------------------------------
pane() { tmux -S "$TSOCK" capture-pane -p -S -100 2>/dev/null; }
# wait_pane REGEX SECS [KEYS...]: until the pane matches; re-sends KEYS every 2 s
wait_pane() {
    local re=$1 secs=$2 i
    shift 2
    for ((i = 0; i < secs * 10; i++)); do
        pane | grep -qE -- "$re" && return 0
        if (( $# && i % 20 == 19 )); then tmux -S "$TSOCK" send-keys "$@"; fi
        sleep 0.1
    done
    return 1
}
tmux -S "$TSOCK" -f /dev/null new-session -d -x 100 -y 30 \
    "exec env TERM=vt100 virsh -c '$URI' console demo1" || fail "tmux new-session"
TMUX_PID=$(tmux -S "$TSOCK" display-message -p '#{pid}') || fail "tmux pid"
VPID=$(tmux -S "$TSOCK" display-message -p '#{pane_pid}') || fail "virsh pid"
PIDS+=("$TMUX_PID" "$VPID")
wait_pane "Escape character is" 15 || fail "virsh console did not connect"
t=$(now_ms)
tmux -S "$TSOCK" send-keys Enter
wait_pane "^demo1:.*# *$" 20 Enter || fail "no shell prompt on the serial console"
tmux -S "$TSOCK" send-keys -l 'echo hi-$((6*7))'
tmux -S "$TSOCK" send-keys Enter
wait_pane "^hi-42" 20 || fail "hi-42 did not come back"
T_CONSOLE=$(($(now_ms) - t))
# A second console on the same domain is refused while virsh holds it: the
# situation virtmux has to report.  (virsh console needs a tty: second window.
# Plain `timeout` would put virsh in a background process group, where its
# tcsetattr() stops it with SIGTTOU: use --foreground.)
tmux -S "$TSOCK" new-window -d -n second \
    "env TERM=vt100 timeout --foreground 10 virsh -c '$URI' console demo1; echo SECOND-EXIT=\$?; sleep 30" ||
    fail "tmux new-window"
PIDS+=("$(tmux -S "$TSOCK" display-message -p -t second '#{pane_pid}')")
second=""
for ((i = 0; i < 100; i++)); do
    second=$(tmux -S "$TSOCK" capture-pane -p -t second 2>/dev/null)
    grep -q "SECOND-EXIT=" <<<"$second" && break
    sleep 0.1
done
grep -q "SECOND-EXIT=1" <<<"$second" || fail "second virsh console was not refused: $second"
echo "second console:    $(grep -m1 -i error <<<"$second" | cut -c1-110)"
tmux -S "$TSOCK" kill-window -t second
tmux -S "$TSOCK" send-keys 'C-]'
for ((i = 0; i < 50; i++)); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$VPID" 2>/dev/null && fail "virsh console did not exit on ^]"
stop_tmux

# --- 5. down ---------------------------------------------------------------------
t=$(now_ms)
libvirtd_down "$D" || fail "libvirtd_down"
T_DOWN=$(($(now_ms) - t))
libvirtd_down "$D" || fail "second libvirtd_down"

for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && fail "pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) still alive"
done
left=$(_vmxd_ns_pids "$NS")
[[ -z $left ]] || fail "process(es) $left still in namespace $NS"
m=$(findmnt -rn -o TARGET,SOURCE | grep -E "vmxd|$D")
[[ -z $m ]] || fail "mounts left: $m"
w=$(find "${host_dirs[@]}" -newer "$D/stamp" 2>/dev/null)
[[ -z $w ]] || fail "written on the host: $w"
# (qemu-embed-* directories belong to qemu:///embed runs, e.g. the e2e tests,
# which may run at the same time)
cg=$(diff <(echo "$CG_BEFORE") <(cg_list) | grep '^>' | grep -v '/qemu-embed-')
[[ -z $cg ]] || fail "new cgroup directories: $cg"

echo "uri:               $URI"
echo "up:                $(secs "$T_UP")   (daemon pid $DPID, $NS)"
echo "guest define+start $(secs "$T_GUEST")   (incl. demo/mkguest.sh and the QEMU capability probe)"
echo "boot to ready:     $(secs "$T_BOOT")   (after virsh start returned; TCG)"
echo "console roundtrip: $(secs "$T_CONSOLE")   (Enter -> prompt, echo hi-\$((6*7)) -> hi-42)"
echo "down:              $(secs "$T_DOWN")   (destroy demo1, TERM libvirtd)"
echo "checked gone: pids ${PIDS[*]}; namespace $NS; no mounts; host dirs untouched; no new cgroups"
echo "selftest-libvirtd: PASS"
