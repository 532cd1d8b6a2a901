# The terminal is given back on SIGTERM and SIGHUP (an ssh session dropping),
# and ^Z suspends and resumes cleanly.
. "$(dirname "$0")/lib.sh"

start_virtmux 100x20 -c test:///default
wait_row test "running"
kill -TERM "$VIRTMUX_PID"
wait_exit 0
# The alternate screen is gone: the shell line is back on a normal screen.
screen | grep -q "HOST" && fail "screen not restored after SIGTERM"

start_virtmux 100x20 -c test:///default
wait_row test "running"
kill -HUP "$VIRTMUX_PID"
wait_exit 0

start_virtmux 100x20 -c test:///default
wait_row test "running"
keys C-z
# Stopped: state T in ps; the table is gone from the screen.
stopped() { [ "$(ps -o stat= -p "$VIRTMUX_PID" | cut -c1)" = T ]; }
wait_until 5 stopped || fail "C-z did not stop virtmux"
wait_for "Stopped"
keys fg Enter
wait_row test "running"
keys q
wait_pid_exit
pass
