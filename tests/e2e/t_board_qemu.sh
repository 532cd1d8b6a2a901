# The board on real QEMU guests (TCG, a private libvirtd): bpanic is made to
# panic (echo c > /proc/sysrq-trigger typed at its shell) and is marked
# within a second of QEMU writing the panic line to its serial log, on the
# top row; bok, at its shell prompt, is settled; bvnc has no serial console,
# only VNC, and its row shows the bottom line of its text screen; a guest
# destroyed shows stopped; Enter on the top row opens bpanic's console.
# bvnc's row ends settled at its prompt and goes quiet (its cursor blinks).
. "$(dirname "$0")/lib.sh"
need_qemu
need_private_libvirtd

private_libvirtd_up
URI=$(libvirtd_uri "$D")
# Defined, not started: a QEMU pty keeps nothing for a reader that comes
# later, so the board is open before they boot, as when a class starts.
# bpanic and bok with a serial log (QEMU writes it as the guest prints);
# bvnc without <serial> and <console>: VNC only.
mkdir -p "$D/console"
# The initrd (shared) names every guest's shell after the first guest built:
# "vm", so that no prompt holds another guest's name (the filter matches
# the last line too).
"$ROOT/demo/mkguest.sh" "$D/guest" vm >/dev/null || fail "mkguest"
for g in bpanic bok bvnc; do
    xml=$("$ROOT/demo/mkguest.sh" "$D/guest" "$g") || fail "mkguest $g"
    if [ "$g" = bvnc ]; then
        sed "/<serial type='pty'>/,/<\/serial>/d; /<console type='pty'>/,/<\/console>/d" "$xml" > "$D/guest/$g.run.xml"
        grep -q "<serial" "$D/guest/$g.run.xml" && fail "bvnc still has a serial port"
    else
        sed "s|^\( *\)<serial type='pty'>\$|&\n\1  <log file='$D/console/$g.log' append='off'/>|" "$xml" > "$D/guest/$g.run.xml"
        grep -q "<log file=" "$D/guest/$g.run.xml" || fail "no serial log for $g"
    fi
    virsh -q -c "$URI" define "$D/guest/$g.run.xml" >/dev/null || fail "define $g"
done
LOG=$D/console/bpanic.log

start_virtmux 160x40 -c "$URI"
wait_row bvnc "shut off" 30
keys b
wait_for "3 consoles:  0 alarmed  0 booting  0 settled  3 stopped" 20
for g in bpanic bok bvnc; do
    virsh -q -c "$URI" start "$g" >/dev/null || fail "start $g"
done
wait_for "  0 stopped" 30
libvirtd_wait_ready "$D" bpanic 180 || fail "bpanic did not boot"
libvirtd_wait_ready "$D" bok 180 || fail "bok did not boot"
# bvnc's row: the bottom line of its VGA text, the init's last words or the
# shell's prompt.
bvnc_text() { screen | grep -E " bvnc " | grep -qE "virtmux demo guest ready|:~#"; }
wait_until 60 bvnc_text ||
    fail "bvnc's row does not show the bottom line of its VGA text: $(screen | grep ' bvnc ')"
echo "bvnc: $(screen | grep ' bvnc ')"
# Then its shell's prompt, on the last of its 25 text rows (the board holds
# it in a model of 21 rows: the row must read the whole screen), settled;
# the cursor blinking after the prompt is no output: QUIET counts up.
bvnc_row() { screen | grep -E " bvnc "; }
bvnc_settled() { bvnc_row | grep -qE " settled +[0-9hms]+ +vm:~#"; }
bvnc_quiet() { bvnc_row | grep -qE " settled +(([3-9]|[1-5][0-9])s|[0-9]+m[0-9]{2}s) +vm:~#"; }
wait_until 120 bvnc_settled || fail "bvnc's row is not settled at its prompt: $(bvnc_row)"
wait_until 15 bvnc_quiet || fail "bvnc's row at its prompt does not go quiet (a blink is output?): $(bvnc_row)"
echo "bvnc: $(bvnc_row)"

# Open bpanic (the filter picks it), ask for a prompt, come back.
keys /
tm send-keys -t vm -l "bpanic"
keys Enter
wait_for "1 console:" 10
keys Enter
wait_for "bpanic  serial" 15
type_line ""
wait_for "vm:~#" 20
# The crash comes once we are back on the board (looked at, it would not
# be an alarm): the shell sleeps first.
type_line "sleep 4; echo c > /proc/sysrq-trigger"
keys C-] 0
keys Escape
wait_for "3 consoles:" 10
grep -q "Kernel panic" "$LOG" && fail "the guest panicked before the board was back"
# bok, at the prompt it printed as it booted, is settled.
bok_is() { screen | grep -E " bok " | grep -q "$1"; }
wait_until 10 bok_is settled || fail "bok (at its prompt) is not settled: $(screen | grep ' bok ')"

# Poll the serial log (QEMU writes it as the guest prints) and the board,
# every ~20 ms, bounded: this loop measures the latency, so it cannot be
# wait_until's 100 ms steps.
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
wait_until 20 bok_is stopped || fail "bok does not say stopped: $(screen | grep ' bok ')"
wait_for "1 stopped" 10

# Enter on the top row opens bpanic's console, where the panic is.
screen | sed -n 4p | grep -q " bpanic " || fail "bpanic is no longer on top"
keys Enter
wait_for "bpanic  serial" 10
wait_for "Kernel panic - not syncing" 10
screen | grep -q "bok  serial\|bvnc  " && fail "another console opened"
keys C-] 0
wait_for "0 alarmed" 10

# bvnc opens as VNC text from its row (the filter picks it).
keys /
tm send-keys -t vm -l "bvnc"
keys Enter
wait_for "1 console:" 10
keys Enter
wait_for "bvnc  vnc" 15
wait_for "virtmux demo guest ready" 20
echo "bvnc's screen, bottom: $(screen | grep -v '^ *$' | tail -3 | head -2)"

keys C-] q
wait_pid_exit
pass
