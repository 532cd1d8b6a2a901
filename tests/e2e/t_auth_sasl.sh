# Credentials are asked inside the UI: a private libvirtd that requires SASL
# (SCRAM-SHA-256, or DIGEST-MD5) on its unix socket. Esc in the dialog leaves
# the host "auth needed" and nothing retries by itself; `c` in the host list
# asks again; a wrong password gives libvirt's error in the status line and
# the host list; the right one connects. No typed password is ever on screen
# (or in virtmux's state/config files).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (private libvirtd in a mount namespace)"
command -v virsh >/dev/null || skip "virsh is not installed (libvirt-clients)"
command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
[ -x /usr/sbin/libvirtd ] || skip "libvirtd is not installed (libvirt-daemon)"
command -v saslpasswd2 >/dev/null || skip "saslpasswd2 is not installed (sasl2-bin)"
ls /usr/lib/*/sasl2/libscram.so* /usr/lib/*/sasl2/libdigestmd5.so* >/dev/null 2>&1 ||
    skip "no SCRAM/DIGEST-MD5 SASL plugin (libsasl2-modules)"
. "$ROOT/tests/lib/libvirtd.sh"

USER_OK=alice
PW_OK='Right-Pw-7xq'
PW_BAD='Wrong-Pw-3kz'

D=$(mktemp -d /tmp/vmxd.XXXX)
down_daemon() { libvirtd_down "$D" >/dev/null 2>&1; rm -rf "$D"; }
on_cleanup down_daemon
libvirtd_enable_sasl "$D" "$USER_OK" "$PW_OK" || fail "could not set up SASL for the private libvirtd"
libvirtd_up "$D" >/dev/null || fail "private libvirtd did not start"
URI=$(libvirtd_uri "$D")
# The daemon really wants a login: without credentials virsh is refused.
if timeout 10 virsh -q -c "$URI" list --all </dev/null >/dev/null 2>&1; then
    fail "the private libvirtd accepted a client without SASL credentials"
fi

# Every screen we look at: a typed password must never be on it.
no_secret() {
    local s
    s=$(tm capture-pane -p -S - -t vm)
    case $s in
    *"$PW_OK"* | *"$PW_BAD"*) fail "a typed password is on the screen ($1)" ;;
    esac
}
# type_secret TEXT: type into the dialog, check it is not shown, then Enter.
type_secret() {
    tm send-keys -t vm -l -- "$1"
    settle
    no_secret "while typing"
    keys Enter
}

start_virtmux 120x30 -c "$URI"

# 1. The first question is the user name; Esc gives up: "auth needed", and
#    nothing asks again by itself.
wait_for "host qemu asks" 15
wait_for "authentication name" 5
screen | grep -qF "(typing is not shown)" && fail "the user name question says typing is not shown"
keys Escape
wait_gone "host qemu asks" 5
keys H
wait_for "URI / REASON" 5
wait_host_state "auth needed" 5
wait_for "authentication cancelled" 5
witness_retries   # the reconnect clock ran: a retry pending would have fired
screen | grep -qF "host qemu asks" && fail "virtmux asked again by itself after Esc"
host_state_is "auth needed" || fail "host left 'auth needed' by itself"

# 2. `c` asks again; a wrong password: libvirt's error, in the status line
#    and as the host's reason.
keys c
wait_for "host qemu asks" 10
wait_for "authentication name" 5
type_line "$USER_OK"
wait_for "enter your password" 10
wait_for "(typing is not shown)" 5
type_secret "$PW_BAD"
wait_for "host qemu: authentication failed" 15
no_secret "after the wrong password"
# The reason line under the host's row (indented past the HOST column).
host_reason | grep -qF "authentication failed" || fail "the host list does not show why the host is not connected"
host_state_is connected && fail "connected with a wrong password"

# 3. Asked again (automatic retry with backoff; or `c` if it waits for us),
#    now with the right credentials: connected.
if ! wait_until 5 on_screen "host qemu asks"; then
    host_state_is connected && fail "connected with a wrong password"
    keys c
fi
wait_for "host qemu asks" 10
wait_for "authentication name" 5
type_line "$USER_OK"
wait_for "enter your password" 10
type_secret "$PW_OK"
wait_host_state connected 15
wait_gone "host qemu asks" 5
# The reason is gone once connected.
reason_cleared() { ! host_reason | grep -qE "authentication (failed|cancelled)"; }
wait_until 3 reason_cleared || fail "the host list still shows an error while connected"
no_secret "connected"

# 4. Leave; the shell's screen and virtmux's files hold no password either.
keys q          # host list -> domain list
wait_for "hosts 1/1" 5
keys q
wait_pid_exit
wait_for "VIRTMUX-EXIT=0" 10
no_secret "after exit"
if grep -rqF -e "$PW_OK" -e "$PW_BAD" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" 2>/dev/null; then
    fail "a password was written to virtmux's config or state files"
fi
pass
