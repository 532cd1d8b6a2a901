# A real QEMU guest through the embedded driver: `virtmux --demo` builds the
# busybox guest, boots it (TCG) and opens its serial console. Type into it,
# drive busybox vi with arrow keys, and follow a stop and a start.
. "$(dirname "$0")/lib.sh"
need_qemu

start_virtmux 100x30 --demo
wait_for "demo/demo1  serial" 30
wait_for "virtmux demo guest ready" 90
keys Enter
wait_for "demo1:~#" 20

type_line 'echo hello-$((6*7))'
wait_for "hello-42" 20

# busybox vi: arrows in the guest's cursor-key mode, Esc, :wq.
type_line 'vi /tmp/t.txt'
wait_for "/tmp/t.txt" 20
tm send-keys -t vm i; tm send-keys -t vm -l 'first-line'; tm send-keys -t vm Enter; tm send-keys -t vm -l 'second-line'
keys Escape
# busybox vi reads Esc followed at once by more bytes as a key sequence: the
# next key must reach the guest apart from the Esc. A timing need of the
# guest's (its clock, under TCG), not an ordering one; nothing shows it.
sleep 0.5
keys Up
keys Home
keys x x
type_line ':wq'
type_line 'cat /tmp/t.txt; echo END-$((1+1))'
wait_for "END-2" 20
screen | grep -q "^rst-line" || fail "arrow keys did not move the vi cursor to the first line"
screen | grep -q "^second-line" || fail "second line lost"

# Scroll mode: the boot log is in the scrollback; search finds it.
type_line 'i=0; while [ $i -lt 60 ]; do echo filler-$i; i=$((i+1)); done'
wait_for "filler-59" 20
keys C-] '['
wait_for "[scroll: q leaves]" 5
keys / "Run /init" Enter
wait_for "Run /init as init process" 10
keys q
wait_gone "[scroll: q leaves]" 5
wait_for "filler-59" 5

# The list shows it; destroy it from there and the console says so.
keys C-] l
wait_row demo1 "running"
wait_row demo1 "128 MiB"
keys D
wait_for "Destroy 'demo1' on demo?"
keys y
wait_row demo1 "shut off" 30
keys Tab
wait_for "[virtmux: stopped]" 10
wait_for "[stopped]" 10

# Start it again from the list: the console reattaches by itself.
keys C-] l
keys s
wait_row demo1 "running" 30
keys Tab
wait_for "[virtmux: domain running; attaching]" 20
wait_for "virtmux demo guest ready" 90

keys C-] q
wait_pid_exit
pass
