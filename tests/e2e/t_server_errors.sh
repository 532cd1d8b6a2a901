# What can go wrong between clients and the server gets a clear answer and
# hurts nobody else: a socket directory someone else could reach, a stale
# socket, a client of another protocol version, garbage, a frame over the
# limit, a thousand connections at once. Throughout, an attached client keeps
# working.
. "$(dirname "$0")/lib.sh"
RAW="python3 $ROOT/tests/e2e/tools/rawclient.py"
command -v python3 >/dev/null || skip "python3 is not installed"

mkdir -p "$XDG_CONFIG_HOME/virtmux"
echo "set client-timeout 5" > "$XDG_CONFIG_HOME/virtmux/config"

# A socket directory others can enter, or owned by someone else: refused.
BAD=$T/badrun
mkdir -p "$BAD/virtmux"
chmod 755 "$BAD/virtmux"
out=$(XDG_RUNTIME_DIR=$BAD timeout 10 "$VIRTMUX" list-sessions 2>&1) && fail "a 0755 socket directory was used"
echo "$out" | grep -q "has mode 755: others could reach your consoles" || fail "mode: $out"
chmod 700 "$BAD/virtmux"
chown 65534 "$BAD/virtmux"
out=$(XDG_RUNTIME_DIR=$BAD timeout 10 "$VIRTMUX" list-sessions 2>&1) && fail "a directory of uid 65534 was used"
echo "$out" | grep -q "belongs to uid 65534, not to you" || fail "owner: $out"
out=$(timeout 10 "$VIRTMUX" list-sessions 2>&1) && fail "list-sessions without a server succeeded"
echo "$out" | grep -q "no server running on $SERVER_SOCK" || fail "no server: $out"

# A stale socket (its server gone) is replaced by a new server.
mkdir -p -m 700 "$XDG_RUNTIME_DIR/virtmux"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$SERVER_SOCK"
[ -S "$SERVER_SOCK" ] || fail "no stale socket to test with"
start_virtmux 100x25 -c test:///default
wait_row test "running" 10

# Another protocol version: told which, and by whom.
out=$($RAW "$SERVER_SOCK" version 999)
echo "$out" | grep -q "^EXIT 1 this virtmux server .* speaks protocol 1, the client protocol 999" ||
    fail "version mismatch: $out"
# Garbage, and a frame larger than the limit.
out=$($RAW "$SERVER_SOCK" garbage)
case $out in EXIT*|closed*) ;; *) fail "garbage: $out" ;; esac
out=$($RAW "$SERVER_SOCK" oversize)
echo "$out" | grep -q "larger than the protocol allows" || fail "oversize: $out"

# A client that never acknowledges its screen is let go after client-timeout
# (5 s here, 90 s by default), alone.
out=$($RAW "$SERVER_SOCK" mute)
echo "$out" | grep -q "did not read its screen for too long" || fail "mute client: $out"
secs=$(echo "$out" | sed -n 's/^let go after \([0-9]*\)\..*/\1/p')
[ -n "$secs" ] && [ "$secs" -ge 4 ] && [ "$secs" -lt 60 ] || fail "client-timeout 5 not honoured: $out"

# The attached client did not notice.
keys /
keys -l tes
wait_for "filter 'tes'" 5
keys Escape
wait_gone "filter 'tes'" 5

# A thousand connections that never say HELLO: the server takes what it may
# (256), tells the rest, and the attached client keeps working.
mkfifo "$T/hold"
$RAW "$SERVER_SOCK" silent 1000 < "$T/hold" > "$T/silent.out" 2>&1 &
RAWPID=$!
exec 7> "$T/hold"
for _ in $(seq 1 100); do grep -q "^open 1000" "$T/silent.out" && break; sleep 0.1; done
grep -q "^open 1000" "$T/silent.out" || fail "the thousand connections did not connect: $(cat "$T/silent.out")"
out=$($RAW "$SERVER_SOCK" version 1)
echo "$out" | grep -q "too many clients (256)" || fail "over the limit: $out"
keys /
keys -l zz
wait_for "filter 'zz'" 5
keys Escape
wait_gone "filter 'zz'" 5
exec 7>&-
wait "$RAWPID"
# With them gone, new clients are served again.
for _ in $(seq 1 50); do vmx server-info >/dev/null 2>&1 && break; sleep 0.2; done
vmx server-info | grep -q "1 client attached" || fail "server-info after the flood: $(vmx server-info 2>&1)"

keys q
wait_exit 0
pass
