# libvirt over qemu+ssh (libvirt runs the ssh program): virtmux checks the
# host key first (dialog with the SHA256 fingerprint, saved on "y") and adds
# no_tty=1 so ssh never prompts on the terminal; the domain list fills.
# OpenSSH finds ~ through the password database, not $HOME: the URI's
# command= points at a wrapper that gives ssh the test's own known_hosts.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/lib/libvirtd-over-ssh.sh"
command -v ssh >/dev/null || skip "ssh is not installed (openssh-client)"
libvirtd_over_ssh_up sshdom2
cat >"$T/ssh-wrap" <<SH
#!/bin/sh
# the test's known_hosts and key, no user or system config
exec ssh -F /dev/null -o UserKnownHostsFile=$KH -o GlobalKnownHostsFile=/dev/null -i $HOME/.ssh/id_ed25519 "\$@"
SH
chmod +x "$T/ssh-wrap"

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
