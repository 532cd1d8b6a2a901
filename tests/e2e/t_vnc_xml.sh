# The VNC address from the live domain XML: a test-driver domain whose
# <graphics type='vnc'> points at a (well-behaved) test server. The test driver
# cannot pass the display's socket (virDomainOpenGraphicsFD), so virtmux falls
# back to the listen address and port; keys reach the server; a destroy shows
# [stopped] and a start reattaches.
. "$(dirname "$0")/lib.sh"

HOSTILE=$ROOT/build/hostile_server
if [ ! -x "$HOSTILE" ] || [ "$ROOT/tests/vnc/hostile_server.c" -nt "$HOSTILE" ]; then
    make -s -C "$ROOT" build/hostile_server >/dev/null || fail "cannot build the test VNC server"
fi
"$HOSTILE" ok >> "$T/server.out" 2>&1 &
SERVER_PID=$!
stop_server() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; return 0; }
on_cleanup stop_server
port_from "$T/server.out" "test VNC server"

cat > "$T/vncguest.xml" <<XML
<domain type='test'>
  <name>vncguest</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <graphics type='vnc' port='$PORT' autoport='no' listen='127.0.0.1'/>
  </devices>
</domain>
XML

start_virtmux 120x30 -c test:///default
wait_row test "running"
keys :
type_line "create -H test $T/vncguest.xml"
wait_row vncguest "running" 10
wait_row vncguest "vnc" 10
keys :
type_line "attach --vnc vncguest"
wait_for "test/vncguest  vnc  running" 10
wait_for "text 80x25" 10
n=$(grep -ac '^connection' "$T/server.out")

tm send-keys -t vm -l 'q'
for _ in $(seq 1 50); do grep -aq "key up 0x71" "$T/server.out" && break; sleep 0.1; done
grep -aq "key down 0x71" "$T/server.out" || fail "the typed key did not reach the VNC server"

keys C-] :
type_line "destroy -y vncguest"
wait_for "[stopped]" 10
keys C-] :
type_line "start vncguest"
wait_gone "[stopped]" 10
for _ in $(seq 1 50); do [ "$(grep -ac '^connection' "$T/server.out")" -gt "$n" ] && break; sleep 0.1; done
[ "$(grep -ac '^connection' "$T/server.out")" -gt "$n" ] || fail "no reattach after the start"
wait_for "text 80x25" 10

keys C-] q
wait_pid_exit
pass
