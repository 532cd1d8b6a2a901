# tests/e2e/system_lib.sh: what the tests of the classroom system server
# (virtmux-server --system) share; sourced by t_system*.sh in place of lib.sh.
#
# Sourcing it runs the test again inside a mount namespace of its own, where
# real Unix users and groups exist only for it (its own /etc/passwd and
# /etc/group bound over the real ones): students vmxalice and vmxbob (group
# vmxstudents), TA vmxtom (vmxtas), vmxeve in no role. Then it makes their
# homes, the students' image directories ($T/vm/USER, 0700, theirs), the
# template tiny ($T/templates/tiny.xml: the tiny guest with one disk) and the
# embedded driver's root ($T/embed), and copies the client where the users
# may run it. The test writes its policy to $T/etc/policy and calls
# system_server_start; the server runs as root with the embedded QEMU driver,
# so no daemon of the machine is touched.
. "$(dirname "$0")/lib.sh"
need_qemu
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"

if [ -z "${VMX_IN_NS:-}" ]; then
    # Again, inside a mount namespace of its own, in the same directory
    # (the outer shell's trap removes it afterwards).
    VMX_IN_NS=1 E2E_T="$T" unshare -m --propagation private bash "$0"
    exit $?
fi

# ---- users and groups of this namespace only ----
cp /etc/passwd "$T/passwd"
cp /etc/group "$T/group"
cat >> "$T/passwd" <<EOF
vmxalice:x:61001:61001::$T/home/vmxalice:/bin/sh
vmxbob:x:61002:61002::$T/home/vmxbob:/bin/sh
vmxtom:x:61003:61003::$T/home/vmxtom:/bin/sh
vmxeve:x:61004:61004::$T/home/vmxeve:/bin/sh
EOF
cat >> "$T/group" <<EOF
vmxalice:x:61001:
vmxbob:x:61002:
vmxtom:x:61003:
vmxeve:x:61004:
vmxstudents:x:61100:vmxalice,vmxbob
vmxtas:x:61101:vmxtom
EOF
mount --bind "$T/passwd" /etc/passwd || skip "cannot bind-mount /etc/passwd in a mount namespace"
mount --bind "$T/group" /etc/group || fail "cannot bind-mount /etc/group"
getent passwd vmxalice >/dev/null || fail "the namespace's user database does not have vmxalice"

# Everyone may reach the socket's directory and the binaries; the test's
# files stay root's.
chmod 711 "$T"
mkdir -m 1777 "$T/pub"
for u in vmxalice vmxbob vmxtom vmxeve; do
    mkdir -p "$T/home/$u"
    chown "$u:$u" "$T/home/$u"
done
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$T/pub/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$T/pub/ubsan"

# ---- the template and the images' directories ----
GUEST_XML=$(sh "$ROOT/demo/mkguest.sh" "$T/guest" tiny 2>"$T/mkguest.err") || { cat "$T/mkguest.err"; fail "mkguest"; }
chmod 755 "$T/guest"
mkdir -p "$T/templates"
# One disk, as a template must have: the student's image.
sed "s|<devices>|<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/nonexistent'/><target dev='vda' bus='virtio'/></disk>|" \
    "$GUEST_XML" > "$T/templates/tiny.xml"
grep -q "device='disk'" "$T/templates/tiny.xml" || fail "the template has no disk"
mkdir -p "$T/vm"
chmod 755 "$T/vm"
for u in vmxalice vmxbob; do
    mkdir -m 700 "$T/vm/$u"
    chown "$u:$u" "$T/vm/$u"
done
SYS_SOCK="$T/sys/system"
as_user() {   # as_user USER CMD...: run as USER with their groups, in their home
    local u=$1; shift
    env -i PATH=/usr/bin:/bin HOME="$T/home/$u" LANG=C.UTF-8 TERM=xterm-256color \
        VIRTMUX_SYSTEM_SOCKET="$SYS_SOCK" ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" \
        setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

# The embedded driver's root: no virtlogd, no labels (as for the demo).
sh "$ROOT/demo/embed-root.sh" "$T/embed" >/dev/null || fail "embed-root.sh"
mkdir -p "$T/etc"

SERVER_BIN=$(dirname "$VIRTMUX")/virtmux-server${VIRTMUX##*/virtmux}
# The users run a copy of the client where they may (the tree may be in a
# directory of root's only, e.g. a scratch copy for tests/mutants.sh).
mkdir -m 755 "$T/bin"
cp "$VIRTMUX" "$T/bin/virtmux"
chmod 755 "$T/bin/virtmux"
VIRTMUX=$T/bin/virtmux

# system_server_start: the system server as root on $SYS_SOCK with the
# policy $T/etc/policy (the test's), until the test ends; SERVER_PID.
# images_and_policy QUOTA [ALICE_EXTRA]: the students' disk images (alice:
# vm1..3, and ALICE_EXTRA run in her directory; bob: b1) and the smallest
# policy, 7 lines, with this test's paths and a student quota of QUOTA.
# A test appends its own lines to $T/etc/policy.
images_and_policy() {
    as_user vmxalice sh -c "cd '$T/vm/vmxalice' && truncate -s 1M vm1.img vm2.img vm3.img${2:+ && $2}" ||
        fail "alice cannot make her images"
    as_user vmxbob sh -c "cd '$T/vm/vmxbob' && truncate -s 1M b1.img" || fail "bob cannot make his image"
    cat > "$T/etc/policy" <<EOF
host local 'qemu:///embed?root=$T/embed'
role student @vmxstudents
role ta @vmxtas
quota student $1
template tiny $T/templates/tiny.xml
images $T/vm/%u
audit $T/audit.log
EOF
}

system_server_start() {
    XDG_STATE_HOME="$T/state" "$SERVER_BIN" --system -S "$SYS_SOCK" --policy "$T/etc/policy" \
        >"$T/server.out" 2>&1 &
    SERVER_PID=$!
    on_cleanup stop_system_server
    wait_until 10 test -S "$SYS_SOCK" || { cat "$T/server.out" "$T"/state/virtmux/*.log 2>/dev/null | tail -20; fail "the system server did not listen"; }
    [ "$(stat -c %a "$SYS_SOCK")" = 666 ] || fail "the system socket is not 0666"
}
# settle waits for this server too (lib.sh's server_pid is a user server's).
server_pid() { echo "${SERVER_PID:-}"; }
stop_system_server() {
    kill "$SERVER_PID" 2>/dev/null
    server_gone() { ! kill -0 "$SERVER_PID" 2>/dev/null; }
    wait_until 5 server_gone
    kill -9 "$SERVER_PID" 2>/dev/null
    EMBED_ROOT="$T/embed" stop_embedded_guests
    return 0
}
# This shell's end: the server, its guests and the tmux server go; the
# directory is the outer shell's to remove.
trap 'for c in $CLEANUPS; do "$c" || true; done; tm kill-server 2>/dev/null; true' EXIT

# vmx_as USER ARGS...: virtmux's command line as USER; sets OUT and RC.
vmx_as() {
    local u=$1; shift
    OUT=$(timeout 30 bash -c 'u=$1; shift; as_user "$u" "$@" 2>&1' _ "$u" "$VIRTMUX" "$@")
    RC=$?
}
export -f as_user
export T SYS_SOCK ASAN_OPTIONS UBSAN_OPTIONS
expect_ok() { [ "$RC" = 0 ] || fail "$* exited $RC: $OUT"; }
expect_refused() {   # expect_refused TEXT WHAT: exit status 1, TEXT in the output
    [ "$RC" = 1 ] || fail "$2: exited $RC, not 1: $OUT"
    echo "$OUT" | grep -qF -- "$1" || fail "$2: no '$1' in: $OUT"
}

# user_tmux NAME USER ARGS...: a tmux session NAME (100x30) in which USER runs
# virtmux ARGS...; what virtmux says at its end stays on screen.
# user_screen NAME: that session's screen.
user_tmux() {
    local name=$1 u=$2; shift 2
    local cmd="'$VIRTMUX'" a
    for a in "$@"; do cmd="$cmd '$a'"; done
    tm -f /dev/null new-session -d -s "$name" -x 100 -y 30 \
        "setpriv --reuid=$u --regid=$u --init-groups -- env HOME=$T/home/$u LANG=C.UTF-8 TERM=xterm-256color VIRTMUX_SYSTEM_SOCKET=$SYS_SOCK ASAN_OPTIONS=$ASAN_OPTIONS $cmd; echo VIRTMUX-EXIT=\$?; read -r _"
}
user_screen() { tm capture-pane -p -t "$1"; }

# no_system_sanitizer_reports: the users' and the server's sanitizers said nothing.
no_system_sanitizer_reports() {
    if ls "$T"/pub/asan* "$T"/pub/ubsan* >/dev/null 2>&1; then cat "$T"/pub/asan* | head -30; fail "sanitizer report"; fi
}
