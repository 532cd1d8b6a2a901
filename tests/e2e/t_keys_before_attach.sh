# `virtmux -c URI attach DOMAIN` while the host has not answered yet: the
# pane is there from the first frame and says [connecting]; what is typed
# meanwhile is held for the guest and sent once the console opens. The
# list's one-key commands (r reboot, q quit, Enter attach ...) never see it.
. "$(dirname "$0")/lib.sh"
need_qemu
command -v virsh >/dev/null || skip "virsh is not installed (libvirt-clients)"
command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
. "$ROOT/tests/lib/libvirtd.sh"

D=$(mktemp -d /tmp/vmxd.XXXX)
DPID=""
down_daemon() {
    [ -n "$DPID" ] && kill -CONT "$DPID" 2>/dev/null
    libvirtd_down "$D" >/dev/null 2>&1
    rm -rf "$D"
}
on_cleanup down_daemon
libvirtd_up "$D" >/dev/null || fail "private libvirtd did not start"
libvirtd_guest "$D" demo1 >/dev/null || fail "guest did not start"
libvirtd_wait_ready "$D" demo1 120 || fail "guest did not boot"
URI=$(libvirtd_uri "$D")
DPID=$(cat "$D/libvirtd.pid")
[ -n "$DPID" ] || fail "no libvirtd pid"

# The daemon stops answering: connecting hangs until it is continued.
kill -STOP "$DPID"
start_virtmux 120x30 -c "$URI" attach demo1
wait_for "demo1  serial" 10
wait_for "[connecting]" 5
screen | grep -q "HOST  *NAME" && fail "the domain list is shown while connecting"
# A line for the guest, with letters the list binds (r, q, s, D...).
tm send-keys -t vm -l 'echo held-$((2+3)) rsqD'
tm send-keys -t vm Enter
# The server has every one of them (23 characters and Enter), held.
wait_for "[connecting: 24 keys held]" 5
screen | grep -q "HOST  *NAME" && fail "the typed keys reached the domain list"
kill -0 "$VIRTMUX_PID" 2>/dev/null || fail "virtmux quit on a typed q"

kill -CONT "$DPID"
wait_for "held-5 rsqD" 30
wait_for "keys typed while connecting sent" 10
virsh -c "$URI" domstate demo1 | grep -q running || fail "demo1 is not running (a typed key acted on it)"

keys C-] q
wait_pid_exit
pass
