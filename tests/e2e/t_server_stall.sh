# A client that stops reading (SIGSTOP, 30 s) while its console floods costs
# the server one screen, not a queue: the other client's echo stays in its
# normal range, the server's memory does not grow, and the stopped client,
# continued, shows the current screen at once.
. "$(dirname "$0")/lib.sh"
need_qemu
# Memory is measured: the release build (ASan's quarantine holds freed
# memory for a while, by design), and a scrollback that is full after a few
# bursts, so that what grows after that is what a stopped client costs.
VIRTMUX=$ROOT/virtmux
[ -x "$VIRTMUX" ] || skip "build ./virtmux first"
mkdir -p "$XDG_CONFIG_HOME/virtmux"
echo "set scrollback 1000" > "$XDG_CONFIG_HOME/virtmux/config"

start_virtmux 120x30 --demo
wait_for "virtmux demo guest ready" 90
keys Enter
wait_for "demo1:~#" 20
keys C-] d
wait_exit 0

# Two clients of the session, each the command of its own terminal (no
# shell: job control would take the terminal from a stopped client).
tm kill-session -t vm
for s in vm b; do
    tm new-session -d -s $s -x 120 -y 30 \
        "cd '$ROOT' && LANG=C.UTF-8 TERM=xterm-256color '$VIRTMUX' attach-session; echo VIRTMUX-EXIT=\$?; sleep 600"
done
b_screen() { tm capture-pane -p -t b; }
A=$(pgrep -P "$(tm display-message -p -t vm '#{pane_pid}')" -f "$VIRTMUX" | head -1)
[ -n "$A" ] || A=$(tm display-message -p -t vm '#{pane_pid}')
VIRTMUX_PID=$A
wait_for "demo/demo1  serial" 10
b_shows() { b_screen | grep -q -- "$1"; }
wait_until 10 b_shows "demo/demo1  serial" || fail "client B did not attach"

# 500 lines (20 KiB) every second for 45 s, then a last line: the guest
# stays responsive between bursts, the screens change all the time.
type_line "i=0; while [ \$i -lt 500 ]; do echo flood-\$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=\$((i+1)); done > /tmp/block"
type_line "(i=0; while [ \$i -lt 45 ]; do cat /tmp/block; sleep 1; i=\$((i+1)); done; echo FLOOD-\$((6*7))-END) &"
wait_for "flood-499-xxx" 20

# echo_ms N: B types "echo eN" and waits for the answer "eN" alone on a line.
echo_ms() {
    local start now
    start=$(date +%s%N)
    tm send-keys -t b -l "echo e$1"
    tm send-keys -t b Enter
    for _ in $(seq 1 500); do
        b_screen | grep -qx "e$1" && { now=$(date +%s%N); echo $(((now - start) / 1000000)); return 0; }
        sleep 0.01
    done
    echo 99999
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$(server_pid)/status"; }

# Samples spread over time (the pauses are the sampling, not a wait for a
# result): before the stop over 5 s, during it over 20 s.
for i in 1 2 3 4 5; do echo_ms "10$i"; sleep 1; done > "$T/echo.before"
BEFORE=$(median < "$T/echo.before")
RSS0=$(rss_kb)

kill -STOP "$A"
STOP_AT=$(date +%s)
for i in 1 2 3 4 5; do echo_ms "20$i"; sleep 4; done > "$T/echo.stopped"
STOPPED=$(median < "$T/echo.stopped")
RSS1=$(rss_kb)
# The stop lasts 30 s: that is the scenario, not a wait for a result.
while [ $(($(date +%s) - STOP_AT)) -lt 30 ]; do sleep 1; done
vmx server-info | grep -q "2 clients attached" || fail "the stopped client was let go before its limit"
RSS2=$(rss_kb)
kill -CONT "$A"

echo "echo ms with A running: $(tr '\n' ' ' < "$T/echo.before")(median $BEFORE)"
echo "echo ms with A stopped: $(tr '\n' ' ' < "$T/echo.stopped")(median $STOPPED)"
echo "server RSS: $RSS0 kB, $RSS1 kB after 20 s, $RSS2 kB after 30 s stopped"
limit=$((BEFORE * 3 > BEFORE + 1000 ? BEFORE * 3 : BEFORE + 1000))
[ "$STOPPED" -le "$limit" ] || fail "B's echo with A stopped: median $STOPPED ms, over $limit ms"
grep -q 99999 "$T/echo.stopped" && fail "an echo never came while A was stopped"
[ $((RSS2 - RSS0)) -le 16384 ] || fail "the server grew by $((RSS2 - RSS0)) kB while a client was stopped"

# A shows what B shows: the current screen.
wait_for "FLOOD-42-END" 60
same_screens() { [ "$(screen)" = "$(b_screen)" ]; }
wait_until 5 same_screens || fail "the continued client does not show what the other one shows"
keys C-] q
wait_for "VIRTMUX-EXIT=0" 10
pass
