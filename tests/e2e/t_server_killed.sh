# The server is killed (SIGKILL: no chance to say goodbye). Its client gives
# the terminal back in a usable state and says what happened; the next
# virtmux starts a new server, which brings the session's consoles back.
. "$(dirname "$0")/lib.sh"
need_qemu

start_virtmux 120x30 --demo
wait_for "virtmux demo guest ready" 90
keys Enter
wait_for "demo1:~#" 20
type_line 'echo before-$((40+1))'
wait_for "before-41" 20
SPID=$(server_pid)
[ -n "$SPID" ] || fail "no server pid file"
kill -9 "$SPID"
wait_for "VIRTMUX-EXIT=1" 10
wait_for "lost the server" 5
# The terminal is usable again: the shell echoes what is typed and runs it.
tm send-keys -t vm "echo sane-\$((2*3))" Enter
wait_for "sane-6" 5
screen | grep -q "demo/demo1  serial" && fail "the old screen was left on the terminal"

# A new virtmux, no --demo: the same session and console, from the new server.
tm send-keys -t vm "clear" Enter
start_virtmux 120x30
wait_for "restored" 30
wait_for "demo/demo1  serial" 30
[ "$(server_pid)" != "$SPID" ] || fail "still the old server"
keys Enter
wait_for "demo1:~#" 60
type_line 'echo after-$((40+2))'
wait_for "after-42" 20
keys C-] q
wait_pid_exit
pass
