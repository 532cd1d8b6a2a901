# A frame reaches the terminal in one write, not one per cursor move
# (ncurses 6.4 flushes on every move until its screen has been resumed once,
# which cost a wake-up of the terminal, and a packet over ssh, per changed
# line). Counted with the client's write system calls (/proc/PID/io).
. "$(dirname "$0")/lib.sh"

[ -r /proc/self/io ] || skip "no /proc/PID/io here"
writes() { awk '/^syscw:/ { print $2 }' "/proc/$VIRTMUX_PID/io"; }

start_virtmux 100x30 -c test:///default
wait_row test "running"
settle
before=$(writes)
# The help screen changes nearly every line of the screen at once.
keys '?'
wait_for "virtmux keys"
after=$(writes)
n=$((after - before))
# One frame (perhaps split where the canvas was sent in two), not ~25.
[ "$n" -ge 1 ] || fail "no write for the help screen? ($before -> $after)"
[ "$n" -le 3 ] || fail "the help screen took $n writes to the terminal"
keys q
wait_for "HOST"
keys q
wait_pid_exit
pass
