# A console follows live migrations (tests/testbed: two real libvirt hosts over
# qemu+libssh). The guest prints a numbered line every 10 ms and reads a
# numbered keystroke stream with echo off; keys are typed throughout. Then:
# every line is in virtmux's raw log exactly once and in order, the guest got
# every key exactly once and in order (md5), and each switch left its marker.
# Migrations: `virsh migrate` from outside (A -> B), virtmux's own `migrate`
# (B -> A), and one the destination refuses (a different domain of the same
# name waits there): the console stays on the source and the keys get through.
# VIRTMUX_SLOW=1 adds 20 round trips.
. "$(dirname "$0")/lib.sh"
need_qemu
# A testbed of this test's own: its names and subnet do not meet another's.
testbed_up /tmp/vmx-tbmig vmxm 10.78.3

testbed_attach 120x40

N=1200   # lines: ~15 s of output at 10 ms a line plus the guest's own time
type_line "stty -echo; (i=0; while [ \$i -lt $N ]; do echo L\$i; i=\$((i+1)); usleep 10000; done) & cat > /tmp/keys"
wait_for "L20" 20

# Keys, 25 ms apart, through the whole test: k0001 k0002 ... (send_keys)
MIGRATED="[virtmux: migrated"

# 1. From outside: virsh migrate A -> B while keys keep coming.
send_keys 1 200 &
SENDER=$!
wait_keys_sent 50
$TESTBED_CLIENT virsh -c "$TESTBED_URI_A" migrate --live "$TESTBED_GUEST" "$TESTBED_URI_B" > "$T/mig1.log" 2>&1 ||
    { cat "$T/mig1.log"; fail "virsh migrate A -> B"; }
wait_marker "$MIGRATED" 1 30
wait $SENDER
wait_for "B/$TESTBED_GUEST  serial" 20

# 2. From virtmux: C-] : migrate A (keys typed before and while it runs; not
# while the prompt is open, where they would be the command's text).
send_keys 201 300
run_command 'migrate A'
send_keys 301 400 &
SENDER=$!
wait_marker "$MIGRATED" 2 40
wait $SENDER
wait_for "A/$TESTBED_GUEST  serial" 20

# 3. Refused: hostB holds another domain named like ours (other UUID).
sed -e "s|<uuid>[^<]*</uuid>|<uuid>0badc0de-0000-4000-8000-00000000beef</uuid>|" \
    "$TESTBED_GUEST_XML" > "$T/impostor.xml"
$TESTBED_CLIENT virsh -c "$TESTBED_URI_B" define "$T/impostor.xml" > "$T/impostor.log" 2>&1 ||
    { cat "$T/impostor.log"; fail "define the impostor on hostB"; }
send_keys 401 500 &
SENDER=$!
wait_keys_sent 420
if $TESTBED_CLIENT virsh -c "$TESTBED_URI_A" migrate --live "$TESTBED_GUEST" "$TESTBED_URI_B" > "$T/mig3.log" 2>&1; then
    fail "hostB accepted a domain whose name another UUID holds"
fi
wait $SENDER

if [ "${VIRTMUX_SLOW:-0}" = 1 ]; then
    $TESTBED_CLIENT virsh -c "$TESTBED_URI_B" undefine "$TESTBED_GUEST" >/dev/null 2>&1
    for r in $(seq 1 20); do
        send_keys $((1000 + r * 40)) $((1000 + r * 40 + 39)) &
        SENDER=$!
        $TESTBED_CLIENT virsh -c "$TESTBED_URI_A" migrate --live "$TESTBED_GUEST" "$TESTBED_URI_B" >/dev/null 2>&1 ||
            fail "round trip $r: A -> B"
        wait_marker "$MIGRATED" $((2 * r + 1)) 30
        $TESTBED_CLIENT virsh -c "$TESTBED_URI_B" migrate --live "$TESTBED_GUEST" "$TESTBED_URI_A" >/dev/null 2>&1 ||
            fail "round trip $r: B -> A"
        wait_marker "$MIGRATED" $((2 * r + 2)) 30
        wait $SENDER
    done
fi

# The printer ends; the last line of keys is finished, then C-d ends cat.
wait_log_line "L$((N - 1))" 90 || fail "the guest's last line L$((N - 1)) never came"
check_guest_keys

# Every line once, in order, in what virtmux received.
raw=$(ls "$T/logs/"*.raw | head -1)
raw_payload "$raw" | tr -d '\r' | grep -aE '^L[0-9]+$' > "$T/lines"
awk -v n="$N" '
    { want = "L" NR - 1; if ($0 != want) { printf "line %d is %s, want %s\n", NR, $0, want; bad = 1; exit } }
    END { if (!bad && NR != n) { printf "%d lines, want %d\n", NR, n; bad = 1 } exit bad }' "$T/lines" ||
    fail "output lines lost, repeated or out of order"
grep -a "marker \[virtmux: migrated" "$raw" | sed 's/^/  /'
grep -qa "marker \[virtmux: migrated A .* B" "$raw" || fail "no A -> B marker"
grep -qa "marker \[virtmux: migrated B .* A" "$raw" || fail "no B -> A marker"

keys C-] q
wait_pid_exit
pass
