# The classroom system server (virtmux-server --system) with real Unix users
# and groups: students define from a template within their quota and see
# and control only their own domains, a TA watches a student's console
# read-only while the student types, a user in no role gets nothing, and
# every refusal is clear, changes nothing, and is in the audit log.
#
# The users exist only in this test's mount namespace (its own /etc/passwd
# and /etc/group bound over the real ones); the server runs as root there
# with the embedded QEMU driver, so no daemon of the machine is touched.
. "$(dirname "$0")/system_lib.sh"

# ---- the images, and the policy: the smallest one, with this test's paths, and a quota of 2 ----
images_and_policy 2 "ln -s /etc/shadow sneaky.img"

system_server_start

# ---- who is who ----
vmx_as vmxalice whoami
expect_ok whoami
echo "$OUT" | grep -qF "vmxalice (uid 61001): student, quota 2 (0 used)" || fail "whoami for alice: $OUT"
vmx_as vmxtom whoami
echo "$OUT" | grep -qF "vmxtom (uid 61003): ta" || fail "whoami for tom: $OUT"
vmx_as vmxeve list
expect_refused "no role for vmxeve in $T/etc/policy" "eve's list"

# ---- a student defines from the template, within the quota ----
vmx_as vmxalice define -t tiny --image vm1.img vm1
expect_ok "alice's define"
echo "$OUT" | grep -qF "defined vmxalice-vm1 on local" || fail "define said: $OUT"
# alice_lists RE: alice's list has a line matching RE.
alice_lists() { vmx_as vmxalice list; echo "$OUT" | grep -qE "$1"; }
wait_until 10 alice_lists "^vmxalice-vm1 +shut off +local +vmxalice" || fail "alice's list: $OUT"

# What libvirt holds: the owner in the metadata, the image, a fresh UUID.
vmx_as vmxalice dumpxml vm1
expect_ok "alice's dumpxml"
echo "$OUT" | grep -qF "uid=\"61001\"" || echo "$OUT" | grep -qF "uid='61001'" || fail "no owner uid in the XML: $OUT"
echo "$OUT" | grep -qF "$T/vm/vmxalice/vm1.img" || fail "the image is not alice's vm1.img: $OUT"
UUID=$(echo "$OUT" | sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p' | head -1)
[ -n "$UUID" ] || fail "no uuid in the XML"

# Bad defines: refused, said why, nothing defined.
vmx_as vmxalice define -t tiny --image ../vmxbob/b1.img vmx; expect_refused "define:" "an image of bob's"
vmx_as vmxalice define -t tiny --image /etc/passwd vmx; expect_refused "define:" "an absolute image outside"
vmx_as vmxalice define -t tiny --image sneaky.img vmx; expect_refused "define:" "a symlink image"
vmx_as vmxalice define -t nosuch vmx; expect_refused "no template 'nosuch'" "a template that does not exist"
vmx_as vmxalice define -t tiny 'a/b'; expect_refused "define:" "a name with /"
vmx_as vmxalice define -t tiny 'a b'; expect_refused "define:" "a name with a space"
vmx_as vmxalice define -t tiny "$(printf 'x%.0s' $(seq 1 200))"; expect_refused "define:" "a name of 200 bytes"
vmx_as vmxalice create "$T/templates/tiny.xml"; expect_refused "create: not allowed for a student" "raw XML"

# The quota: a second is fine, a third is not.
vmx_as vmxalice define -t tiny --image vm2.img vm2
expect_ok "alice's second define"
vmx_as vmxalice define -t tiny --image vm3.img vm3
expect_refused "quota reached: 2 of 2" "a define over the quota"

# ---- another student's domain, every way of naming it ----
vmx_as vmxbob list
expect_ok "bob's list"
echo "$OUT" | grep -q vmxalice && fail "bob sees alice's domains: $OUT"
vmx_as vmxbob start vmxalice-vm1; expect_refused "vmxalice-vm1 is not yours" "bob starts alice's by name"
vmx_as vmxbob start local/vmxalice-vm1; expect_refused "is not yours" "bob starts alice's by HOST/NAME"
vmx_as vmxbob start "$UUID"; expect_refused "is not yours" "bob starts alice's by UUID"
vmx_as vmxbob dumpxml vmxalice-vm1; expect_refused "is not yours" "bob reads alice's XML"
vmx_as vmxbob undefine vmxalice-vm2; expect_refused "is not yours" "bob undefines alice's"
vmx_as vmxbob migrate -d vmxalice-vm1 local; expect_refused "migrate: not allowed for a student" "bob migrates"
vmx_as vmxbob attach-session -t 0; [ "$RC" != 0 ] || fail "bob attached to a session of alice's"
# A TA may look, not change.
vmx_as vmxtom dumpxml vmxalice-vm1; expect_ok "tom reads alice's XML"
vmx_as vmxtom start vmxalice-vm1; expect_refused "start: not allowed for a ta" "tom starts alice's"

# ---- alice starts hers; a TA watches while she types ----
# vm2's image swapped for a symlink after its define: its start is refused.
as_user vmxalice sh -c "cd '$T/vm/vmxalice' && rm vm2.img && ln -s /etc/shadow vm2.img" || fail "swap vm2.img"
vmx_as vmxalice start vm2; expect_refused "start: vmxalice-vm2:" "a start with a swapped image"

vmx_as vmxalice start vm1
expect_ok "alice starts vm1"
wait_until 20 alice_lists "^vmxalice-vm1 +running" || fail "vm1 did not start: $OUT"

SHELL_WRAP="setpriv --reuid=vmxalice --regid=vmxalice --init-groups -- env HOME=$T/home/vmxalice VIRTMUX_SYSTEM_SOCKET=$SYS_SOCK"
start_virtmux 100x30 attach vm1
# The boot may be over before the console opens: Enter until a prompt.
prompted() { tm send-keys -t vm Enter; wait_until 2 screen_re '~ ?# *$'; }
wait_until 90 prompted
wait_for "~#" 5

tm -f /dev/null new-session -d -s ta -x 100 -y 30 \
    "setpriv --reuid=vmxtom --regid=vmxtom --init-groups -- env HOME=$T/home/vmxtom LANG=C.UTF-8 TERM=xterm-256color VIRTMUX_SYSTEM_SOCKET=$SYS_SOCK ASAN_OPTIONS=$ASAN_OPTIONS '$VIRTMUX' attach vmxalice-vm1; read -r _"
ta_screen() { tm capture-pane -p -t ta; }
ta_shows() { ta_screen | grep -qE -- "$1"; }
wait_until 10 ta_shows "read-only"
ta_screen | grep -qF "read-only" || { ta_screen; fail "the TA's pane is not read-only"; }

tm send-keys -t vm -l 'echo student-$((40+2))'
tm send-keys -t vm Enter
wait_for "student-42" 20
wait_until 10 ta_shows "student-42"
ta_screen | grep -qF "student-42" || { ta_screen; fail "the TA does not see what the student typed"; }

# The TA types: told no (the positive sign), and nothing reaches the guest.
tm send-keys -t ta -l 'echo ta-typed'
tm send-keys -t ta Enter
wait_until 10 ta_shows "keys reach no guest"
ta_screen | grep -qF "keys reach no guest" || { ta_screen; fail "the TA was not told the console is read-only"; }
tm send-keys -t vm -l 'echo after-$((1+1))'
tm send-keys -t vm Enter
wait_for "after-2" 20
screen | grep -qF "ta-typed" && fail "what the TA typed reached the guest"

# Bob cannot open it either (attach, in a terminal).
tm -f /dev/null new-session -d -s bob -x 100 -y 30 \
    "setpriv --reuid=vmxbob --regid=vmxbob --init-groups -- env HOME=$T/home/vmxbob LANG=C.UTF-8 TERM=xterm-256color VIRTMUX_SYSTEM_SOCKET=$SYS_SOCK ASAN_OPTIONS=$ASAN_OPTIONS '$VIRTMUX' attach vmxalice-vm1; read -r _"
bob_shows() { tm capture-pane -p -t bob | grep -qF -- "$1"; }
wait_until 10 bob_shows "is not yours"
tm capture-pane -p -t bob | grep -qF "attach: vmxalice-vm1 is not yours" || { tm capture-pane -p -t bob; fail "bob's attach was not refused"; }
tm capture-pane -p -t bob | grep -qF "student-42" && fail "bob sees alice's console"
# Nor how many domains the class has: his title and host list count his own.
tm capture-pane -p -t bob | head -1 | grep -qF " 0/0 domains" || { tm capture-pane -p -t bob | head -1; fail "bob's title counts domains that are not his"; }
tm send-keys -t bob H
wait_until 10 bob_shows "URI / REASON"
tm capture-pane -p -t bob | grep -qE "^ *local +connected +0 " || { tm capture-pane -p -t bob | head -5; fail "bob's host list counts domains that are not his"; }

# ---- the audit log ----
[ "$(stat -c %a "$T/audit.log")" = 600 ] || fail "the audit log is not 0600"
grep -q 'user="vmxbob".*cmd="start vmxalice-vm1".*refused' "$T/audit.log" || { tail -20 "$T/audit.log"; fail "bob's refused start is not in the audit log"; }
grep -q 'user="vmxalice".*cmd="define -t tiny --image vm1.img vm1".*allowed' "$T/audit.log" || fail "alice's define is not in the audit log"
grep -q 'user="vmxtom".*refused' "$T/audit.log" || fail "the TA's typing is not in the audit log"

# ---- a bad policy line: reported with file:line, the last good policy stays ----
echo "role student @no-such-group-here" >> "$T/etc/policy"
kill -HUP "$SERVER_PID"
wait_until 5 grep -qs "policy:8:" "$T"/state/virtmux/virtmux.log
grep -q "$T/etc/policy:8:" "$T"/state/virtmux/virtmux.log || { tail "$T"/state/virtmux/virtmux.log; fail "the bad policy line was not reported as file:line"; }
vmx_as vmxalice whoami
echo "$OUT" | grep -qF "student, quota 2" || fail "the last good policy did not stay: $OUT"
# ... and no console was dropped: alice still types, the TA still sees it.
tm send-keys -t vm -l 'echo reload-$((3+4))'
tm send-keys -t vm Enter
wait_for "reload-7" 20
wait_until 10 ta_shows "reload-7"
ta_screen | grep -qF "reload-7" || fail "the TA's console went with the reload"

# The TA's board: the class's consoles with their owners.
tm send-keys -t ta C-] l
wait_until 10 ta_shows "vmxalice +vmxalice-vm1"
tm send-keys -t ta b
wait_until 10 ta_shows "consoles:"
ta_screen | grep -qF "consoles:" && ta_screen | grep -qE "vmxalice +vmxalice-vm1" ||
    { ta_screen; fail "the TA's board does not show alice's console with its owner"; }

# ---- alice's own life cycle still works; undefine needs it shut off ----
vmx_as vmxalice undefine vm1; expect_refused "destroy or shut it down first" "undefine of a running domain"
vmx_as vmxalice destroy vm1; expect_ok "alice destroys vm1"

no_system_sanitizer_reports
pass
