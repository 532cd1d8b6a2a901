# A host that drops and comes back: the private libvirtd is killed (SIGKILL,
# as in a crash); the rows say "? host lost", the host list says
# "disconnected" and why, virtmux stays usable, and once the daemon is back
# the host reconnects by itself (backoff 1, 2, 4 ... s) and the rows show
# their real state again.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (private libvirtd in a mount namespace)"
command -v virsh >/dev/null || skip "virsh is not installed (libvirt-clients)"
command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
[ -x /usr/sbin/libvirtd ] || skip "libvirtd is not installed (libvirt-daemon)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86 is not installed"
. "$ROOT/tests/lib/libvirtd.sh"

D=$(mktemp -d /tmp/vmxd.XXXX)
down_daemon() { libvirtd_down "$D" >/dev/null 2>&1; rm -rf "$D"; }
on_cleanup down_daemon
libvirtd_up "$D" >/dev/null || fail "private libvirtd did not start"
URI=$(libvirtd_uri "$D")

# One defined, never started domain: a row without a QEMU process (nothing
# outlives the daemon we kill).
cat >"$D/demo1.xml" <<'EOF'
<domain type='qemu'>
  <name>demo1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
EOF
timeout 60 virsh -q -c "$URI" define "$D/demo1.xml" >/dev/null || fail "virsh define failed"


start_virtmux 120x30 -c "$URI"
wait_row demo1 "shut off" 15

# The daemon crashes.
DPID=$(libvirtd_pid "$D") || fail "no pid for the private libvirtd"
kill -KILL "$DPID"
# It is our background job (libvirtd_up): reap it quietly (no "Killed" notice).
{ wait "$DPID"; } 2>/dev/null
for _ in $(seq 1 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$DPID" 2>/dev/null && fail "libvirtd (pid $DPID) survived SIGKILL"
T0=$(date +%s)
wait_row demo1 "? host lost" 10
wait_for "host qemu:" 5     # the status line says so

# Still responsive during the outage: help opens and closes.
keys '?'
wait_for "q or Esc closes this page" 5
keys q
wait_gone "q or Esc closes this page" 5
wait_row demo1 "? host lost" 5

keys H
wait_for "URI / REASON" 5
host_state_is connected && fail "host list says connected while the daemon is dead"
# "disconnected" (or "connecting" during a retry) with a reason.
for _ in $(seq 1 50); do host_state_is disconnected && break; sleep 0.1; done
host_state_is disconnected || fail "host list does not say disconnected"
reason=$(host_reason)
echo "$reason" | grep -qE "closed by the other side|keepalive|connection|connect|socket|No such file" ||
    fail "host list gives no reason for the disconnect: '$reason'"

# The daemon comes back on the same directory; the host reconnects by itself.
libvirtd_up "$D" >/dev/null || fail "private libvirtd did not restart"
T1=$(date +%s)
wait_host_state connected 15
for _ in $(seq 1 30); do [ -z "$(host_reason | tr -d ' ')" ] && break; sleep 0.1; done
[ -z "$(host_reason | tr -d ' ')" ] || fail "host list still shows a reason while connected: '$(host_reason)'"
echo "outage $((T1 - T0))s, reconnected $(($(date +%s) - T1))s after the restart"
keys q
wait_row demo1 "shut off" 10
screen | grep -qF "? host lost" && fail "a row still says the host is lost"

keys q
wait_pid_exit
wait_for "VIRTMUX-EXIT=0" 10
pass
