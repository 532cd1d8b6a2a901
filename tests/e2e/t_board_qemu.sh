# The board on real QEMU guests (TCG, a private libvirtd): bpanic is made to
# panic (echo c > /proc/sysrq-trigger typed at its shell) and is marked
# within a second of QEMU writing the panic line to its serial log, on the
# top row; bok, at its shell prompt, is settled; bvnc has no serial console,
# only VNC, and its row shows the bottom line of its text screen; a guest
# destroyed shows stopped; Enter on the top row opens bpanic's console.
. "$(dirname "$0")/lib.sh"
need_qemu
command -v virsh >/dev/null || skip "virsh is not installed (libvirt-clients)"
command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
. "$ROOT/tests/lib/libvirtd.sh"

D=$(mktemp -d /tmp/vmxd.XXXX)
down_daemon() { libvirtd_down "$D" >/dev/null 2>&1; rm -rf "$D"; }
on_cleanup down_daemon
libvirtd_up "$D" >/dev/null || fail "private libvirtd did not start"
URI=$(libvirtd_uri "$D")
libvirtd_guest "$D" bpanic >/dev/null || fail "bpanic did not start"
libvirtd_guest "$D" bok >/dev/null || fail "bok did not start"
# bvnc: the same guest without <serial> and <console>: VNC only.
xml=$("$ROOT/demo/mkguest.sh" "$D/guest" bvnc) || fail "mkguest bvnc"
sed "/<serial type='pty'>/,/<\/serial>/d; /<console type='pty'>/,/<\/console>/d" "$xml" > "$D/guest/bvnc.vnc.xml"
grep -q "<serial" "$D/guest/bvnc.vnc.xml" && fail "bvnc still has a serial port"
virsh -q -c "$URI" define "$D/guest/bvnc.vnc.xml" >/dev/null || fail "define bvnc"
virsh -q -c "$URI" start bvnc >/dev/null || fail "start bvnc"
libvirtd_wait_ready "$D" bpanic 180 || fail "bpanic did not boot"
libvirtd_wait_ready "$D" bok 180 || fail "bok did not boot"
LOG=$D/console/bpanic.log

start_virtmux 160x40 -c "$URI"
wait_row bvnc "running" 30
keys b
wait_for "3 consoles:" 20
# bok and bpanic sit at their prompts (printed before the board opened
# them: the console's replay is not needed, Enter asks for a fresh one).
wait_for "bvnc " 10
screen | grep -E " bvnc " | grep -q "vnc\|ready\|#" || true
for _ in $(seq 1 300); do
    screen | grep -E " bvnc " | grep -qE "bvnc:~#|guest ready|activate" && break
    sleep 0.1
done
screen | grep -E " bvnc " | grep -qE "bvnc:~#|guest ready|activate" ||
    fail "bvnc's row does not show the bottom line of its VGA text: $(screen | grep ' bvnc ')"

# Open bpanic (the filter picks it), ask for a prompt, come back.
keys /
tm send-keys -t vm -l "bpanic"
keys Enter
wait_for "1 console:" 10
keys Enter
wait_for "bpanic  serial" 15
type_line ""
wait_for "bpanic:~#" 20
# The crash comes once we are back on the board (looked at, it would not
# be an alarm): the shell sleeps first.
type_line "sleep 4; echo c > /proc/sysrq-trigger"
keys C-] 0
keys Escape
wait_for "3 consoles:" 10
grep -q "Kernel panic" "$LOG" && fail "the guest panicked before the board was back"
# bok at its prompt: press Enter in it? No: its prompt was printed at boot
# and the board reads it on opening; it must be settled.
for _ in $(seq 1 100); do
    screen | grep -E " bok " | grep -q "settled" && break
    sleep 0.1
done
screen | grep -E " bok " | grep -q "settled" || fail "bok (at its prompt) is not settled: $(screen | grep ' bok ')"

# Poll the serial log (QEMU writes it as the guest prints) and the board.
tp="" tm_=""
for _ in $(seq 1 3000); do
    now=$(date +%s%N)
    [ -z "$tp" ] && grep -q "Kernel panic" "$LOG" 2>/dev/null && tp=$now
    if [ -n "$tp" ] && screen | sed -n 4p | grep -q " bpanic .*ALARM"; then
        tm_=$(date +%s%N)
        break
    fi
    sleep 0.02
done
[ -n "$tp" ] || fail "the guest never printed a kernel panic (serial log: $(tail -c 300 "$LOG" | tr -d '\r'))"
[ -n "$tm_" ] || fail "bpanic is not marked ALARM on the first row: $(screen | sed -n 1,6p)"
ms=$(((tm_ - tp) / 1000000))
echo "panic in the serial log -> ALARM on the top row: $ms ms (polled every ~20 ms)"
[ "$ms" -le 1000 ] || fail "marked $ms ms after the panic was printed"
screen | sed -n 4p | grep -q "Kernel panic\|sysrq" || fail "the top row does not show the panic line: $(screen | sed -n 4p)"
screen | sed -n 2p | grep -q "1 alarmed" || fail "the summary does not count the alarm: $(screen | sed -n 2p)"

# Stopped.
virsh -q -c "$URI" destroy bok >/dev/null || fail "virsh destroy bok"
for _ in $(seq 1 200); do
    screen | grep -E " bok " | grep -q "stopped" && break
    sleep 0.1
done
screen | grep -E " bok " | grep -q "stopped" || fail "bok does not say stopped: $(screen | grep ' bok ')"
wait_for "1 stopped" 10

# Enter on the top row opens bpanic's console, where the panic is.
screen | sed -n 4p | grep -q " bpanic " || fail "bpanic is no longer on top"
keys Enter
wait_for "bpanic  serial" 10
wait_for "Kernel panic - not syncing" 10
screen | grep -q "bok  serial\|bvnc  " && fail "another console opened"
keys C-] 0
wait_for "0 alarmed" 10

keys C-] q
wait_pid_exit
pass
