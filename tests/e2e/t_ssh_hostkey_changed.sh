# A changed SSH host key is refused, with a warning naming the known_hosts
# file and the line of the old key; no dialog offers to accept it, nothing
# retries by itself, the file is left as it was. (No libvirtd needed: virtmux
# checks the key before libvirt connects.)
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (sshd)"
[ -x /usr/sbin/sshd ] || skip "sshd is not installed (openssh-server)"
. "$ROOT/tests/lib/sshd.sh"

S=$T/sshd
down_sshd() { sshd_down "$S"; }
on_cleanup down_sshd
sshd_with_test_home "$S"
# Line 3 holds another ed25519 key for [127.0.0.1]:PORT (the server was
# "reinstalled", or someone is in the middle).
ssh-keygen -q -t ed25519 -N '' -f "$T/oldhost" || fail "ssh-keygen"
{
    echo "# virtmux test"
    echo "other.example $(cut -d' ' -f1,2 "$S/host_ed25519.pub")"
    echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$T/oldhost.pub")"
} >"$KH"
before=$(md5sum "$KH")

mkdir -p "$XDG_CONFIG_HOME/virtmux"
echo "host lab qemu+libssh://root@127.0.0.1:$PORT/system" >"$XDG_CONFIG_HOME/virtmux/config"

start_virtmux 220x30
wait_for "HOST KEY CHANGED" 20
screen | grep -qF "$KH:3" || fail "the warning does not name $KH:3"
screen | grep -qF "y = accept" && fail "a changed key was offered for acceptance"
keys H
wait_for "URI / REASON" 5
screen | grep -qE "^lab +auth needed( |$)" || fail "host lab is not waiting for the user"
screen | awk 'f { print; exit } /^lab / { f = 1 }' | grep -qF "$KH:3" || fail "the host list reason does not name $KH:3"
# Nothing retries by itself: sshd sees no new connection while virtmux's
# reconnect clock runs (witness_retries).
tries=$(grep -c "Connection from" "$S/sshd.log")
[ "$tries" -ge 1 ] || fail "sshd logged no connection from virtmux"
witness_retries
[ "$(grep -c "Connection from" "$S/sshd.log")" = "$tries" ] && ! screen | grep -qE "^lab +(connecting|connected)" ||
    fail "virtmux retried a changed key by itself"
screen | grep -qE "^lab +auth needed( |$)" || fail "host lab left 'auth needed' by itself"
[ "$(md5sum "$KH")" = "$before" ] || fail "known_hosts was changed"
grep -q "Accepted" "$S/sshd.log" && fail "virtmux logged in to a server with a changed key"
keys q
keys q
wait_pid_exit
pass
