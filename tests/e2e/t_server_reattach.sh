# The session lives in the server. Closing the client's terminal (tmux
# kill-session: the client gets SIGHUP) only detaches; a new terminal brings
# back the same tabs and splits, and every line the guest printed meanwhile,
# each exactly once and in order.
. "$(dirname "$0")/lib.sh"
need_qemu

start_virtmux 140x40 --demo
wait_for "virtmux demo guest ready" 90
keys Enter
wait_for "demo1:~#" 20

# A split: the VNC console in a tab of its own, joined beside the serial one.
run_command "attach --vnc demo1"
wait_for "demo/demo1  vnc" 20
run_command "select-window 1"
wait_for "demo/demo1  serial" 10
keys C-] '|'
wait_for "[1:demo1+]" 10
wait_for "demo/demo1  vnc" 10
keys C-] Left
wait_for ">demo/demo1  serial" 10

# 300 ticks, 100 ms apart: ~30 s of output, most of it while detached.
type_line 'i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo tick$i; usleep 100000; done; echo ticks-$((150*2))-done'
wait_for "tick3" 20
tm kill-session -t vm
wait_clients 0 10
# Still printing with nobody attached: the server keeps reading.
wait_capture "tick120" 60

start_virtmux 140x40
wait_for "[1:demo1+]" 10
wait_for "demo/demo1  serial" 10
wait_for "demo/demo1  vnc" 10
wait_capture "ticks-300-done" 90
vmx capture-pane > "$T/captured" || fail "capture-pane failed"
ticks_exact "$T/captured" 1 300 || fail "the ticks in the scrollback are not 1..300, each once, in order"
grep -q "ticks-300-done" <(screen) || fail "the end of the output is not on screen"
keys C-] q
wait_pid_exit
pass
