# A VNC console open before its guest starts keeps its connection through
# the guest's video mode switches: QEMU's display is 640x480 until the VGA
# BIOS sets 720x400 text mode. The guest (VNC only, a private libvirtd) is
# started paused, so the console is surely attached to the 640x480 screen
# before the switch; resumed, it boots to its prompt, and virtmux must not
# have dropped and reattached the connection on the way (its messages).
. "$(dirname "$0")/lib.sh"
need_qemu
need_private_libvirtd

private_libvirtd_up
URI=$(libvirtd_uri "$D")
xml=$("$ROOT/demo/mkguest.sh" "$D/guest" vboot) || fail "mkguest"
sed "/<serial type='pty'>/,/<\/serial>/d; /<console type='pty'>/,/<\/console>/d" "$xml" > "$D/guest/vboot.run.xml"
virsh -q -c "$URI" define "$D/guest/vboot.run.xml" >/dev/null || fail "define vboot"

start_virtmux 100x32 -c "$URI" attach --vnc vboot
wait_for "vboot  vnc" 30
wait_for "[stopped]" 30
virsh -q -c "$URI" start --paused vboot >/dev/null || fail "start --paused vboot"
# Attached, and seeing QEMU's own 640x480 screen (read as 80x30 text of
# 8x16 cells) from before the VGA BIOS ran.
wait_gone "[stopped]" 30
wait_for "text 80x30 (8x16)" 30
wait_for "Guest has not initialized the display" 10
virsh -q -c "$URI" resume vboot >/dev/null || fail "resume vboot"
wait_for "text 80x25 (9x16)" 60
wait_for "virtmux demo guest ready" 180

# Every message so far, and a last one of the test's own (a positive sign
# that the list is on screen).
run_command 'display-message boot-checked'
run_command 'show-messages'
wait_for "boot-checked" 10
echo "messages: $(screen | grep -F 'vboot' | head -5)"
screen | grep -qF "VNC reattached" && fail "the VNC connection dropped during the boot"
screen | grep -qF "vboot: VNC:" && fail "a VNC error during the boot"
keys q

keys C-] q
wait_pid_exit
pass
