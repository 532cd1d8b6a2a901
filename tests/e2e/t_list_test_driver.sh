# The table on screen from libvirt's test driver, and a destroy -> confirm ->
# "shut off" -> start round trip, read back from the real terminal.
. "$(dirname "$0")/lib.sh"

start_virtmux 120x24 -c test:///default
wait_for "HOST"
wait_row test "running"
screen | grep -q "NAME" || fail "no NAME column"
wait_row test "2 GiB"

# Declining the confirmation changes nothing.
keys D
wait_for "Destroy 'test' on test?"
keys n
wait_for "destroy cancelled"
wait_row test "running"

keys D
wait_for "Destroy 'test' on test?"
keys y
wait_row test "shut off"
wait_for "destroy test/test: done"

keys s
wait_row test "running"

keys p
wait_row test "paused"
keys P
wait_row test "running"

# libvirt's own error text reaches the status line.
keys s
wait_for "is already running"

keys q
wait_exit 0
pass
