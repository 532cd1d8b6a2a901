# tests/e2e/lib.sh: drive the real virtmux binary in a real terminal (tmux), bounded.
# Each test gets its own directory, tmux server socket and XDG dirs; nothing is
# shared with the user's tmux, config or libvirt.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIRTMUX=${VIRTMUX:-$ROOT/virtmux-asan}
T=$(mktemp -d /tmp/vmx-e2e.XXXXXX)
TMUX_SOCK="$T/tmux.sock"
export XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
# Sanitizer reports go to files the test checks; leaks of detached worker
# threads at exit are not what these tests look at (the unit tests do).
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$T/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$T/ubsan"
CLEANUPS=""

tm() { tmux -S "$TMUX_SOCK" "$@"; }

cleanup() {
    for c in $CLEANUPS; do "$c" || true; done
    tm kill-server 2>/dev/null || true
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

# wait_for TEXT [SECONDS]: until TEXT is on screen (fixed string).
wait_for() {
    local text=$1 secs=${2:-10} i
    for i in $(seq 1 $((secs * 10))); do
        screen | grep -qF -- "$text" && return 0
        sleep 0.1
    done
    fail "'$text' did not appear within ${secs}s"
}

# wait_row NAME TEXT [SECONDS]: the table row of domain NAME contains TEXT.
wait_row() {
    local name=$1 text=$2 secs=${3:-10} i
    for i in $(seq 1 $((secs * 10))); do
        screen | grep -E " $name( |$)" | grep -qF -- "$text" && return 0
        sleep 0.1
    done
    fail "row '$name' did not show '$text' within ${secs}s"
}

wait_gone() {
    local text=$1 secs=${2:-10} i
    for i in $(seq 1 $((secs * 10))); do
        screen | grep -qF -- "$text" || return 0
        sleep 0.1
    done
    fail "'$text' still on screen after ${secs}s"
}

keys() { tm send-keys -t vm "$@"; sleep 0.15; }

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
type_line() { tm send-keys -t vm -l -- "$1"; tm send-keys -t vm Enter; sleep 0.2; }

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
