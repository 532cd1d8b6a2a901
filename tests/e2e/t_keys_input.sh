# Keys as a terminal sends them, read back through the real terminal: pasted
# text, a lone Esc, Alt+key (Esc and the key in one write), arrows, UTF-8,
# and a stray UTF-8 lead byte that must not stall the keyboard.  virtmux
# reads one key per turn of the loop unless an Esc starts a sequence.
. "$(dirname "$0")/lib.sh"

start_virtmux 120x24 -c test:///default
wait_row test "running"

# A paste: every character of one write reaches the filter, in order.
keys /
tm send-keys -t vm -l -- "xyz"
wait_for "filter 'xyz'"
wait_for "0/1 domains"
keys Enter
# A lone Esc (no key after it) clears the filter.
keys Escape
wait_gone "filter 'xyz'"
wait_for "1/1 domains"

# Alt+x arrives as Esc x in one write.
keys M-x
wait_for "M-x is not bound here"
# Esc, then x on its own later, are two keys: Esc clears, x is unbound.
# (keys waits until virtmux sits in its poll with no timeout: the Esc was
# read and curses' wait for a key sequence after it is over.)
keys Escape
keys x
wait_for "x is not bound here"
screen | grep -qF "M-x is not bound" && fail "Esc then x (apart) read as M-x"

# A UTF-8 character is one key.
tm send-keys -t vm -l -- "é"
wait_for "é is not bound here"

# A lone UTF-8 lead byte, nothing after it, must not stall the loop in a
# read() waiting for the rest of the character (the loop sits in poll).
tm send-keys -t vm -H c3
settle   # the byte was read: virtmux waits again (a read() counts as waiting)
nr=$(cut -d' ' -f1 "/proc/$VIRTMUX_PID/syscall")
[ "$nr" != 0 ] || fail "a lone UTF-8 lead byte left virtmux blocked in read()"
keys H
wait_for "reconnect"
keys Escape
wait_for "1/1 domains"

# Arrows and the help view: Down moves, Escape closes.
keys '?'
wait_for "Esc closes this page"
keys Down
keys Escape
wait_gone "Esc closes this page"

keys q
wait_exit 0
pass
