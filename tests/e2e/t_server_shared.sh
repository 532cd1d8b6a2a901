# One console, many clients: one libvirt stream held by the server and
# fanned out. Two clients show the same console; keys from the read-write
# client reach the guest exactly once; a read-only client sends nothing; a
# watch-all grid in another session takes nothing away from the one typing;
# and virsh console is refused as busy all along (nobody opened a second stream).
. "$(dirname "$0")/lib.sh"
need_qemu
need_private_libvirtd

private_libvirtd_up
libvirtd_guest "$D" demo1 >/dev/null || fail "guest did not start"
libvirtd_wait_ready "$D" demo1 120 || fail "guest did not boot"
URI=$(libvirtd_uri "$D")

# virsh console must find the console busy: the server holds the one stream.
virsh_busy() {
    local out
    # virsh console wants a terminal: script(1) gives it one.
    out=$(timeout 10 script -qec "virsh -c '$URI' console demo1" /dev/null 2>&1 < /dev/null)
    echo "$out" | grep -qi "active console session" ||
        fail "virsh console was not refused as busy ($1): $out"
}

start_virtmux 120x30 -c "$URI" attach demo1
wait_for "qemu/demo1  serial" 30
wait_for "[virtmux: domain running; attaching]" 30
keys Enter
wait_for "demo1:~#" 20
virsh_busy "one client"

# A second client, read-only, attached to the same session in another terminal.
tm new-session -d -s ro -x 120 -y 30 "cd '$ROOT' && env PS1='$ ' LANG=C.UTF-8 TERM=xterm-256color bash --norc --noprofile -i"
tm send-keys -t ro "'$VIRTMUX' attach-session -r" Enter
ro_screen() { tm capture-pane -p -t ro; }
wait_ro() {
    local i
    for i in $(seq 1 100); do ro_screen | grep -qF -- "$1" && return 0; sleep 0.1; done
    fail "the read-only client did not show '$1': $(ro_screen | tail -3)"
}
wait_ro "qemu/demo1  serial"
wait_ro "[read-only]"
wait_for "[2 viewers]" 10
wait_ro "[2 viewers]"

# Output reaches both.
type_line 'echo both-$((20+1))'
wait_for "both-21" 20
wait_ro "both-21"

# Keys from the read-write client arrive once, in order; the read-only
# client's keys are refused (it says so) and never reach the guest.
type_line "stty -echo; echo CAT-\$((2*3)); cat > /tmp/keys"
wait_for "CAT-6" 20
send_keys 1 40
tm send-keys -t ro -l "ro-keys-must-not-arrive"
tm send-keys -t ro Enter
wait_ro "this client is read-only"
send_keys 41 60
check_guest_keys
virsh_busy "two clients"

# The read-only client leaves; a TA's session watches every console.
tm send-keys -t ro C-] d
wait_ro "[detached (from session"
tm send-keys -t ro "clear; LANG=C.UTF-8 TERM=xterm-256color '$VIRTMUX' new-session -s ta" Enter
wait_ro "0:list"
wait_ro "demo1"
tm send-keys -t ro w
wait_ro "watching 1 console"
type_line 'echo watched-$((6*7))'
wait_for "watched-42" 20
wait_ro "watched-42"
screen | grep -q "Another session has the console" && fail "the typing client was asked about a busy console"
ro_screen | grep -q "Another session has the console" && fail "the watching client was asked about a busy console"
virsh_busy "a watch grid and a typing client"
vmx list-sessions | grep -q "^ta: 1 tab, 1 console (attached)" || fail "list-sessions: $(vmx list-sessions 2>&1)"

keys C-] q
wait_pid_exit
pass
