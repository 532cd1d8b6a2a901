# tests/lib/libvirtd-over-ssh.sh — the set-up shared by the end-to-end tests of
# libvirt over SSH: a private libvirtd (tests/lib/libvirtd.sh) holding one
# defined domain, and a private sshd (tests/lib/sshd.sh) on 127.0.0.1 to reach
# it through; the test's cleanup stops both.
#
#     . "$(dirname "$0")/lib.sh"              # first: skip, fail, on_cleanup, T, ROOT
#     . "$ROOT/tests/lib/libvirtd-over-ssh.sh"
#     libvirtd_over_ssh_up NAME               # skips without root or a program it needs
#
# Then D is the libvirtd's directory (socket $D/run/libvirt-sock), S the
# sshd's, PORT its port; HOME is a test home whose ~/.ssh/id_ed25519 the sshd
# accepts for root, with no known_hosts yet (KH, where it will be) and no
# agent; FP is the sshd's host key fingerprint as ssh-keygen prints it.
# shellcheck shell=bash disable=SC2034  # the variables it sets are for the test
. "$ROOT/tests/lib/libvirtd.sh"
. "$ROOT/tests/lib/sshd.sh"

down_daemon() { libvirtd_down "$D" >/dev/null 2>&1; rm -rf "$D"; }
down_sshd() { sshd_down "$S"; }

libvirtd_over_ssh_up() {
    local name=${1:?domain name}
    [ "$(id -u)" = 0 ] || skip "needs root (private libvirtd in a mount namespace, sshd)"
    command -v virsh >/dev/null || skip "virsh is not installed (libvirt-clients)"
    command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
    [ -x /usr/sbin/libvirtd ] || skip "libvirtd is not installed (libvirt-daemon)"
    [ -x /usr/sbin/sshd ] || skip "sshd is not installed (openssh-server)"
    command -v nc >/dev/null || skip "nc is not installed (netcat-openbsd: libvirt's ssh proxy for socket=)"

    D=$(mktemp -d /tmp/vmxd.XXXX)
    on_cleanup down_daemon
    S=$T/sshd
    on_cleanup down_sshd

    libvirtd_up "$D" >/dev/null || fail "private libvirtd did not start"
    cat >"$T/dom.xml" <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
XML
    timeout 60 virsh -q -c "$(libvirtd_uri "$D")" define "$T/dom.xml" >/dev/null || fail "virsh define failed"

    sshd_with_test_home "$S"
    FP=$(ssh-keygen -lf "$S/host_ed25519.pub" | awk '{print $2}')
}
