# A console follows a live migration while nobody is attached: the server
# does the following. The guest prints numbered lines; the client's terminal
# closes, the domain migrates A -> B, a new terminal attaches: the pane is on
# B, every line arrived once and in order, and typing reaches the guest on B.
. "$(dirname "$0")/lib.sh"
need_qemu
testbed_up /tmp/vmx-tbdet vmxd 10.78.23

testbed_attach 120x40
N=800   # ~20 s of lines
type_line "(echo; i=0; while [ \$i -lt $N ]; do echo L\$i; i=\$((i+1)); usleep 20000; done; echo LINES-\$((400*2))-DONE) &"
wait_for "L20" 20
MIGRATED="[virtmux: migrated"

tm kill-session -t vm
for _ in $(seq 1 100); do
    $TESTBED_CLIENT "$VIRTMUX" server-info 2>/dev/null | grep -q " 0 clients attached" && break
    sleep 0.1
done
$TESTBED_CLIENT "$VIRTMUX" server-info | grep -q " 0 clients attached" || fail "the client did not detach"
$TESTBED_CLIENT virsh -c "$TESTBED_URI_A" migrate --live "$TESTBED_GUEST" "$TESTBED_URI_B" > "$T/mig.log" 2>&1 ||
    { cat "$T/mig.log"; fail "virsh migrate A -> B"; }
wait_marker "$MIGRATED" 1 30

SHELL_WRAP="$TESTBED_CLIENT" start_virtmux 120x40
wait_for "B/$TESTBED_GUEST  serial" 20
wait_log_line "LINES-800-DONE" 90 || fail "the guest's last line never came"
wait_for "LINES-800-DONE" 10
type_line 'echo on-b-$((3*4))'
wait_for "on-b-12" 20

raw=$(ls "$T/logs/"*.raw | head -1)
# A line may follow the shell's prompt (printed once the job started, the
# guest's clock decides when): the number at the end of a line counts.
raw_payload "$raw" | tr -d '\r' | grep -aoE 'L[0-9]+$' > "$T/lines"
awk -v n="$N" '
    { want = "L" NR - 1; if ($0 != want) { printf "line %d is %s, want %s\n", NR, $0, want; bad = 1; exit } }
    END { if (!bad && NR != n) { printf "%d lines, want %d\n", NR, n; bad = 1 } exit bad }' "$T/lines" ||
    fail "output lines lost, repeated or out of order"
$TESTBED_CLIENT "$VIRTMUX" capture-pane > "$T/captured" || fail "capture-pane"
grep -aoE 'L[0-9]+$' "$T/captured" | awk -v n="$N" '
    { want = "L" NR - 1; if ($0 != want) { printf "scrollback line %d is %s, want %s\n", NR, $0, want; bad = 1; exit } }
    END { if (!bad && NR != n) { printf "%d lines in the scrollback, want %d\n", NR, n; bad = 1 } exit bad }' ||
    fail "the scrollback lost, repeated or reordered lines"
grep -qa "marker \[virtmux: migrated A .* B" "$raw" || fail "no A -> B marker"

keys C-] q
wait_pid_exit
pass
