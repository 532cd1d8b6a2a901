# libvirt over qemu+ssh (libvirt runs the ssh program): virtmux checks the
# host key first (dialog with the SHA256 fingerprint, saved on "y") and adds
# no_tty=1 so ssh never prompts on the terminal; the domain list fills.
# OpenSSH finds ~ through the password database, not $HOME: the URI's
# command= points at a wrapper that gives ssh the test's own known_hosts.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (private libvirtd in a mount namespace, sshd)"
command -v virsh >/dev/null || skip "virsh is not installed (libvirt-clients)"
command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
[ -x /usr/sbin/libvirtd ] || skip "libvirtd is not installed (libvirt-daemon)"
[ -x /usr/sbin/sshd ] || skip "sshd is not installed (openssh-server)"
command -v ssh >/dev/null || skip "ssh is not installed (openssh-client)"
command -v nc >/dev/null || skip "nc is not installed (netcat-openbsd: libvirt's ssh proxy for socket=)"
. "$ROOT/tests/lib/libvirtd.sh"
. "$ROOT/tests/lib/sshd.sh"

D=$(mktemp -d /tmp/vmxd.XXXX)
down_daemon() { libvirtd_down "$D" >/dev/null 2>&1; rm -rf "$D"; }
on_cleanup down_daemon
S=$T/sshd
down_sshd() { sshd_down "$S"; }
on_cleanup down_sshd

libvirtd_up "$D" >/dev/null || fail "private libvirtd did not start"
cat >"$T/dom.xml" <<XML
<domain type='qemu'>
  <name>sshdom2</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
XML
timeout 60 virsh -q -c "$(libvirtd_uri "$D")" define "$T/dom.xml" >/dev/null || fail "virsh define failed"
sshd_setup "$S" || fail "sshd setup"
sshd_up "$S" || fail "private sshd did not start"
PORT=$(sshd_port "$S")
export HOME=$T/home
unset SSH_AUTH_SOCK
sshd_home "$S" "$HOME" || fail "test HOME"
KH=$HOME/.ssh/known_hosts
cat >"$T/ssh-wrap" <<SH
#!/bin/sh
# the test's known_hosts and key, no user or system config
exec ssh -F /dev/null -o UserKnownHostsFile=$KH -o GlobalKnownHostsFile=/dev/null -i $HOME/.ssh/id_ed25519 "\$@"
SH
chmod +x "$T/ssh-wrap"
FP=$(ssh-keygen -lf "$S/host_ed25519.pub" | awk '{print $2}')

mkdir -p "$XDG_CONFIG_HOME/virtmux"
echo "host lab qemu+ssh://root@127.0.0.1:$PORT/system?socket=$D/run/libvirt-sock&command=$T/ssh-wrap" \
    >"$XDG_CONFIG_HOME/virtmux/config"

start_virtmux 140x35
wait_for "SSH host key" 20
wait_for "$FP" 5
keys y
wait_gone "SSH host key" 5
grep -q "^\[127.0.0.1\]:$PORT ssh-ed25519 " "$KH" || fail "the accepted key is not in $KH"
wait_for "sshdom2" 30
# ssh ran in batch mode: nothing of it reached the terminal.
screen | grep -qiE "password:|passphrase|continue connecting" && fail "ssh prompted on the terminal"
keys H
wait_for "URI / REASON" 5
screen | grep -qE "^lab +connected" || fail "host lab is not connected"
keys q
keys q
wait_pid_exit
pass
