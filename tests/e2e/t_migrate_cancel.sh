# A live migration started in virtmux (`migrate B`) is cancelled in virtmux
# (`migrate-cancel`), three times, on the testbed (tests/testbed: two real libvirt
# hosts over qemu+libssh). The migration is held to 1 MiB/s with
# `virsh migrate-setspeed` (libvirt applies it to the next migration: the
# progress line shows the rate), so it is still copying memory when the
# cancel comes. The guest prints a numbered tick every 200 ms and collects
# numbered keys with `cat`. Checked: the status line shows the progress and
# then the cancel; the domain runs on hostA only; the pane stays on hostA with
# the "did not complete" marker and takes no badge; keys typed during the
# migration, during the cancel and after it reach the guest exactly once and
# in order (md5); every tick is in virtmux's log once and in order, and new
# ones come after each cancel.
. "$(dirname "$0")/lib.sh"
need_qemu
# A testbed of this test's own: its names and subnet do not meet another's.
testbed_up /tmp/vmx-tbcancel vmxc 10.78.13
G=$TESTBED_GUEST
vsh() { $TESTBED_CLIENT timeout -k 3 30 virsh -q "$@"; }

testbed_attach 140x40
type_line "stty -echo; (i=0; while [ ! -e /tmp/stop ]; do echo tick\$i; i=\$((i+1)); usleep 200000; done) & cat > /tmp/keys"
wait_for "tick5" 20

# Slow enough that a cancel always finds it copying (~130 MiB at 1 MiB/s).
vsh -c "$TESTBED_URI_A" migrate-setspeed "$G" --bandwidth 1 > "$T/setspeed.log" 2>&1 ||
    { cat "$T/setspeed.log"; fail "migrate-setspeed"; }
[ "$(vsh -c "$TESTBED_URI_A" migrate-getspeed "$G")" = 1 ] || fail "migrate-getspeed is not 1 MiB/s"

status_line() { screen | tail -n 1; }
# wait_status REGEX SECONDS: the status line matches REGEX (extended).
wait_status() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        status_line | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    fail "the status line did not match '$1' within $2 s"
}
# after_marker TEXT: the guest's output after the last marker TEXT in the raw log.
after_marker() {
    local raw n
    raw=$(ls "$T/logs/"*.raw | head -1)
    n=$(grep -naF "marker $1" "$raw" | tail -n 1 | cut -d: -f1)
    tail -n +"$((${n:-0} + 1))" "$raw" > "$T/after"
    raw_payload "$T/after"
}
ticks_after() { after_marker "$1" | grep -aoE 'tick[0-9]+' | wc -l; }

MIG="$G A→B"   # the migration's label
NOT_DONE="[virtmux: migration did not complete; still on A]"
PROGRESS=": migrating \[[#.]{10}\] [0-9]+%  [0-9]+ MiB left  1 MiB/s  pass [0-9]+"
CANCELLED=": migration cancelled; still on A"

# migrate_and_watch FIRST_KEY: `migrate B` from the console, then keys while
# it runs: the progress line at 1 MiB/s, the keys held for the switch.
migrate_and_watch() {
    local k=$1
    run_command 'migrate B'
    send_keys "$k" $((k + 9))
    wait_status "$PROGRESS.*migrate-cancel stops it" 40   # the progress at once, no message over it
    status_line | sed 's/^/  progress: /'
    # The incoming copy on hostB exists: keys wait for the switch.
    wait_for "[migrating: " 30
    send_keys $((k + 10)) $((k + 29))
    screen | grep -qE "\[migrating: [1-9][0-9]* bytes held\]" || fail "keys typed during the migration not held"
    vsh -c "$TESTBED_URI_A" domjobinfo "$G" | grep -q "Unbounded" || fail "no migration job on hostA"
}

# only_on_a: tb1 runs on hostA with no job; hostB has none (bounded: the
# source's job ends in libvirt's Confirm phase, after hostB let go).
only_on_a() {
    local i st="" job="" on_b=""
    for ((i = 0; i < 50; i++)); do
        st=$(vsh -c "$TESTBED_URI_A" domstate "$G" 2>&1)
        job=$(vsh -c "$TESTBED_URI_A" domjobinfo "$G" 2>&1 | sed -n 's/^Job type: *\([A-Za-z]*\).*/\1/p')
        on_b=$(vsh -c "$TESTBED_URI_B" list --all --name 2>&1 | grep -x "$G")
        [ "$st" = running ] && [ "$job" = None ] && [ -z "$on_b" ] && break
        sleep 0.2
    done
    [ "$st" = running ] || fail "$G on hostA is '$st', want running"
    [ "$job" = None ] || fail "hostA still has a '$job' job for $G"
    [ -z "$on_b" ] || fail "hostB still has $G"
    screen | grep -qF "A/$G  serial" || fail "the pane left hostA"
    screen | grep -qF "B/$G" && fail "a pane names hostB"
    return 0
}

# check_cancelled COUNT: after a cancel, the COUNTth "did not complete"
# marker, on screen too; the domain only on hostA; new output after it.
check_cancelled() {
    wait_marker "$NOT_DONE" "$1" 60
    screen | grep -qF "$NOT_DONE" || fail "the marker is not on screen"
    only_on_a
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(ticks_after "$NOT_DONE")" -ge 3 ] && break
        sleep 0.2
    done
    [ "$(ticks_after "$NOT_DONE")" -ge 3 ] || fail "no guest output after the cancel"
    wait_gone "[migrating" 10
}

# 1. Cancelled at once, while virtmux still opens the migration's own
# connections (libvirt has no job to abort yet): it must not go on. Both
# commands in one burst of keys, so the cancel comes within milliseconds.
tm send-keys -t vm C-] : 'migrate B' Enter C-] : 'migrate-cancel' Enter
wait_status "$MIG$CANCELLED" 60
only_on_a
wait_gone "[migrating" 10
# Whether hostB had begun its incoming copy (then the marker says so) or not.
early=$(marker_count "$NOT_DONE")

# 2. Keys during the migration; migrate-cancel; nothing typed while the
# status line reports the cancel, so its messages stay to be read.
migrate_and_watch 1
run_command 'migrate-cancel'
wait_status "$MIG: (cancelling|migration cancelled)" 5
wait_status "$MIG$CANCELLED" 60
status_line | sed 's/^/  status: /'
check_cancelled $((early + 1))
send_keys 31 60                    # after the cancel

# 3. Again, with keys typed while the cancel is under way.
migrate_and_watch 61
run_command 'migrate-cancel'
send_keys 91 130 &
SENDER=$!
check_cancelled $((early + 2))
wait $SENDER
send_keys 131 160                  # after the cancel
# The message went by under the keys: the message log keeps it.
run_command 'show-messages'
wait_for "$MIG$CANCELLED" 10
[ "$(screen | grep -cF "$CANCELLED")" -ge 3 ] || fail "show-messages lacks the three cancels"
screen | grep -qF "$MIG: migration started" || fail "show-messages lacks the start of the migrations"
keys q

# Enough output to judge (50 ticks, checked below), whatever the speed of
# the run: a quick one is over before the guest has printed that many.
wait_until 60 screen_re 'tick(49|[5-9][0-9]|[0-9]{3,})\b' || fail "the guest never printed tick49"
check_guest_keys 'touch /tmp/stop'

# Every tick once and in order in what virtmux received, from tick0.
raw=$(ls "$T/logs/"*.raw | head -1)
raw_payload "$raw" | grep -aoE 'tick[0-9]+' > "$T/ticks"
awk '{ want = "tick" NR - 1; if ($0 != want) { printf "tick %d is %s, want %s\n", NR, $0, want; bad = 1; exit } }
     END { if (!bad && NR < 50) { printf "only %d ticks\n", NR; bad = 1 } exit bad }' "$T/ticks" ||
    fail "guest output lost, repeated or out of order"
echo "  $(wc -l < "$T/ticks") ticks, $(wc -c < "$KEYS_FILE") bytes of keys"
grep -a " marker " "$raw" | sed 's/^/  /'
[ "$(marker_count "[virtmux: migrated")" = 0 ] || fail "a 'migrated' marker after a cancelled migration"

keys C-] q
wait_pid_exit
pass
