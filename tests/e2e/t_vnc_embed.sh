# The tiny guest's VGA screen through VNC, as text: `virtmux --demo --vnc`
# boots it under qemu:///embed and opens its VNC display (the socket comes
# from virDomainOpenGraphicsFD). The SeaBIOS banner and the kernel's log must
# appear as text; then type into the shell on tty1 and see its output.
. "$(dirname "$0")/lib.sh"
need_qemu

start_virtmux 100x32 --demo --vnc
wait_for "demo/demo1  vnc" 30
# SeaBIOS shows for a few seconds only; if the first attach came too late,
# a reboot later in the test shows it again.
seabios=0
seabios_or_ready() { on_screen "SeaBIOS (version" && seabios=1 && return 0; on_screen "virtmux demo guest ready"; }
wait_until 30 seabios_or_ready
wait_for "text 80x25" 60
wait_for "Run /init as init process" 90
wait_for "virtmux demo guest ready" 90
screen | grep -Eq '^\[ *[0-9]+\.[0-9]+\] ' || fail "no kernel log line as text"
screen | grep -q "unknown" && fail "cells the recogniser could not read"

keys Enter
wait_for "demo1:~#" 30
type_line 'echo vnc-ok'
wait_until 20 screen_re '^vnc-ok *$' || fail "'vnc-ok' did not appear on a line of its own"
# Shifted characters go through as Shift + key.
type_line 'echo "sum=$((6*7))"'
wait_until 20 screen_re '^sum=42 *$' || fail "shifted characters were not typed right"

# A short pane: the VNC console above the serial one (a split of 32 rows).
# The 80x25 screen is full of the boot's lines: the pane shows its bottom,
# where the prompt and the cursor are, not its top.
run_command "attach demo1"
wait_for "demo/demo1  serial" 10
keys C-] 1
wait_for "demo/demo1  vnc" 10
keys C-] -
wait_for "demo/demo1  serial" 10
keys C-] Up
wait_for ">demo/demo1  vnc" 10
# The VNC pane: the lines above the serial pane's title.
vnc_pane() { screen | awk '/demo\/demo1  serial/ { exit } { print }'; }
vnc_pane_re() { vnc_pane | grep -qE -- "$1"; }
[ "$(vnc_pane | wc -l)" -lt 20 ] || fail "the VNC pane is not shorter than the guest's 25 rows"
type_line 'echo split-ok'
wait_until 20 vnc_pane_re '^split-ok *$' || fail "'split-ok' is not in the short VNC pane"
wait_until 10 vnc_pane_re '^demo1:~# *$' || fail "the prompt is not in the short VNC pane"
keys C-] Down
wait_for ">demo/demo1  serial" 10
keys C-] x
wait_gone "demo/demo1  serial" 10
wait_for "demo/demo1  vnc" 10

if [ $seabios = 0 ]; then
    type_line 'reboot -f'
    wait_for "SeaBIOS (version" 60
fi
echo "seabios seen at first attach: $seabios"

# prefix v: the same domain's serial console in this pane, and back.
keys C-] v
wait_for "demo/demo1  serial" 10
keys C-] v
wait_for "demo/demo1  vnc" 10

# Destroyed: the pane says so; started again: it reattaches by itself.
keys C-] l
wait_row demo1 "running"
keys D
wait_for "Destroy 'demo1' on demo?"
keys y
wait_row demo1 "shut off" 30
keys Tab
wait_for "[stopped]" 15
keys C-] l
keys s
wait_row demo1 "running" 30
keys Tab
wait_gone "[stopped]" 20
wait_for "SeaBIOS (version" 30

# Ctrl-Alt-Delete from the prefix table is sent (the guest's pid 1 is a shell
# that ignores the kernel's SIGINT for it, so only the sending is checked here;
# t_vnc_hostile.sh checks the key events themselves).
keys C-] Delete
wait_for "sent C-A-Delete" 5

keys C-] q
wait_pid_exit
pass
