# libvirt over SSH: virtmux lists a private libvirtd's domains over
# qemu+libssh through a private sshd on 127.0.0.1. The host key is unknown:
# virtmux asks in a dialog showing its SHA256 fingerprint, and saves it to the
# test's own known_hosts only after "y". Then sshd is killed: the host goes
# "disconnected" with the reason; sshd comes back: reconnected within 10 s.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib/libvirtd-over-ssh.sh"
libvirtd_over_ssh_up sshdom1
case $FP in SHA256:*) ;; *) fail "no SHA256 fingerprint from ssh-keygen: $FP" ;; esac

URI="qemu+libssh://root@127.0.0.1:$PORT/system?socket=$D/run/libvirt-sock"
mkdir -p "$XDG_CONFIG_HOME/virtmux"
cat >"$XDG_CONFIG_HOME/virtmux/config" <<CFG
set reconnect-max 2
host lab $URI
CFG

lab_state_is() { screen | grep -qE "^lab +$1( |$)"; }
lab_reason() { screen | awk 'f { print; exit } /^lab / { f = 1 }'; }
wait_lab() { wait_until "${2:-10}" lab_state_is "$1" || fail "host lab did not become '$1' within ${2:-10}s"; }

start_virtmux 140x35

# 1. Unknown host key: a dialog with the SHA256 fingerprint; nothing saved yet.
wait_for "SSH host key" 20
wait_for "$FP" 5
wait_for "is not known" 5
wait_for "y = accept and save" 5
[ -e "$KH" ] && grep -q "127.0.0.1" "$KH" && fail "known_hosts written before the user accepted"
keys y
wait_gone "SSH host key" 5
grep -q "^\[127.0.0.1\]:$PORT ssh-ed25519 " "$KH" || fail "the accepted key is not in $KH"

# 2. Connected: the private libvirtd's domain is listed; the host list shows
#    libvirt's and QEMU's versions.
wait_for "sshdom1" 30
keys H
wait_for "URI / REASON" 5
wait_lab connected 5
screen | grep -E "^lab " | grep -qE "libvirt [0-9]+\.[0-9]+\.[0-9]+ QEMU [0-9]+\." ||
    fail "the host list does not show libvirt and QEMU versions"
screen | grep -E "^lab " | grep -qE " 1 " || fail "the host list does not count 1 domain"

# 3. sshd goes away (with its connections): disconnected, with a reason.
sshd_down "$S"
wait_lab disconnected 20
lab_reason | grep -qiE "closed|lost|refused|error|keepalive" || fail "no reason shown: $(lab_reason)"

# 4. sshd is back: reconnected within 10 s, no question asked (the key is known).
sshd_up "$S" || fail "private sshd did not restart"
wait_lab connected 10
screen | grep -qF "SSH host key" && fail "asked about a known host key"
keys q
wait_for "sshdom1" 5
keys q
wait_pid_exit
wait_for "VIRTMUX-EXIT=0" 10
pass
