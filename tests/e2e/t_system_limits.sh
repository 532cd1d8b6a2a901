# The classroom system server's per-user limits, each driven to refusal by
# a real student against the real server (tests/e2e/system_lib.sh: real
# users in a mount namespace of the test's own, the embedded QEMU driver, a
# real guest):
#   limit defines 2      a third define (and an undefine) within the hour is
#                        refused; nothing is defined or undefined
#   limit lifecycle 3    past three life-cycle commands in a minute, destroy,
#                        shutdown and start are refused; no domain's state
#                        changes
#   limit connections 2  a third client of the same student is refused; the
#                        two others keep working; one gone, a new one gets in
#   limit input 200      a paste of 1000 bytes into the console: the status
#                        line says so and the guest gets no more than the limit
# Each refusal says why, to the student, and is in the audit log.
. "$(dirname "$0")/system_lib.sh"

# A quota that never refuses first; small limits, so that the test is quick.
images_and_policy 4
cat >> "$T/etc/policy" <<EOF
limit connections 2
limit lifecycle 3
limit defines 2
limit input 200
EOF
system_server_start

# in_audit RE WHAT: the audit log has a line matching RE.
in_audit() { grep -qE -- "$1" "$T/audit.log" || { tail -20 "$T/audit.log"; fail "not in the audit log: $2"; }; }
# lists USER RE: USER's list has a line matching RE.
lists() { vmx_as "$1" list; echo "$OUT" | grep -qE -- "$2"; }
# libvirt's own record of a persistent domain (the embedded driver's
# config directory), whatever the server's registry says.
defined_in_libvirt() { [ -f "$T/embed/etc/qemu/$1.xml" ]; }
# live USER DOMAIN: libvirt says DOMAIN runs (its live XML has an id);
# dumpxml is a job on the host's worker, which runs jobs in the order they
# came: anything a command before it sent to libvirt is done by then.
live() {
    vmx_as "$1" dumpxml "$2"
    [ "$RC" = 0 ] || fail "dumpxml $2: $OUT"
    echo "$OUT" | grep -qE "<domain [^>]*id=['\"][0-9]+['\"]"
}

# ---- limit defines 2 (per hour; defines and undefines together) ----
vmx_as vmxalice define -t tiny --image vm1.img vm1; expect_ok "alice's first define"
vmx_as vmxalice define -t tiny --image vm2.img vm2; expect_ok "alice's second define"
vmx_as vmxalice define -t tiny --image vm3.img vm3
expect_refused "define limit: 2 per hour" "a third define within the hour"
vmx_as vmxalice undefine vm2
expect_refused "define limit: 2 per hour" "an undefine past the define limit"
# The positive sign: bob's define (his own bucket), sent to the same host's
# worker after alice's refused ones, is done and in the list; a define or
# undefine of alice's sent before it would be done too.
vmx_as vmxbob define -t tiny --image b1.img b1; expect_ok "bob's define (another student's bucket)"
wait_until 10 lists vmxbob "^vmxbob-b1 +shut off" || fail "bob's b1 is not in his list: $OUT"
defined_in_libvirt vmxbob-b1 || fail "no $T/embed/etc/qemu/vmxbob-b1.xml: the check below would mean nothing"
defined_in_libvirt vmxalice-vm3 && fail "the refused define defined vmxalice-vm3"
defined_in_libvirt vmxalice-vm2 || fail "the refused undefine undefined vmxalice-vm2"
lists vmxalice "^vmxalice-vm3 " && fail "alice's list has vm3: $OUT"
lists vmxalice "^vmxalice-vm2 +shut off" || fail "alice's list lost vm2: $OUT"
in_audit 'user="vmxalice".*cmd="define -t tiny --image vm3.img vm3".* refused: "define limit: 2 per hour"' \
    "the refused define"
in_audit 'user="vmxalice".*cmd="undefine vm2" uuid=[-0-9a-f]{36} name="vmxalice-vm2" refused: "define limit: 2 per hour"' "the refused undefine"

# ---- limit lifecycle 3 (per minute: one more each 20 s) ----
# Three go through (start, suspend, resume: one boot; a second start of vm1
# would find its image root's, as libvirt's DAC driver leaves it after a run
# in the embedded root); the burst after them is refused, and must come
# within 20 s of the first (else the bucket has one again).
LC_START=$(date +%s)
vmx_as vmxalice start vm1; expect_ok "alice's start (1 of 3)"
wait_until 20 lists vmxalice "^vmxalice-vm1 +running" || fail "vm1 did not start: $OUT"
vmx_as vmxalice suspend vm1; expect_ok "alice's suspend (2 of 3)"
wait_until 20 lists vmxalice "^vmxalice-vm1 +paused" || fail "vm1 was not paused: $OUT"
vmx_as vmxalice resume vm1; expect_ok "alice's resume (3 of 3)"
wait_until 20 lists vmxalice "^vmxalice-vm1 +running" || fail "vm1 did not run again: $OUT"
vmx_as vmxalice destroy -y vm1; expect_refused "life-cycle limit: 3 per minute" "a 4th life-cycle command (destroy)"
vmx_as vmxalice shutdown vm1; expect_refused "life-cycle limit: 3 per minute" "a 5th (shutdown)"
vmx_as vmxalice start vm2; expect_refused "life-cycle limit: 3 per minute" "a 6th (start of another domain)"
LC_SECS=$(($(date +%s) - LC_START))
[ "$LC_SECS" -lt 20 ] || fail "the life-cycle burst took ${LC_SECS}s: the bucket refills one each 20 s"
# libvirt, after these (dumpxml waits behind anything they sent): vm1 still
# runs, vm2 is still off.
live vmxalice vm1 || fail "vm1 does not run after the refused destroy/shutdown: $OUT"
live vmxalice vm2 && fail "vm2 runs after its refused start"
lists vmxalice "^vmxalice-vm1 +running" || fail "alice's list: vm1 is not running: $OUT"
lists vmxalice "^vmxalice-vm2 +shut off" || fail "alice's list: vm2 is not shut off: $OUT"
in_audit 'user="vmxalice".*cmd="destroy -y vm1" uuid=[-0-9a-f]{36} name="vmxalice-vm1" refused: "life-cycle limit: 3 per minute"' "the refused destroy"
in_audit 'user="vmxalice".*cmd="shutdown vm1" uuid=[-0-9a-f]{36} name="vmxalice-vm1" refused: "life-cycle limit: 3 per minute"' "the refused shutdown"
in_audit 'user="vmxalice".*cmd="start vm2" uuid=[-0-9a-f]{36} name="vmxalice-vm2" refused: "life-cycle limit: 3 per minute"' "the refused start"

# ---- limit connections 2 ----
# Alice's first client: vm1's console, at a prompt (the guest boots meanwhile).
SHELL_WRAP="setpriv --reuid=vmxalice --regid=vmxalice --init-groups -- env HOME=$T/home/vmxalice VIRTMUX_SYSTEM_SOCKET=$SYS_SOCK"
start_virtmux 100x30 attach vm1
prompted() { tm send-keys -t vm Enter; wait_until 2 screen_re '~ ?# *$'; }
wait_until 60 prompted || fail "no shell prompt on vm1's console"
# Her second: the same console, in another terminal.
user_tmux a2 vmxalice attach vm1
a2_shows() { user_screen a2 | grep -qE -- "$1"; }
wait_until 10 a2_shows '~ ?#' || { user_screen a2; fail "alice's second client does not show vm1's console"; }
# Her third: refused, and told why.
user_tmux a3 vmxalice attach vm1
a3_shows() { user_screen a3 | grep -qF -- "$1"; }
wait_until 10 a3_shows "VIRTMUX-EXIT=" || { user_screen a3; fail "alice's third client did not end"; }
user_screen a3 | grep -qF "virtmux: connection limit: 2 per user" || { user_screen a3; fail "the third client was not told the connection limit"; }
a3_shows "VIRTMUX-EXIT=1" || { user_screen a3; fail "the refused client did not exit with 1"; }
vmx_as vmxalice whoami; expect_refused "connection limit: 2 per user" "a command-line client as the third"
# The two keep working: what she types in one shows in both.
type_line 'echo conn-$((6*7))'
wait_for "conn-42" 20
wait_until 10 a2_shows "conn-42" || { user_screen a2; fail "alice's second client stopped showing the console"; }
in_audit 'user="vmxalice".*cmd="\(connect\)".* refused: "connection limit: 2 per user"' "the refused connection"
# One goes: a new one gets in.
tm kill-session -t a2
wait_until 10 lists vmxalice "^vmxalice-vm1 +running" || fail "no client of alice's got in after one went: $OUT"

# ---- limit input 200 (bytes per second into consoles) ----
# The guest's cat keeps what arrives for 5 s, raw and without echo (no
# Enter or ^D needed to end it: those keys would meet the emptied bucket
# too); its digits are counted.
type_line 'stty -echo -icanon; timeout 5 cat > /tmp/in; stty echo icanon; echo got-$(tr -cd 0-9 < /tmp/in | wc -c)'
PASTE=$(printf '0123456789%.0s' $(seq 1 100))   # 1000 bytes at once
tm send-keys -t vm -l -- "$PASTE"
wait_until 10 on_screen "input limit: 200 bytes/s" || fail "the status line did not say the input limit"
wait_until 20 screen_re 'got-[0-9]+' || fail "the guest did not count what it got"
GOT=$(screen | grep -oE 'got-[0-9]+' | tail -1)
GOT=${GOT#got-}
echo "the guest got $GOT of the 1000 bytes pasted"
[ "$GOT" -gt 0 ] || fail "nothing of the paste reached the guest"
# At most the bucket (200) and what it refills while the paste is read.
[ "$GOT" -le 250 ] || fail "the guest got $GOT bytes of a 1000-byte paste under an input limit of 200 bytes/s"
in_audit 'user="vmxalice".*cmd="\(typing\)" uuid=[-0-9a-f]{36} name="vmxalice-vm1" refused: "input limit: 200 bytes/s"' "the refused input"
# Once for the paste, not once a key.
[ "$(grep -c 'cmd="(typing)".*input limit' "$T/audit.log")" = 1 ] || { grep 'input limit' "$T/audit.log" | head; fail "the refused paste is not one audit line"; }

no_system_sanitizer_reports
pass
