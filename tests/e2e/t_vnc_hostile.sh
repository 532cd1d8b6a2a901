# A hostile VNC server (tests/vnc/hostile_server.c) in each of its modes:
# 0x0 and 65535x65535 desktops, a resize to an absurd size, a truncated
# ServerInit, garbage after the handshake, a close in the middle of an update,
# a server that never answers, a 4 GiB desktop name, a rectangle outside the
# desktop. virtmux (ASan build) attaches with --vnc-address: each time the pane
# must say what went wrong, keep running, and quit cleanly. Then a well-behaved
# mode: send-key C-A-Delete arrives as Control, Alt, Delete press/release.
. "$(dirname "$0")/lib.sh"

HOSTILE=$ROOT/build/hostile_server
if [ ! -x "$HOSTILE" ] || [ "$ROOT/tests/vnc/hostile_server.c" -nt "$HOSTILE" ]; then
    make -s -C "$ROOT" build/hostile_server >/dev/null || fail "cannot build the hostile VNC server"
fi

SERVER_PID=""
stop_server() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; return 0; }
on_cleanup stop_server

# start_server MODE: PORT gets its port.
start_server() {
    stop_server
    : > "$T/server.out"
    "$HOSTILE" "$1" >> "$T/server.out" 2>&1 &
    SERVER_PID=$!
    port_from "$T/server.out" "hostile server ($1)"
}

# try MODE TEXT [SECS]: attach to a server in MODE; TEXT must appear on screen.
try() {
    local mode=$1 text=$2 secs=${3:-15}
    start_server "$mode"
    start_virtmux 120x30 --vnc-address "127.0.0.1:$PORT"
    wait_for "127.0.0.1:$PORT  vnc" 10
    wait_for "$text" "$secs"
    screen | grep -q "VIRTMUX-EXIT" && fail "$mode: virtmux exited"
    echo "ok: $mode -> $(screen | sed -n 2p | sed 's/^ *//')"
    keys C-] q
    wait_pid_exit
}

try zero "desktop is 0x0"
try huge "desktop is 65535x65535"
try resize-huge "desktop is 65535x65535"
try truncated "reattaching: handshake failed"
try garbage "reattaching:"
try close-mid "reattaching:"
try stall "did not finish the handshake" 25
try bigname "reattaching: handshake failed"
try badrect "reattaching:"
try bigcut "reattaching:"
try colourmap "reattaching:"

# Nobody listening: refused, said plainly, retried.
start_server ok
stop_server
start_virtmux 120x30 --vnc-address "127.0.0.1:$PORT"
wait_for "Connection refused" 10
keys C-] q
wait_pid_exit

# A password: asked for in a dialog, then the desktop shows.
start_server auth
start_virtmux 120x30 --vnc-address "127.0.0.1:$PORT"
wait_for "VNC password for 127.0.0.1:$PORT" 10
tm send-keys -t vm -l 'secret'; tm send-keys -t vm Enter
wait_for "text 80x25" 10
grep -aq "auth response" "$T/server.out" || fail "no VNC authentication happened"
keys C-] q
wait_pid_exit

# A refused password: said, and no retry loop until the user asks (prefix f).
start_server authfail
printf 'set vnc-password wrong\n' > "$T/vncpw.conf"
start_virtmux 120x30 -f "$T/vncpw.conf" --vnc-address "127.0.0.1:$PORT"
wait_for "prefix f retries" 10
n=$(grep -ac "auth response" "$T/server.out")
[ "$n" -ge 1 ] || fail "the server saw no password"
witness_retries   # the server's timers ran >= 2 s: a console retry (0.5 s) would have
[ "$(grep -ac "auth response" "$T/server.out")" = "$n" ] || fail "a refused password was retried without asking"
keys C-] f
wait_for "VNC password for 127.0.0.1:$PORT" 10
keys Escape
wait_for "prefix f retries" 10
keys C-] q
wait_pid_exit

# A server that behaves: keys arrive as X11 keysyms, combos around them.
start_server ok
start_virtmux 120x30 --vnc-address "127.0.0.1:$PORT"
wait_for "127.0.0.1:$PORT  vnc" 10
for _ in $(seq 1 100); do grep -q "update request" "$T/server.out" && break; sleep 0.1; done
grep -q "update request" "$T/server.out" || fail "virtmux did not finish the VNC handshake"
keys C-] :
type_line "send-key C-A-Delete"
for _ in $(seq 1 50); do grep -aq "key up 0xffe3" "$T/server.out" && break; sleep 0.1; done
got=$(grep -a '^key' "$T/server.out" | tr '\n' ' ')
want="key down 0xffe3 key down 0xffe9 key down 0xffff key up 0xffff key up 0xffe9 key up 0xffe3 "
[ "$got" = "$want" ] || fail "send-key C-A-Delete sent '$got', want '$want'"
: > "$T/server.out"
tm send-keys -t vm -l 'A'
for _ in $(seq 1 50); do grep -aq "key up 0xffe1" "$T/server.out" && break; sleep 0.1; done
got=$(grep -a '^key' "$T/server.out" | tr '\n' ' ')
want="key down 0xffe1 key down 0x41 key up 0x41 key up 0xffe1 "
[ "$got" = "$want" ] || fail "typing 'A' sent '$got', want '$want'"
keys C-] q
wait_pid_exit
pass
