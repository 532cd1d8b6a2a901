# The wait that replaces fixed sleeps after keys (settle, tests/e2e/tools/
# ttyidle.c) really waits: with virtmux's server stopped (SIGSTOP) and a key
# pending it times out (exit 1); once the server runs again it returns 0 and
# the key has been handled. (Not the client: a stopped foreground job gives
# the terminal back to the shell.)
. "$(dirname "$0")/lib.sh"
settle   # builds ttyidle if needed
start_virtmux 120x24 -c test:///default
wait_row test "running"
settle
"$TTYIDLE" "$VIRTMUX_PID" 2000 "$(server_pid)" "$(tm display-message -p '#{pid}')" || fail "ttyidle: not idle with nothing typed"
SPID=$(server_pid)
TPID=$(tm display-message -p '#{pid}')   # tmux: it writes the keys and reads the screen
kill -STOP "$SPID"
resume() { kill -CONT "$SPID" 2>/dev/null; }
on_cleanup resume
tm send-keys -t vm D
start=$(date +%s%N)
"$TTYIDLE" "$VIRTMUX_PID" 700 "$SPID" "$TPID" &&
    fail "ttyidle said idle while the server was stopped with a key pending"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 650 ] || fail "ttyidle gave up after $ms ms, not 700"
screen | grep -qF "Destroy 'test' on test?" && fail "the key was handled while the server was stopped"
kill -CONT "$SPID"
"$TTYIDLE" "$VIRTMUX_PID" 5000 "$SPID" "$TPID" || fail "ttyidle: not idle after the server resumed"
# Handled at once: the dialog is on screen now, with no wait.
screen | grep -qF "Destroy 'test' on test?" || fail "ttyidle returned before the key was handled"
keys n
screen | grep -qF "destroy cancelled" || fail "settle returned before n was handled"
keys q
wait_exit 0
pass
