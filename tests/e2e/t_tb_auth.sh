# SSH host keys and passwords against a real remote host (tests/testbed:
# hostA's own sshd and libvirtd; virtmux runs in the client namespace):
# 1. an unknown host key: a dialog with the key's SHA256 fingerprint (the one
#    ssh-keygen -lf gives for hostA's host key); "y" saves it to the
#    known_hosts file the URI names (a fresh one of the test's own), and the
#    host connects;
# 2. a changed host key (known_hosts holds another key for hostA's address):
#    refused, the warning names file:line, nothing asks or retries, the file
#    is left as it was;
# 3. password login (tbuser, sshauth=password): a wrong password is said to
#    be wrong, then the right one connects; the password never reaches the
#    screen.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (the testbed)"
command -v nsenter >/dev/null && command -v ip >/dev/null && [ -x /usr/sbin/sshd ] ||
    skip "needs nsenter, ip and sshd for the testbed"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86 is not installed (the testbed's libvirtd)"

TB=${TESTBED_SH:-$ROOT/tests/testbed/testbed.sh}
export TESTBED_DIR=/tmp/vmx-tbkey TESTBED_NETNS_PREFIX=vmxk TESTBED_SUBNET=10.78.7
tb_down() { "$TB" down >/dev/null 2>&1; }
on_cleanup tb_down
"$TB" down >/dev/null 2>&1   # leftovers of an earlier, killed run
"$TB" up > "$T/tb-up.log" 2>&1 || { cat "$T/tb-up.log"; fail "testbed up"; }
eval "$("$TB" env)"
G=$TESTBED_GUEST
HOSTPUB=$TESTBED_DIR/hosts/A/sshd/ssh_host_ed25519_key.pub
FP=$(ssh-keygen -lf "$HOSTPUB" | awk '{print $2}')
case $FP in SHA256:*) ;; *) fail "no SHA256 fingerprint from ssh-keygen: $FP" ;; esac
mkdir -p "$XDG_CONFIG_HOME/virtmux"
config() { printf 'set reconnect-max 2\nhost hostA "%s"\n' "$1" > "$XDG_CONFIG_HOME/virtmux/config"; }
hrow() { screen | grep -E "^hostA "; }
hreason() { screen | awk 'f { print; exit } $1 == "hostA" { f = 1 }'; }
quit_virtmux() {
    keys q; keys q
    wait_pid_exit
    wait_for "VIRTMUX-EXIT=0" 10
}

# 1. Unknown host key -> dialog with the fingerprint -> y -> saved, connected.
KH=$T/known_hosts.fresh
: > "$KH"
config "qemu+libssh://root@hostA/system?known_hosts=$KH&known_hosts_verify=normal&keyfile=$TESTBED_SSH_KEY&sshauth=privkey"
SHELL_WRAP="$TESTBED_CLIENT" start_virtmux 160x40
wait_for "SSH host key" 20
wait_for "is not known" 5
wait_for "$FP" 5
wait_for "$KH" 5
wait_for "y = accept and save" 5
[ -s "$KH" ] && fail "known_hosts written before the user accepted"
keys y
wait_gone "SSH host key" 5
# (host names are saved in lower case, as OpenSSH does)
want="hosta $(cut -d' ' -f1,2 "$HOSTPUB")"
grep -qxF "$want" "$KH" || fail "the accepted key is not in $KH as '$want': $(cat "$KH")"
echo "unknown key: fingerprint $FP shown; saved as: $(cut -c1-60 "$KH")..."
wait_row "$G" "shut off" 30
keys H
wait_for "URI / REASON" 5
hrow | grep -qE "^hostA +connected " || fail "hostA is not connected: $(hrow)"
quit_virtmux

# 2. Changed host key: line 3 holds another ed25519 key for hostA's address.
KH=$T/known_hosts.changed
ssh-keygen -q -t ed25519 -N '' -f "$T/oldhost" || fail "ssh-keygen"
{
    echo "# virtmux test: hostA was reinstalled (or someone is in the middle)"
    echo "hostB $(cut -d' ' -f1,2 "$TESTBED_DIR/hosts/B/sshd/ssh_host_ed25519_key.pub")"
    echo "$TESTBED_ADDR_A $(cut -d' ' -f1,2 "$T/oldhost.pub")"
} > "$KH"
before=$(md5sum < "$KH")
accepted_before=$(grep -c "Accepted" "$TESTBED_DIR/hosts/A/sshd.log")
config "qemu+libssh://root@$TESTBED_ADDR_A/system?known_hosts=$KH&known_hosts_verify=normal&keyfile=$TESTBED_SSH_KEY&sshauth=privkey"
tm resize-window -t vm -x 240 -y 40   # the warning is one long status line
start_virtmux 240x40
wait_for "HOST KEY CHANGED" 20
screen | grep -qF "$KH:3" || fail "the warning does not name $KH:3"
screen | grep -qF "$FP" || fail "the warning does not show the server's fingerprint $FP"
screen | grep -qF "y = accept" && fail "a changed key was offered for acceptance"
echo "changed key: $(screen | grep -oE "HOST KEY CHANGED.{0,60}") ... $KH:3"
keys H
wait_for "URI / REASON" 5
hrow | grep -qE "^hostA +auth needed( |$)" || fail "hostA is not waiting for the user: $(hrow)"
hreason | grep -qF "$KH:3" || fail "the host list reason does not name $KH:3"
# Nothing retries by itself while virtmux's reconnect clock runs
# (witness_retries, its listener in the client namespace).
WITNESS_WRAP=$TESTBED_CLIENT witness_retries 2
hrow | grep -qE "^hostA +(connecting|connected)" && fail "virtmux retried a changed key by itself"
hrow | grep -qE "^hostA +auth needed( |$)" || fail "hostA left 'auth needed' by itself: $(hrow)"
[ "$(md5sum < "$KH")" = "$before" ] || fail "known_hosts was changed"
[ "$(grep -c "Accepted" "$TESTBED_DIR/hosts/A/sshd.log")" = "$accepted_before" ] ||
    fail "virtmux logged in to a server whose key changed"
quit_virtmux

# 3. Password: wrong, then right.
PW_BAD='Wrong-Pw-7xq'
config "$TESTBED_PWURI_A"
# sshd.log outlives down/up: look only at what this part adds
SSHD_LOG=$TESTBED_DIR/hosts/A/sshd.log
log_from=$(($(wc -l < "$SSHD_LOG") + 1))
new_log() { tail -n +"$log_from" "$SSHD_LOG"; }
no_secret() {
    tm capture-pane -p -S - -t vm | grep -qF -e "$PW_BAD" -e "$TESTBED_PASSWORD" &&
        fail "a password is on the screen ($1)"
    return 0
}
start_virtmux 160x40
wrong_password_first hostA "$PW_BAD"
echo "wrong password: $(screen | grep -oE "Wrong password[^│|]*" | head -1 | sed 's/ *$//')"
no_secret "after the wrong password"
tm send-keys -t vm -l -- "$TESTBED_PASSWORD"
tm send-keys -t vm Enter
wait_gone "host hostA asks" 15
wait_row "$G" "shut off" 30
keys H
wait_for "URI / REASON" 5
hrow | grep -qE "^hostA +connected " || fail "hostA is not connected with the right password: $(hrow)"
new_log | grep -q "Failed password for tbuser" || fail "sshd never saw the wrong password"
new_log | grep -q "Accepted password for tbuser" || fail "sshd never accepted the right password"
echo "right password: connected as tbuser"
quit_virtmux
no_secret "after exit"
pass
