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
command -v nsenter >/dev/null && command -v ip >/dev/null && [ -x /usr/sbin/sshd ] ||
    skip "needs nsenter, ip and sshd for the testbed"

TB=${TESTBED_SH:-$ROOT/tests/testbed/testbed.sh}
# A testbed of this test's own: its names and subnet do not meet another's.
export TESTBED_DIR=/tmp/vmx-tbmig TESTBED_NETNS_PREFIX=vmxm TESTBED_SUBNET=10.78.3
tb_down() { "$TB" down >/dev/null 2>&1; }
on_cleanup tb_down
"$TB" up > "$T/tb-up.log" 2>&1 || { cat "$T/tb-up.log"; fail "testbed up"; }
eval "$("$TB" env)"
"$TB" guest-up A 120 > "$T/tb-guest.log" 2>&1 || { cat "$T/tb-guest.log"; fail "guest did not boot on hostA"; }

mkdir -p "$XDG_CONFIG_HOME/virtmux" "$T/logs"
cat > "$XDG_CONFIG_HOME/virtmux/config" <<CONF
host A "$TESTBED_URI_A"
host B "$TESTBED_URI_B"
set log-dir $T/logs
CONF
# virtmux runs in the client namespace, where hostA and hostB resolve.
SHELL_WRAP="$TESTBED_CLIENT" start_virtmux 120x40 attach "$TESTBED_GUEST"
wait_for "A/$TESTBED_GUEST  serial" 60
keys Enter
wait_for "$TESTBED_GUEST:~#" 30

N=1200   # lines: ~15 s of output at 10 ms a line plus the guest's own time
type_line "stty -echo; (i=0; while [ \$i -lt $N ]; do echo L\$i; i=\$((i+1)); usleep 10000; done) & cat > /tmp/keys"
wait_for "L20" 20

# Keys, 25 ms apart, through the whole test: k0001 k0002 ...
KEYS_FILE="$T/keys.sent"
: > "$KEYS_FILE"
# Every 20th token ends its line: the guest's tty keeps at most 4095 bytes of
# one unfinished line and drops the rest (the slow tier sends ~8 KB).
send_keys() {
    local from=$1 to=$2 k
    for ((k = from; k <= to; k++)); do
        printf -v tok 'k%04d ' "$k"
        tm send-keys -t vm -l -- "$tok"
        printf '%s' "$tok" >> "$KEYS_FILE"
        if ((k % 20 == 0)); then
            tm send-keys -t vm Enter
            printf '\n' >> "$KEYS_FILE"
        fi
        sleep 0.025
    done
}

migrated_count() { grep -c "marker \[virtmux: migrated" "$T/logs/"*.raw 2>/dev/null || echo 0; }
wait_migrated() {   # wait_migrated COUNT SECONDS
    local i
    for ((i = 0; i < $2 * 5; i++)); do
        [ "$(migrated_count)" -ge "$1" ] && return 0
        sleep 0.2
    done
    fail "no 'migrated' marker #$1 within $2 s"
}

# 1. From outside: virsh migrate A -> B while keys keep coming.
send_keys 1 200 &
SENDER=$!
sleep 1.5
$TESTBED_CLIENT virsh -c "$TESTBED_URI_A" migrate --live "$TESTBED_GUEST" "$TESTBED_URI_B" > "$T/mig1.log" 2>&1 ||
    { cat "$T/mig1.log"; fail "virsh migrate A -> B"; }
wait_migrated 1 30
wait $SENDER
wait_for "B/$TESTBED_GUEST  serial" 20

# 2. From virtmux: C-] : migrate A (keys typed before and while it runs; not
# while the prompt is open, where they would be the command's text).
send_keys 201 300
tm send-keys -t vm C-] ':'
sleep 0.3
tm send-keys -t vm -l 'migrate A'
tm send-keys -t vm Enter
send_keys 301 400 &
SENDER=$!
wait_migrated 2 40
wait $SENDER
wait_for "A/$TESTBED_GUEST  serial" 20

# 3. Refused: hostB holds another domain named like ours (other UUID).
sed -e "s|<uuid>[^<]*</uuid>|<uuid>0badc0de-0000-4000-8000-00000000beef</uuid>|" \
    "$TESTBED_GUEST_XML" > "$T/impostor.xml"
$TESTBED_CLIENT virsh -c "$TESTBED_URI_B" define "$T/impostor.xml" > "$T/impostor.log" 2>&1 ||
    { cat "$T/impostor.log"; fail "define the impostor on hostB"; }
send_keys 401 500 &
SENDER=$!
sleep 0.5
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
        wait_migrated $((2 * r + 1)) 30
        $TESTBED_CLIENT virsh -c "$TESTBED_URI_B" migrate --live "$TESTBED_GUEST" "$TESTBED_URI_A" >/dev/null 2>&1 ||
            fail "round trip $r: B -> A"
        wait_migrated $((2 * r + 2)) 30
        wait $SENDER
    done
fi

# The printer ends; the last line of keys is finished, then C-d ends cat.
# The raw log is records "TIMESTAMP LEN\n<LEN bytes>\n" (and marker lines): a
# line of output may straddle two records, so put the bytes back together.
raw_payload() {
    local ts len
    exec 3< "$1"
    while IFS=' ' read -r ts len _ <&3; do
        [[ $len =~ ^[0-9]+$ ]] || continue
        head -c "$len" <&3
        head -c 1 <&3 >/dev/null
    done
    exec 3<&-
}
# Waiting reads the text log: it has no record headers to split a line.
wait_for_line() {
    local i
    for ((i = 0; i < $2 * 5; i++)); do
        tr -d '\r' < "$(ls "$T/logs/"*.log | head -1)" | grep -qax -- "$1" && return 0
        sleep 0.2
    done
    return 1
}
wait_for_line "L$((N - 1))" 90 || fail "the guest's last line L$((N - 1)) never came"
if [ -n "$(tail -c 1 "$KEYS_FILE")" ]; then
    tm send-keys -t vm Enter
    printf '\n' >> "$KEYS_FILE"
    sleep 0.3
fi
tm send-keys -t vm C-d; sleep 0.5
type_line 'stty echo; md5sum /tmp/keys; wc -c /tmp/keys'
want=$(md5sum < "$KEYS_FILE" | cut -d' ' -f1)
wait_for "/tmp/keys" 20
sleep 1
screen | grep -q "$want" ||
    fail "the guest's keys differ from the $(wc -c < "$KEYS_FILE") bytes sent (want md5 $want)"

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
