# Password login over qemu+libssh: asked in a dialog (typing not shown); a
# wrong password is said to be wrong when libvirt asks again; Esc leaves the
# host "auth needed" and nothing asks again by itself. The password never
# reaches the screen. (root's password is never set by the test: any typed
# password is wrong.)
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (sshd)"
[ -x /usr/sbin/sshd ] || skip "sshd is not installed (openssh-server)"
. "$ROOT/tests/lib/sshd.sh"

PW_BAD='Wrong-Pw-9qv'
S=$T/sshd
down_sshd() { sshd_down "$S"; }
on_cleanup down_sshd
sshd_with_test_home "$S" nokey
echo "[127.0.0.1]:$PORT $(sshd_host_pub "$S")" >"$HOME/.ssh/known_hosts"

mkdir -p "$XDG_CONFIG_HOME/virtmux"
echo "host lab qemu+libssh://root@127.0.0.1:$PORT/system?sshauth=password" >"$XDG_CONFIG_HOME/virtmux/config"

no_secret() {
    tm capture-pane -p -S - -t vm | grep -qF "$PW_BAD" && fail "the password is on the screen ($1)"
    return 0
}

start_virtmux 140x30
wrong_password_first lab "$PW_BAD"
no_secret "after the wrong password"
keys Escape
wait_gone "host lab asks" 5
keys H
wait_for "URI / REASON" 5
for _ in $(seq 1 100); do
    screen | grep -qE "^lab +auth needed( |$)" && break
    sleep 0.1
done
screen | grep -qE "^lab +auth needed( |$)" || fail "host lab is not 'auth needed'"
screen | awk 'f { print; exit } /^lab / { f = 1 }' | grep -qiE "cancel|auth" || fail "no reason under host lab"
# Nothing asks again by itself: no dialog and no new connection at sshd
# while virtmux's reconnect clock runs (witness_retries).
tries=$(grep -c "Connection from" "$S/sshd.log")
witness_retries
screen | grep -qF "host lab asks" && fail "asked again by itself"
[ "$(grep -c "Connection from" "$S/sshd.log")" = "$tries" ] || fail "virtmux connected again by itself"
screen | grep -qE "^lab +auth needed( |$)" || fail "host lab left 'auth needed' by itself"
grep -q "Failed password for root" "$S/sshd.log" || fail "sshd never saw the password attempt"
keys q
keys q
wait_pid_exit
no_secret "after exit"
pass
