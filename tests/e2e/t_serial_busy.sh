# Another session (virsh console, through a private libvirtd with the QEMU
# driver) holds the console: virtmux says so and asks; "no" leaves it alone,
# "yes" takes it over. Never forced silently.
. "$(dirname "$0")/lib.sh"
need_qemu
need_private_libvirtd

private_libvirtd_up
libvirtd_guest "$D" demo1 >/dev/null || fail "guest did not start"
libvirtd_wait_ready "$D" demo1 120 || fail "guest did not boot"
URI=$(libvirtd_uri "$D")

# virsh console holds the console in a session of its own.
tm -f /dev/null new-session -d -s peer -x 100 -y 20 \
    "timeout --foreground 300 virsh -c '$URI' console demo1; echo PEER-EXIT; read -r _"
peer_shows() { tm capture-pane -p -t peer | grep -q -- "$1"; }
wait_until 10 peer_shows "Connected to domain" || fail "virsh console did not connect"

start_virtmux 120x30 -c "$URI" attach demo1
wait_for "Another session has the console of" 30
keys n
wait_for "left to the other session" 10
wait_for "[busy" 10
tm capture-pane -p -t peer | grep -q "PEER-EXIT" && fail "virsh lost the console although we said no"

# Take it over on purpose: prefix f.
keys C-] f
wait_until 10 peer_shows "PEER-EXIT" || fail "virsh console still holds the console after the takeover"
keys Enter
type_line 'echo mine-$((40+2))'
wait_for "mine-42" 20

keys C-] q
wait_pid_exit
pass
