# One run against a real QEMU guest: `virtmux --demo` builds the busybox guest,
# boots it under qemu:///embed (TCG) and the list shows it; destroy and start
# it from the keyboard and read the states back from the terminal.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (the host kernel in /boot is readable by root only)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86 is not installed"
ls /boot/vmlinuz-* >/dev/null 2>&1 || skip "no kernel in /boot (linux-image-amd64)"
[ -x /bin/busybox ] || skip "busybox-static is not installed"

EMBED_ROOT="$XDG_STATE_HOME/virtmux/demo"
# QEMU outlives the embedding process (libvirt's embed driver has no
# autodestroy): stop our guest by the PID its pid file records.
stop_guest() {
    local pidfile="$EMBED_ROOT/run/qemu/demo1.pid" pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
}
on_cleanup stop_guest

start_virtmux 120x24 --demo
wait_row demo1 "running" 60
screen | grep -E " demo1 " | grep -q "128 MiB" || fail "demo1 memory"
wait_row demo1 "serial vnc" 20

keys D
wait_for "Destroy 'demo1' on demo?"
keys y
wait_row demo1 "shut off" 30
keys s
wait_row demo1 "running" 60
keys q
wait_pid_exit
pass
