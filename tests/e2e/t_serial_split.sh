# Two real guests' serial consoles side by side in one tab; focus moves with
# the prefix and arrows; every console is logged and the log is replayed into
# the scrollback when the console is opened again.
. "$(dirname "$0")/lib.sh"
need_qemu

sh "$ROOT/demo/mkguest.sh" "$T/g2" demo2 >/dev/null || fail "mkguest demo2"
mkdir -p "$XDG_CONFIG_HOME/virtmux"
printf 'set log-dir %s/logs\n' "$T" > "$XDG_CONFIG_HOME/virtmux/config"

start_virtmux 160x40 --demo
wait_for "virtmux demo guest ready" 90
keys C-] : "create $T/g2/demo2.xml" Enter
wait_for "demo2 on demo: started" 30

# From the list, the selected domain joins the last console tab.
keys C-] l
wait_row demo2 "running" 30
keys / demo2 Enter
keys '|'
wait_for "demo/demo1  serial" 10
wait_for "demo/demo2  serial" 10
wait_for "virtmux demo guest ready" 90
both_ready() { [ "$(screen | grep -c 'virtmux demo guest ready')" -ge 2 ]; }
wait_until 20 both_ready
keys Enter
type_line 'echo two-$((1+1))'
wait_for "two-2" 20

keys C-] Left
type_line 'echo one-$((0+1))'
wait_for "one-1" 20
# Each line went to its own guest: the panes sit side by side, so the left
# half of the screen belongs to demo1.
screen | cut -c1-79 | grep -q "one-1" || fail "one-1 is not in the left (demo1) pane"
screen | cut -c81- | grep -q "two-2" || fail "two-2 is not in the right (demo2) pane"

# The watch grid: close both, then watch every running console read-only.
keys C-] x
keys C-] x
wait_for "[0:list]" 10
keys Escape
keys w
wait_for "watching 2 consoles" 10
wait_for "demo/demo1  serial" 10
wait_for "demo/demo2  serial" 10
keys a
wait_for "is read-only" 5
# Enter opens the focused one for typing in a tab of its own.
keys Enter
wait_for "[2:" 10
keys Enter
type_line 'echo typed-$((3*3))'
wait_for "typed-9" 20

keys C-] q
wait_pid_exit
grep -q "one-1" "$T/logs/demo-demo1.log" || fail "demo1's text log lacks its output"
grep -q "two-2" "$T/logs/demo-demo2.log" || fail "demo2's text log lacks its output"
# The raw log's records put back together (raw_payload, lib.sh).
raw_payload "$T/logs/demo-demo1.raw" > "$T/demo1.bytes"
grep -qa "one-1" "$T/demo1.bytes" || fail "demo1's raw log lacks its output"
if grep -q $'\033' "$T/logs/demo-demo1.log"; then fail "escape bytes in the text log"; fi

# Open demo1 again: the end of its log comes back into the scrollback.
printf 'host demo "qemu:///embed?root=%s"\n' "$EMBED_ROOT" >> "$XDG_CONFIG_HOME/virtmux/config"
start_virtmux 160x40 attach demo1
wait_for "[virtmux: live]" 30
wait_for "one-1" 10
keys C-] q
wait_pid_exit
pass
