# tests/e2e/lib.sh: drive the real virtmux binary in a real terminal (tmux), bounded.
# Each test gets its own directory, tmux server socket and XDG dirs; nothing is
# shared with the user's tmux, config or libvirt.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIRTMUX=${VIRTMUX:-$ROOT/virtmux-asan}
# E2E_T: a test that runs itself again in a namespace keeps its directory.
T=${E2E_T:-$(mktemp -d /tmp/vmx-e2e.XXXXXX)}
TMUX_SOCK="$T/tmux.sock"
export XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state" XDG_RUNTIME_DIR="$T/run"
# A classroom system server on this machine is not this test's server.
export VIRTMUX_SYSTEM_SOCKET="$T/run/no-system-server"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
# The server every virtmux of this test talks to (started by the first one).
SERVER_SOCK="$XDG_RUNTIME_DIR/virtmux/default"
# Sanitizer reports go to files the test checks; leaks of detached worker
# threads at exit are not what these tests look at (the unit tests do).
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$T/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$T/ubsan"
CLEANUPS=""

tm() { tmux -S "$TMUX_SOCK" "$@"; }

# stop_servers: every virtmux server this test started (by the pid files
# beside their sockets), politely first. A server leads its own process
# group (it is started with setsid), which holds the helpers it runs (a
# QEMU capabilities probe of the embedded driver): the group goes with it.
# The guests themselves are QEMU daemons of their own (stop_embedded_guests).
stop_servers() {
    local pidfile pid
    for pidfile in "$XDG_RUNTIME_DIR"/virtmux/*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        [ -n "$pid" ] || continue
        kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 -- "-$pid" 2>/dev/null
        rm -f "$pidfile"
    done
    return 0
}

# server_pid: the pid of this test's server (empty when none runs).
server_pid() { cat "$SERVER_SOCK.pid" 2>/dev/null; }

cleanup() {
    for c in $CLEANUPS; do "$c" || true; done
    tm kill-server 2>/dev/null || true
    stop_servers
    if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

on_cleanup() { CLEANUPS="$1 $CLEANUPS"; }

fail() {
    echo "FAIL: $*"
    echo "---- screen ----"
    tm capture-pane -p -t vm 2>/dev/null | sed 's/^/| /'
    echo "----------------"
    cat "$T"/asan* "$T"/ubsan* 2>/dev/null | head -40
    exit 1
}

skip() { echo "SKIP: $*"; exit 77; }

# start_virtmux COLSxROWS ARGS... : type the virtmux command line into an
# interactive shell (job control on, as a user has it) in a fresh tmux server.
# SHELL_WRAP: a command prefix for that shell (e.g. a testbed's nsenter).
start_virtmux() {
    local size=$1; shift
    local cols=${size%x*} rows=${size#*x}
    local cmd="LANG=C.UTF-8 TERM=xterm-256color '$VIRTMUX'"
    for a in "$@"; do cmd="$cmd '$a'"; done
    if ! tm has-session -t vm 2>/dev/null; then
        tm -f /dev/null new-session -d -s vm -x "$cols" -y "$rows" \
            "cd '$ROOT' && ${SHELL_WRAP:-} env PS1='$ ' HISTFILE=/dev/null bash --norc --noprofile -i"
    fi
    SHELL_PID=$(tm display-message -p -t vm '#{pane_pid}')
    tm send-keys -t vm "clear; $cmd; echo VIRTMUX-EXIT=\$?" Enter
    VIRTMUX_PID=""
    local i
    for i in $(seq 1 50); do
        VIRTMUX_PID=$(pgrep -P "$SHELL_PID" -f "${VIRTMUX_MATCH:-$VIRTMUX}" | head -1)
        [ -n "$VIRTMUX_PID" ] && break
        sleep 0.1
    done
    [ -n "$VIRTMUX_PID" ] || fail "virtmux did not start"
}

screen() { tm capture-pane -p -t vm; }

# wait_until SECONDS CMD [ARG...]: CMD again every 0.1 s until it succeeds
# (0), or 1 once SECONDS have passed: the one polling loop of these tests.
wait_until() {
    local secs=$1 i
    shift
    for i in $(seq 1 $((secs * 10))); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# on_screen TEXT: TEXT is on screen now (fixed string); screen_re RE: a line matches.
on_screen() { screen | grep -qF -- "$1"; }
screen_re() { screen | grep -qE -- "$1"; }

# wait_for TEXT [SECONDS]: until TEXT is on screen (fixed string).
wait_for() {
    wait_until "${2:-10}" on_screen "$1" || fail "'$1' did not appear within ${2:-10}s"
}

# wait_row NAME TEXT [SECONDS]: the table row of domain NAME contains TEXT.
row_shows() { screen | grep -E " $1( |$)" | grep -qF -- "$2"; }
wait_row() {
    wait_until "${3:-10}" row_shows "$1" "$2" || fail "row '$1' did not show '$2' within ${3:-10}s"
}

wait_gone() {
    local text=$1 secs=${2:-10} i
    for i in $(seq 1 $((secs * 10))); do
        screen | grep -qF -- "$text" || return 0
        sleep 0.1
    done
    fail "'$text' still on screen after ${secs}s"
}

# settle: the keys sent so far are handled: tests/e2e/tools/ttyidle waits
# (bounded, SETTLE_MS) until tmux has written them, the program reading the
# pane (virtmux; the shell when virtmux is gone or stopped) has read them and
# waits for more, and virtmux's server has read what the client sent and
# waits too. Not a wait for the guest: what a guest answers is waited for on
# screen (wait_for). Over the bound it goes on; the test's checks decide.
TTYIDLE=${TTYIDLE:-$ROOT/build/ttyidle}
TMUX_PID=""
settle() {
    [ -x "$TTYIDLE" ] || make -s -C "$ROOT" build/ttyidle >&2 || fail "cannot build $TTYIDLE"
    local who=${VIRTMUX_PID:-} st=""
    [ -n "$who" ] && read -r st < "/proc/$who/stat" 2>/dev/null
    st=${st##*) }
    case ${st:0:1} in "" | T | t | Z) who=${SHELL_PID:-} ;; esac
    [ -n "$who" ] || return 0
    [ -n "$TMUX_PID" ] || TMUX_PID=$(tm display-message -p '#{pid}' 2>/dev/null)
    "$TTYIDLE" "$who" "${SETTLE_MS:-5000}" "$(server_pid)" $TMUX_PID ||
        echo "settle: pid $who or its server still busy after ${SETTLE_MS:-5000} ms" >&2
    return 0
}

keys() { tm send-keys -t vm "$@"; settle; }

# The virtmux process is gone and said VIRTMUX-EXIT=CODE.
wait_exit() {
    local code=${1:-0}
    wait_for "VIRTMUX-EXIT=$code" 10
    no_sanitizer_reports
}

# The virtmux process (VIRTMUX_PID) has ended.
wait_pid_exit() {
    local i
    for i in $(seq 1 100); do
        kill -0 "$VIRTMUX_PID" 2>/dev/null || { no_sanitizer_reports; return 0; }
        sleep 0.1
    done
    fail "virtmux (pid $VIRTMUX_PID) did not exit"
}

no_sanitizer_reports() {
    if ls "$T"/asan* "$T"/ubsan* >/dev/null 2>&1; then
        fail "sanitizer report"
    fi
}

pass() { no_sanitizer_reports; echo "PASS"; exit 0; }

# Tests that boot the tiny guest need root, QEMU, a kernel and busybox.
need_qemu() {
    [ "$(id -u)" = 0 ] || skip "needs root (the host kernel in /boot is readable by root only)"
    command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86 is not installed"
    ls /boot/vmlinuz-* >/dev/null 2>&1 || skip "no kernel in /boot (linux-image-amd64)"
    [ -x /bin/busybox ] || skip "busybox-static is not installed"
    EMBED_ROOT="$XDG_STATE_HOME/virtmux/demo"
    on_cleanup stop_embedded_guests
}

# A private libvirtd with the QEMU driver (tests/lib/libvirtd.sh), of this
# test only: need_private_libvirtd skips without its tools and loads it;
# private_libvirtd_up starts one in a directory of its own ($D) and stops it
# at the end.
need_private_libvirtd() {
    command -v virsh >/dev/null || skip "virsh is not installed (libvirt-clients)"
    command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
    . "$ROOT/tests/lib/libvirtd.sh"
}
down_daemon() { libvirtd_down "$D" >/dev/null 2>&1; rm -rf "$D"; }
private_libvirtd_up() {
    D=$(mktemp -d /tmp/vmxd.XXXX)
    on_cleanup down_daemon
    libvirtd_up "$D" >/dev/null || fail "private libvirtd did not start"
}

# QEMU outlives the embedding process (libvirt's embed driver has no
# autodestroy): stop our guests by the PIDs their pid files record.
stop_embedded_guests() {
    local pidfile pid
    for pidfile in "$EMBED_ROOT"/run/qemu/*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        [ -n "$pid" ] || continue
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    done
    return 0
}

# type_line TEXT: type TEXT literally into the focused console, then Enter.
type_line() { tm send-keys -t vm -l -- "$1"; tm send-keys -t vm Enter; settle; }

# run_command TEXT: virtmux's command prompt from a console (C-] :), TEXT, Enter.
run_command() {
    tm send-keys -t vm C-] ':'
    settle
    tm send-keys -t vm -l -- "$1"
    tm send-keys -t vm Enter
    settle
}

# The host list (H): the row of host qemu shows STATE; the line under it is
# the reason; wait until it shows STATE.
host_state_is() { screen | grep -qE "^qemu +$1( |$)"; }
host_reason() { screen | awk 'f { print; exit } /^qemu / { f = 1 }'; }
wait_host_state() {
    local st=$1 secs=${2:-10} i
    for i in $(seq 1 $((secs * 10))); do
        host_state_is "$st" && return 0
        sleep 0.1
    done
    fail "host qemu did not become '$st' within ${secs}s"
}

# witness_retries: a positive sign that virtmux's reconnect clock ran, for a
# test that then checks a host did NOT reconnect or ask again by itself.
# A second host, "witness", is added with reconnect-max 1, pointed at a
# loopback port (tests/e2e/tools/countconn.py) that counts each try and
# closes it. Once it has been tried 3 times (2 retries, >= 2 s of that clock
# after now), a host with a retry pending (first delay 1 s) would have tried
# too. Then the witness goes and reconnect-max is RESTORE (default 60).
# WITNESS_WRAP: a command prefix for the listener (the server's namespace).
witness_retries() {
    local log=$T/witness.log wport="" n=0 i pid
    : > "$log"
    ${WITNESS_WRAP:-} python3 "$ROOT/tests/e2e/tools/countconn.py" "$log" 60 &
    pid=$!
    for ((i = 0; i < 50; i++)); do
        wport=$(awk '/^PORT/ { print $2 }' "$log")
        [ -n "$wport" ] && break
        sleep 0.1
    done
    [ -n "$wport" ] || fail "the witness listener did not start"
    vmx set reconnect-max 1 >/dev/null || fail "set reconnect-max 1"
    vmx host witness "qemu+tcp://127.0.0.1:$wport/system" >/dev/null || fail "could not add the witness host"
    for ((i = 0; i < 200; i++)); do
        n=$(grep -c '^conn' "$log")
        [ "$n" -ge 3 ] && break
        sleep 0.1
    done
    vmx host-remove witness >/dev/null
    vmx set reconnect-max "${1:-60}" >/dev/null
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ "$n" -ge 3 ] || fail "the witness host was tried $n times in 20 s: the reconnect clock did not run"
}

# ---- the two-host testbed (tests/testbed) ----

# testbed_up DIR PREFIX SUBNET: a testbed of the test's own (its names and
# subnet meet no other test's), torn down at exit, with tb1 booted on hostA;
# sets the TESTBED_* variables. Leftovers of a killed run go first.
testbed_up() {
    command -v nsenter >/dev/null && command -v ip >/dev/null && [ -x /usr/sbin/sshd ] ||
        skip "needs nsenter, ip and sshd for the testbed"
    TB=${TESTBED_SH:-$ROOT/tests/testbed/testbed.sh}
    export TESTBED_DIR=$1 TESTBED_NETNS_PREFIX=$2 TESTBED_SUBNET=$3
    on_cleanup testbed_down
    testbed_down
    "$TB" up > "$T/tb-up.log" 2>&1 || { cat "$T/tb-up.log"; fail "testbed up"; }
    eval "$("$TB" env)"
    "$TB" guest-up A 120 > "$T/tb-guest.log" 2>&1 || { cat "$T/tb-guest.log"; fail "guest did not boot on hostA"; }
}
testbed_down() { "$TB" down >/dev/null 2>&1; return 0; }

# testbed_attach COLSxROWS: virtmux, knowing hostA and hostB and logging to
# $T/logs, runs in the client namespace (where those names resolve) attached
# to the guest's serial console on hostA; the guest's shell prompt is shown.
testbed_attach() {
    mkdir -p "$XDG_CONFIG_HOME/virtmux" "$T/logs"
    cat > "$XDG_CONFIG_HOME/virtmux/config" <<CONF
host A "$TESTBED_URI_A"
host B "$TESTBED_URI_B"
set log-dir $T/logs
CONF
    SHELL_WRAP="$TESTBED_CLIENT" start_virtmux "$1" attach "$TESTBED_GUEST"
    wait_for "A/$TESTBED_GUEST  serial" 60
    keys Enter
    wait_for "$TESTBED_GUEST:~#" 30
}

# ---- keys typed into a guest, checked at the other end ----
# The guest runs `stty -echo; ... cat > /tmp/keys`; send_keys types numbered
# tokens and keeps a copy in KEYS_FILE; check_guest_keys compares the two.

# send_keys FROM TO: tokens kFROM .. kTO, 25 ms apart. Every 20th token ends
# its line: the guest's tty keeps at most 4095 bytes of one unfinished line
# and drops the rest.
send_keys() {
    local from=$1 to=$2 k tok
    : "${KEYS_FILE:=$T/keys.sent}"
    for ((k = from; k <= to; k++)); do
        printf -v tok 'k%04d ' "$k"
        tm send-keys -t vm -l -- "$tok"
        printf '%s' "$tok" >> "$KEYS_FILE"
        if ((k % 20 == 0)); then
            tm send-keys -t vm Enter
            printf '\n' >> "$KEYS_FILE"
        fi
        sleep 0.025
    done
}

# wait_keys_sent N: send_keys (running in the background) has sent N tokens.
wait_keys_sent() {
    : "${KEYS_FILE:=$T/keys.sent}"
    local i
    for ((i = 0; i < 300; i++)); do
        [ "$(grep -o k "$KEYS_FILE" 2>/dev/null | wc -l)" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "send_keys did not send $1 keys within 30 s"
}

# check_guest_keys [CMD]: finish the last line of keys, C-d ends the guest's
# cat; then (after CMD, if given) the guest's md5 of /tmp/keys must be the
# md5 of KEYS_FILE: every key arrived exactly once and in order.
check_guest_keys() {
    : "${KEYS_FILE:=$T/keys.sent}"
    if [ -n "$(tail -c 1 "$KEYS_FILE")" ]; then
        tm send-keys -t vm Enter
        printf '\n' >> "$KEYS_FILE"
    fi
    keys C-d
    type_line "${1:+$1; }stty echo; md5sum /tmp/keys; wc -c /tmp/keys"
    local want i
    want=$(md5sum < "$KEYS_FILE" | cut -d' ' -f1)
    # wc's line comes after md5sum's: once it is there, so is the md5.
    for ((i = 0; i < 200; i++)); do
        screen | grep -qE "^ *[0-9]+ /tmp/keys" && break
        sleep 0.1
    done
    screen | grep -qE "^ *[0-9]+ /tmp/keys" || fail "the guest did not run md5sum and wc on /tmp/keys"
    screen | grep -q "$want" ||
        fail "the guest's keys differ from the $(wc -c < "$KEYS_FILE") bytes sent (want md5 $want)"
}

# ---- console logs (set log-dir $T/logs) ----

# raw_payload FILE: the guest's bytes in a raw log. The raw log is records
# "TIMESTAMP LEN\n<LEN bytes>\n" (and marker lines): a line of output may
# straddle two records, so put the bytes back together.
# (In Python: the loop in bash forked two `head`s per record, minutes for a
# migration test's log on a loaded machine.)
raw_payload() {
    python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
out, i = sys.stdout.buffer, 0
while i < len(data):
    j = data.find(b"\n", i)
    line, i = (data[i:], len(data)) if j < 0 else (data[i:j], j + 1)
    f = line.split()
    if len(f) >= 2 and f[1].isdigit():
        n = int(f[1])
        out.write(data[i:i + n])
        i += n + 1
' "$1"
}

# wait_log_line LINE SECONDS: LINE is a whole line of the text log (it has
# no record headers to split a line). Returns 1 if it did not come.
wait_log_line() {
    local i
    for ((i = 0; i < $2 * 5; i++)); do
        tr -d '\r' < "$(ls "$T/logs/"*.log | head -1)" | grep -qax -- "$1" && return 0
        sleep 0.2
    done
    return 1
}

# marker_count TEXT: how many markers in the raw log start with TEXT.
marker_count() { cat "$T/logs/"*.raw 2>/dev/null | grep -cF "marker $1" || true; }

# wait_marker TEXT COUNT SECONDS: until the raw log has COUNT such markers.
wait_marker() {
    local i
    for ((i = 0; i < $3 * 5; i++)); do
        [ "$(marker_count "$1")" -ge "$2" ] && return 0
        sleep 0.2
    done
    fail "no marker '$1' #$2 within $3 s"
}

# sshd_with_test_home DIR [nokey]: a private sshd (tests/lib/sshd.sh, sourced by
# the caller) in DIR and a HOME under $T set up to reach it (no agent; "nokey":
# no client key). Sets PORT, HOME and KH (the known_hosts file).
sshd_with_test_home() {
    sshd_setup "$1" || fail "sshd setup"
    sshd_up "$1" || fail "private sshd did not start"
    PORT=$(sshd_port "$1")
    export HOME=$T/home
    unset SSH_AUTH_SOCK
    sshd_home "$1" "$HOME" ${2:-} || fail "test HOME"
    KH=$HOME/.ssh/known_hosts
}

# port_from FILE WHAT: wait (5 s) for the "PORT n" line a test server writes to
# FILE and set PORT; WHAT names the server in the failure.
port_from() {
    PORT=""
    for _ in $(seq 1 50); do
        PORT=$(awk '/^PORT/ { print $2 }' "$1")
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    fail "$2 did not start"
}

# wrong_password_first HOST BAD: the password dialog of HOST (a known host
# key, so no key question) gets BAD, which is refused with a retry. Calls the
# caller's no_secret WHEN: no password may be on the screen.
wrong_password_first() {
    wait_for "host $1 asks" 20
    wait_for "password" 5
    wait_for "(typing is not shown)" 5
    screen | grep -qF "SSH host key" && fail "asked about a known host key"
    tm send-keys -t vm -l -- "$2"
    settle
    no_secret "while typing"
    tm send-keys -t vm Enter
    wait_for "Wrong password, try again" 15
}

# ---- the server (virtmux server, started by the first virtmux) ----

# vmx ARGS...: virtmux as a command (list-sessions, capture-pane, ...) on this
# test's server; bounded.
vmx() { timeout 20 "$VIRTMUX" "$@"; }

# wait_capture TEXT [SECONDS]: the focused console of the last session shows
# TEXT, on screen or in its scrollback (virtmux capture-pane).
wait_capture() {
    local text=$1 secs=${2:-10} i
    for i in $(seq 1 $((secs * 5))); do
        vmx capture-pane 2>/dev/null | grep -qF -- "$text" && return 0
        sleep 0.2
    done
    fail "'$text' was not in the console (capture-pane) within ${secs}s"
}

# wait_clients N [SECONDS]: the server has N clients (server-info).
wait_clients() {
    local n=$1 secs=${2:-10} i
    for i in $(seq 1 $((secs * 10))); do
        vmx server-info 2>/dev/null | grep -q " $n client" && return 0
        sleep 0.1
    done
    fail "the server did not have $n clients within ${secs}s: $(vmx server-info 2>&1)"
}

# ticks_in FILE: the tick numbers in FILE, one per line, in the order found.
ticks_in() { grep -aoE 'tick[0-9]+' "$1" | sed 's/tick//'; }

# ticks_exact FILE FIRST LAST: ticks FIRST..LAST each once, in order.
ticks_exact() {
    local want
    want=$(seq "$2" "$3")
    [ "$(ticks_in "$1")" = "$want" ] && return 0
    diff <(echo "$want") <(ticks_in "$1") | head -5
    return 1
}
