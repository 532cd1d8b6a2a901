# shellcheck shell=bash
# shellcheck disable=SC2016  # gb_until evals single-quoted code each time
# bench/lib/guestbench.sh — shared by bench/reattach and bench/fanout: a
# private libvirtd with the busybox guest demo1, and every process a run
# starts kept in one temp dir and stopped by PID.
#
#   GB_NAME=reattach; . bench/lib/guestbench.sh   (from the repo root, set -eu)
#   gb_setup            temp dir, own XDG_* and TMUX_TMPDIR, libvirtd + demo1;
#                       sets GB_D, URI, DOM, GB_BOOT_S (seconds to boot) and
#                       GB_GUESTLOG (the guest's serial output, as QEMU logs
#                       it); the EXIT trap cleans up
#   gb_track PID        stop PID on exit (TERM, then KILL), if it is still
#                       the same process (its start time is compared)
#   gb_stop PID [SECS]  TERM, wait up to SECS (5), KILL
#   gb_until SECS 'CODE'   eval CODE every 0.2 s until it succeeds (1 after
#                       SECS); in single quotes, so that $(...) runs each time
#   gb_tmux NAME ARGS...   tmux on the socket NAME under $TMUX_TMPDIR, with
#                       the config $GB_D/NAME.conf (written by gb_tmux_conf)
#   gb_median N...      the median of the numbers
#   gb_vmx_first NAME   a read-write virtmux client on demo1 at a shell prompt,
#                       in a throwaway tmux NAME (GB_FIRST_PID, GB_VMX_PID)
#   gb_tmux_console NAME   tmux NAME whose pane runs `virsh console demo1`, at a
#                       shell prompt (GB_TMUX_PID, GB_VIRSH_PID); ..._down
#   gb_vmx_text, gb_tmux_text NAME   what the console shows (with scrollback
#                       for virtmux: capture-pane)
# BENCH_SIZE (120x40) gives SIZE, COLS and ROWS: the size of every terminal.
#
# virtmux runs with XDG_RUNTIME_DIR, XDG_STATE_HOME and XDG_CONFIG_HOME in the
# temp dir: its server, socket, pid file, logs and saved layout are this run's
# own, and no user config is read.  tmux gets TMUX_TMPDIR there (its sockets)
# and -f with a config of the run's own.

gb_die() { echo "bench/$GB_NAME: error: $*" >&2; exit 1; }
gb_log() { echo "bench/$GB_NAME: $*" >&2; }

VIRSH=${VIRSH:-virsh}
SIZE=${BENCH_SIZE:-120x40}
[[ $SIZE =~ ^([0-9]+)x([0-9]+)$ ]] || gb_die "BENCH_SIZE must be COLSxROWS (got '$SIZE')"
COLS=${BASH_REMATCH[1]} ROWS=${BASH_REMATCH[2]}
TMUX_BIN=${TMUX_BIN:-tmux}
KEEP=${KEEP:-0}
DOM=demo1

# The start time of PID (field 22 of /proc/PID/stat), '' when it is gone.
gb_starttime() {
    local s
    [[ $1 =~ ^[0-9]+$ ]] || return 0
    s=$({ cat "/proc/$1/stat"; } 2>/dev/null) || return 0
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    [[ $1 == Z ]] && return 0   # a zombie has nothing left to stop
    echo "${20}"
}

# Alive and still the process that was recorded (PID:STARTTIME).
gb_alive() {
    local pid=${1%%:*} st=${1#*:} now
    now=$(gb_starttime "$pid")
    [[ -n $now && ( $st == "$1" || $now == "$st" ) ]]
}

gb_gone() { ! gb_alive "$1"; }

GB_TRACKED=()
gb_track() {
    [[ $1 =~ ^[0-9]+$ ]] || gb_die "gb_track: '$1' is not a pid"
    GB_TRACKED+=("$1:$(gb_starttime "$1")")
}

gb_stop() {
    local rec=$1 secs=${2:-5} i
    [[ ${rec%%:*} =~ ^[0-9]+$ ]] || return 0
    [[ $rec == *:* ]] || rec=$rec:$(gb_starttime "$rec")
    gb_alive "$rec" || return 0
    kill -TERM "${rec%%:*}" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do gb_alive "$rec" || return 0; sleep 0.1; done
    gb_log "pid ${rec%%:*} ignored SIGTERM for ${secs}s; SIGKILL"
    kill -KILL "${rec%%:*}" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do gb_alive "$rec" || return 0; sleep 0.1; done
    return 1
}

gb_until() {
    local secs=$1 i
    for ((i = 0; i < secs * 5; i++)); do
        eval "$2" && return 0
        sleep 0.2
    done
    return 1
}

gb_tmux_conf() { printf '%s\n' "${@:2}" >"$GB_D/$1.conf"; }
# Bounded like every other step. The server that new-session starts leaves
# timeout's process group (setsid): a timeout never hits it.
gb_tmux() { local n=$1; shift; timeout -k 2 20 "$TMUX_BIN" -L "$n" -f "$GB_D/$n.conf" "$@"; }

gb_median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

gb_load() { cut -d' ' -f1-3 /proc/loadavg; }

# CPU time (user+system) of PID in ms, from /proc/PID/stat.
gb_cpu_ms() {
    local s
    s=$({ cat "/proc/$1/stat"; } 2>/dev/null) || { echo -1; return; }
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo $(( (${12} + ${13}) * 1000 / $(getconf CLK_TCK) ))
}

# Resident set of PID in KiB (VmRSS).
gb_rss_kb() { awk '/^VmRSS:/ { print $2; f = 1 } END { if (!f) print -1 }' "/proc/$1/status" 2>/dev/null || echo -1; }

gb_cleanup() {
    local rc=$? i
    trap - EXIT INT TERM HUP
    # the newest first: clients before their servers; then this run's
    # virtmux server, should it not have been recorded yet
    [[ -n ${GB_D:-} ]] && GB_TRACKED+=("$(gb_vmx_pid)")
    for ((i = ${#GB_TRACKED[@]} - 1; i >= 0; i--)); do
        gb_stop "${GB_TRACKED[i]}" 5 || true
    done
    [[ -n ${GB_D:-} ]] || exit "$rc"
    if libvirtd_down "$GB_D"; then
        if [[ $KEEP == 1 ]]; then gb_log "kept $GB_D"; else rm -rf "$GB_D"; fi
    elif [[ -z $(pgrep -f -- "$GB_D/" || true) ]]; then
        # libvirtd_down compares mount-namespace inode numbers, which the
        # kernel reuses (see bench/serial/run.sh); nothing naming GB_D is left.
        gb_log "(no process of ours is left: the above is another namespace with the same inode number)"
        [[ $KEEP == 1 ]] || rm -rf "$GB_D"
    else
        gb_log "processes of this run are still alive; keeping $GB_D:"
        pgrep -a -f -- "$GB_D/" >&2 || true
        (( rc )) || rc=1
    fi
    exit "$rc"
}

gb_setup() {
    (( EUID == 0 )) || gb_die "needs root (the private libvirtd runs in its own mount namespace)"
    command -v "$VIRSH" >/dev/null 2>&1 || gb_die "VIRSH '$VIRSH' not found (apt-get install libvirt-clients)"
    command -v "$TMUX_BIN" >/dev/null 2>&1 || gb_die "TMUX_BIN '$TMUX_BIN' not found (apt-get install tmux)"
    if [[ -z ${VIRTMUX:-} ]]; then
        VIRTMUX=./virtmux
        if [[ ! -x $VIRTMUX ]]; then
            gb_log "./virtmux missing, running make virtmux"
            make virtmux >&2 || gb_die "make virtmux failed"
        fi
    fi
    VIRTMUX=$(command -v "$VIRTMUX") || gb_die "VIRTMUX is not executable"
    [[ $VIRTMUX == /* ]] || VIRTMUX=$PWD/$VIRTMUX
    # shellcheck disable=SC1091  # tests/lib/libvirtd.sh, relative to the repo root
    . tests/lib/libvirtd.sh
    GB_D=$(mktemp -d "/tmp/vmx${GB_NAME:0:2}.XXXXXX")
    chmod 755 "$GB_D"
    export XDG_RUNTIME_DIR=$GB_D/x/run XDG_STATE_HOME=$GB_D/x/state XDG_CONFIG_HOME=$GB_D/x/config
    export TMUX_TMPDIR=$GB_D/tmux
    unset TMUX TMUX_PANE LIBVIRT_DEFAULT_URI
    mkdir -p "$GB_D/x" "$GB_D/out"
    mkdir -m 700 "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$TMUX_TMPDIR"
    trap gb_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
    local t0=$SECONDS
    libvirtd_up "$GB_D" >&2 || gb_die "libvirtd_up failed"
    libvirtd_guest "$GB_D" "$DOM" >&2 || gb_die "libvirtd_guest $DOM failed"
    libvirtd_wait_ready "$GB_D" "$DOM" 120 || gb_die "$DOM did not boot"
    # shellcheck disable=SC2034  # for the caller
    URI=$(libvirtd_uri "$GB_D")
    # shellcheck disable=SC2034
    GB_BOOT_S=$((SECONDS - t0))
    # shellcheck disable=SC2034
    GB_GUESTLOG=$GB_D/console/$DOM.log
}

# The pid of this run's virtmux server ('' when none).
gb_vmx_pid() {
    local p
    p=$({ cat "$XDG_RUNTIME_DIR/virtmux/default.pid"; } 2>/dev/null) || return 0
    [[ $p =~ ^[0-9]+$ ]] && echo "$p"
    return 0
}

# Stop this run's virtmux server: kill-server, then by its PID.
gb_vmx_down() {
    local pid
    pid=$(gb_vmx_pid)
    [[ -n $pid ]] || return 0
    timeout -k 2 10 "$VIRTMUX" kill-server >/dev/null 2>&1 || true
    gb_until 10 'gb_gone "$pid"' || gb_stop "$pid" 5
}

# How many clients the virtmux server has attached (server-info).
gb_vmx_clients() {
    timeout -k 2 10 "$VIRTMUX" server-info 2>/dev/null | sed -n 's/.* \([0-9]*\) clients\{0,1\} attached.*/\1/p'
}

gb_vmx_text() { timeout -k 2 10 "$VIRTMUX" capture-pane -S 0; }   # the screen, as tmux capture-pane -p
gb_tmux_text() { gb_tmux "$1" capture-pane -p -t "$1"; }

gb_vmx_first() {
    gb_tmux "$1" new-session -d -s "$1" -x "$COLS" -y "$ROWS" \
        "exec env LANG=C.UTF-8 '$VIRTMUX' -c '$URI' attach $DOM" || gb_die "tmux $1 did not start"
    GB_FIRST_PID=$(gb_tmux "$1" display -p '#{pid}') && gb_track "$GB_FIRST_PID"
    gb_until 20 '[[ -n $(gb_vmx_pid) ]]' || gb_die "no virtmux server pid file"
    GB_VMX_PID=$(gb_vmx_pid)
    gb_track "$GB_VMX_PID"
    gb_sync "$1" "$1" gb_vmx_text || gb_die "virtmux: no shell prompt in $DOM"
}

gb_tmux_console() {
    local i
    GB_TMUX_PID='' GB_VIRSH_PID=''
    for ((i = 0; i < 5; i++)); do   # the console may still be held by the side before
        gb_tmux "$1" new-session -d -s "$1" -x "$COLS" -y "$ROWS" \
            "exec '$VIRSH' -c '$URI' console $DOM" || gb_die "tmux $1 did not start"
        GB_TMUX_PID=$(gb_tmux "$1" display -p '#{pid}' 2>/dev/null) || GB_TMUX_PID=
        GB_VIRSH_PID=$(gb_tmux "$1" display -p '#{pane_pid}' 2>/dev/null) || GB_VIRSH_PID=
        [[ -n $GB_TMUX_PID ]] && gb_track "$GB_TMUX_PID"
        sleep 1
        [[ -n $GB_VIRSH_PID ]] && gb_alive "$GB_VIRSH_PID" && break
        [[ -z $GB_TMUX_PID ]] || gb_stop "$GB_TMUX_PID"
        gb_log "virsh console did not stay up; again"
    done
    gb_alive "$GB_VIRSH_PID" || gb_die "virsh console in tmux $1 did not start"
    gb_sync "$1" "$1" "gb_tmux_text $1" || gb_die "tmux $1: no shell prompt in $DOM"
}

# The tmux server by PID; its pane's virsh ends with it.
gb_tmux_console_down() {
    gb_stop "$GB_TMUX_PID" 5 || true
    gb_until 10 'gb_gone "$GB_VIRSH_PID"' || gb_stop "$GB_VIRSH_PID"
}

# Type a line into a terminal and press Enter: gb_type TMUXNAME TARGET TEXT.
gb_type() { gb_tmux "$1" send-keys -t "$2" -l -- "$3" && gb_tmux "$1" send-keys -t "$2" Enter; }

# gb_sync TMUXNAME TARGET TEXTCMD: type `echo SY-$((K+1))` until SY-<K+1>
# shows in the output of TEXTCMD (at most 60 s; C-u and again every 3 s).
GB_SYNC_K=1000
gb_sync() {
    local i j want
    for ((i = 0; i < 20; i++)); do
        GB_SYNC_K=$((GB_SYNC_K + 1))
        want=SY-$((GB_SYNC_K + 1))
        gb_tmux "$1" send-keys -t "$2" C-u
        gb_type "$1" "$2" "echo SY-\$(($GB_SYNC_K+1))" || return 1
        for ((j = 0; j < 15; j++)); do
            $3 2>/dev/null | grep -qw -- "$want" && return 0
            sleep 0.2
        done
    done
    return 1
}
