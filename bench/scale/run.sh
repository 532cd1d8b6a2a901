#!/usr/bin/env bash
# bench/scale/run.sh — the cost of watching N consoles at once (issue 14),
# virtmux (server + one client showing the board) against N `virsh console`
# in one tmux session, in one run, on the LXC rig (tests/rig: N real libvirt
# LXC domains, each with a real console pty, under a private libvirtd).
#
#   bench/scale/run.sh            (root; from anywhere; SCALE_N="24 240")
#
# For each N:
#  1. tick: rig_up N tick (every console prints a line a second).
#     virtmux: the client (in a tmux of the run's own, 160x50) shows the
#     board (key b); once server-info counts N consoles that printed, over
#     SCALE_SECS: the server's and the client's CPU (% of one core, all
#     threads, /proc/PID/task/*/schedstat), their RSS at the end, libvirtd's
#     CPU.  The server stops (kill-server, then by its pid file).
#     peer: a tmux session with N windows, each `virsh console rig-NNN`, and a
#     tmux client attached to it (in the same outer tmux); once every window
#     says Connected, over SCALE_SECS: tmux server + client + every virsh,
#     CPU and RSS summed, and libvirtd's CPU.  Ratios virtmux/peer.
#     (The LXC driver lets two clients read one console and splits the
#     output between them: the two sides never run at the same time.)
#  2. boot storm: every domain destroyed; virtmux again on the board (empty);
#     then all N started at once (RIG_START_JOBS virsh processes, default
#     8), one in SCALE_PANIC_EVERY (8) in panic mode, the rest idle (a shell
#     prompt).  For each panic: from the moment its panic line was written
#     (the rig records it: /dev/.rig-panic-at in the container, host clock)
#     to the moment the server marked it (its log: "alarm SECS.USECS
#     lxc/rig-NNN", written where it marks the row and makes the frame), and
#     to the moment the row showed ALARM on the client's screen (tmux
#     capture-pane polled every ~10 ms: includes the frame, the client's
#     paint and the polling).  Median and p99 (with few samples p99 is the
#     maximum).
#  3. idle: once the board counts every console alarmed or settled, over
#     SCALE_SECS: wake-ups per second of server and client together (the
#     context switches of all their threads, voluntary + involuntary, from
#     /proc/PID/task/*/status), and their CPU.
#  4. scrollback: SCALE_FILL_K (8) of the idle consoles print 10,000 lines
#     each (this host's kernel log, dmesg, over and over, numbered: ~80
#     bytes a line); the server's RSS before and after (once its CPU time
#     stands still for 1 s), divided by K: the memory a console's 10,000
#     lines of scrollback cost; and the server's CPU time over the same
#     span divided by the bytes written: its CPU per byte of guest output
#     (stream, terminal state, history, the board's line watch and frames).
#  5. rig_down.
# Then a table for every N with the per-console figures, and the targets of
# the issue (PASS/FAIL; a missed target does not fail the run: the exit
# code is non-zero only when something broke).
#
# Environment: SCALE_N ("24 240"), SCALE_SECS (20), SCALE_PANIC_EVERY (8),
#   SCALE_FILL_K (8), SCALE_FILL_LINES (10000), RIG_START_JOBS (8),
#   SCALE_PHASES ("tick storm fill": 1, 2+3, 4 above; fill needs storm),
#   VIRTMUX (./virtmux; its server binary beside it), VIRSH (virsh), KEEP=1
#   keeps the temp dir.
# shellcheck disable=SC2016  # until_ok evals single-quoted code each time
set -uo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
# shellcheck source=tests/rig/lxc.sh
. tests/rig/lxc.sh

SCALE_N=${SCALE_N:-24 240}
SECS=${SCALE_SECS:-20}
PANIC_EVERY=${SCALE_PANIC_EVERY:-8}
FILL_K=${SCALE_FILL_K:-8}
FILL_LINES=${SCALE_FILL_LINES:-10000}
PHASES=" ${SCALE_PHASES:-tick storm fill} "
export RIG_START_JOBS=${RIG_START_JOBS:-8}
VIRSH=${VIRSH:-virsh}
KEEP=${KEEP:-0}
W=160 H=50

die() { echo "bench/scale: error: $*" >&2; exit 1; }
log() { echo "bench/scale: $*" >&2; }
for n in $SCALE_N; do _rig_int "$n" 1 999 || die "SCALE_N: '$n' is not 1..999"; done
_rig_int "$SECS" 5 600 || die "SCALE_SECS must be 5..600"
_rig_int "$PANIC_EVERY" 2 100 || die "SCALE_PANIC_EVERY must be 2..100"
_rig_int "$FILL_K" 1 50 || die "SCALE_FILL_K must be 1..50"
_rig_int "$FILL_LINES" 100 100000 || die "SCALE_FILL_LINES must be 100..100000"
phase() { [[ $PHASES == *" $1 "* ]]; }
for p in $PHASES; do [[ $p == @(tick|storm|fill) ]] || die "SCALE_PHASES: '$p' is not tick, storm or fill"; done
phase fill && ! phase storm && die "SCALE_PHASES: fill needs storm (it fills the consoles the storm left idle)"
(( EUID == 0 )) || { echo "SKIP: needs root (the rig's private libvirtd)"; exit 77; }
if ! why=$(rig_missing); then echo "SKIP: $why"; exit 77; fi
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }
if [[ -z ${VIRTMUX:-} ]]; then
    VIRTMUX=$ROOT/virtmux
    [[ -x $VIRTMUX && -x $ROOT/virtmux-server ]] || make virtmux virtmux-server >&2 || die "make failed"
fi
[[ -x $VIRTMUX ]] || die "VIRTMUX '$VIRTMUX' is not executable"

D=$(mktemp -d /tmp/vmxsc.XXXXXX) || exit 1
chmod 755 "$D"
export XDG_RUNTIME_DIR=$D/x/run XDG_STATE_HOME=$D/x/state XDG_CONFIG_HOME=$D/x/config
export TMUX_TMPDIR=$D/tmux
unset TMUX TMUX_PANE LIBVIRT_DEFAULT_URI
mkdir -p "$D/x" "$D/out"
mkdir -m 700 "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$TMUX_TMPDIR"
RIGS=()
VMXLOG=$XDG_STATE_HOME/virtmux/virtmux.log

# Every tmux call bounded; "term" is the terminal both clients run in,
# "peer" the TA's tmux of today.
tm() { local s=$1; shift; timeout -k 2 20 tmux -L "$s" -f /dev/null "$@"; }
vmx() { timeout -k 2 20 "$VIRTMUX" "$@"; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# until SECS 'CODE': eval CODE every 0.2 s until it succeeds (1 after SECS).
until_ok() {
    local i
    for ((i = 0; i < $1 * 5; i++)); do eval "$2" && return 0; sleep 0.2; done
    return 1
}

server_pid() {
    local p
    p=$({ cat "$XDG_RUNTIME_DIR/virtmux/default.pid"; } 2>/dev/null) || return 0
    [[ $p =~ ^[0-9]+$ ]] && [[ -d /proc/$p ]] && echo "$p"
    return 0
}

# Stop this run's virtmux server: kill-server, then TERM/KILL by its pid file.
vmx_down() {
    local p i
    p=$(server_pid)
    [[ -n $p ]] || return 0
    vmx kill-server >/dev/null 2>&1
    for ((i = 0; i < 50; i++)); do [[ -d /proc/$p ]] || return 0; sleep 0.1; done
    kill -TERM "$p" 2>/dev/null
    for ((i = 0; i < 50; i++)); do [[ -d /proc/$p ]] || return 0; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
}

# shellcheck disable=SC2317  # the EXIT trap
cleanup() {
    local rc=$? r
    trap - EXIT INT TERM HUP
    tm term kill-server 2>/dev/null
    tm peer kill-server 2>/dev/null
    vmx_down
    for r in "${RIGS[@]}"; do RIG_QUIET=1 rig_down "$r" >/dev/null 2>&1 || { log "rig_down $r failed"; rc=1; }; done
    if [[ $KEEP == 1 || $rc != 0 ]]; then log "kept $D"; else rm -rf "$D"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# cpu_ns PID...: CPU time of every thread of the PIDs, summed (ns).
cpu_ns() {
    local p files=()
    for p in "$@"; do files+=(/proc/"$p"/task/*/schedstat); done
    cat "${files[@]}" 2>/dev/null | awk '{ t += $1 } END { printf "%.0f\n", t }'
}
# switches PID...: context switches of every thread (voluntary + not).
switches() {
    local p files=()
    for p in "$@"; do files+=(/proc/"$p"/task/*/status); done
    cat "${files[@]}" 2>/dev/null | awk '/ctxt_switches:/ { t += $2 } END { printf "%.0f\n", t }'
}
rss_kb() {
    local p t=0 r
    for p in "$@"; do
        r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
        t=$((t + ${r:-0}))
    done
    echo "$t"
}
# pct NS SECS: % of one core
pct() { awk -v t="$1" -v s="$2" 'BEGIN { printf "%.2f", t / 1e7 / s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "inf" }'; }
# pass VALUE MAX
pass() { [[ $1 == - ]] && { echo -; return; }; awk -v v="$1" -v m="$2" 'BEGIN { print (v <= m) ? "PASS" : "FAIL" }'; }
pctile() { # P N...: the P-th percentile (nearest rank)
    local p=$1; shift
    printf '%s\n' "$@" | sort -g | awk -v p="$p" '{ a[NR] = $1 } END {
        if (!NR) { print "-"; exit } k = int((p * NR + 99) / 100); if (k < 1) k = 1; print a[k] }'
}

# heard: the number of consoles that printed something, from server-info.
heard() { vmx server-info 2>/dev/null | sed -n 's/.* (\([0-9]*\) with output).*/\1/p'; }
screen() { tm term capture-pane -p -t term 2>/dev/null; }

# vmx_board URI: the client on the board, in the term tmux.
vmx_board() {
    tm term kill-server 2>/dev/null
    tm term new-session -d -s term -x "$W" -y "$H" \
        "env LANG=C.UTF-8 TERM=xterm-256color '$VIRTMUX' -c '$1'" || die "tmux term"
    until_ok 20 '[[ -n $(server_pid) ]] && screen | grep -q "rig-"' ||
        { screen | tail -5 >&2; die "virtmux did not list the rig"; }
    tm term send-keys -t term b
    until_ok 10 'screen | grep -q " consoles:"' || { screen | tail -5 >&2; die "no board"; }
    CLIENT=$(tm term display -p -t term '#{pane_pid}')
    SERVER=$(server_pid)
}

# measure LABEL PIDS...: CPU (all threads), switches over SECS; RSS at the end
# -> M_CPU (ns) M_SW M_RSS (KiB) M_LV (libvirtd ns)
measure() {
    local c0 s0 l0 c1 s1 l1
    shift
    c0=$(cpu_ns "$@") s0=$(switches "$@") l0=$(cpu_ns "$LVPID")
    sleep "$SECS"
    c1=$(cpu_ns "$@") s1=$(switches "$@") l1=$(cpu_ns "$LVPID")
    M_CPU=$((c1 - c0)) M_SW=$((s1 - s0)) M_LV=$((l1 - l0)) M_RSS=$(rss_kb "$@")
}

declare -A R=()   # results: R[N,key]

run_n() {
    local n=$1 rig uri i name t0 c s
    rig=$D/r$n
    RIGS+=("$rig")
    echo "== N=$n: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    t0=$(now_us)
    RIG_QUIET=1 rig_up "$rig" "$n" tick >"$D/out/up$n.log" 2>&1 || { tail "$D/out/up$n.log" >&2; die "rig_up $n tick"; }
    echo "rig: $n LXC domains ticking after $(( ($(now_us) - t0) / 1000 )) ms"
    uri=$(rig_uri "$rig")
    LVPID=$(cat "$rig/libvirtd.pid")

    if phase tick; then
        # ---- 1. tick, virtmux
        vmx_board "$uri"
        until_ok $((30 + n / 2)) '[[ $(heard) == "$n" ]]' || die "virtmux: only $(heard) of $n consoles printed"
        sleep 3
        s=$(cpu_ns "$SERVER") c=$(cpu_ns "$CLIENT")
        measure tick "$SERVER" "$CLIENT"
        s=$(( $(cpu_ns "$SERVER") - s )) c=$(( $(cpu_ns "$CLIENT") - c ))
        R[$n,srv_cpu]=$s R[$n,cli_cpu]=$c R[$n,lv_vmx]=$M_LV
        R[$n,srv_rss]=$(rss_kb "$SERVER") R[$n,cli_rss]=$(rss_kb "$CLIENT")
        R[$n,tick_wake]=$(awk -v w="$M_SW" -v s="$SECS" 'BEGIN { printf "%.1f", w / s }')
        screen | grep -q "$n consoles:" || die "the board does not count $n consoles"
        echo "virtmux (tick): server $(pct "$s" "$SECS") % CPU, $(mib "${R[$n,srv_rss]}") MiB; client $(pct "$c" "$SECS") % CPU, $(mib "${R[$n,cli_rss]}") MiB; ${R[$n,tick_wake]} wake-ups/s; libvirtd $(pct "${R[$n,lv_vmx]}" "$SECS") %"
        tm term kill-server
        vmx_down

        # ---- 1. tick, the peer: N virsh console in one tmux, a client attached
        t0=$(now_us)
        tm peer new-session -d -s peer -x "$W" -y $((H - 1)) -n rig-001 "$VIRSH -c '$uri' console rig-001" || die "tmux peer"
        for ((i = 2; i <= n; i++)); do
            name=$(_rig_name "$i")
            tm peer new-window -d -t peer -n "$name" "$VIRSH -c '$uri' console $name" || die "tmux peer window $name"
        done
        tm term new-session -d -s term -x "$W" -y "$H" "env -u TMUX TERM=xterm-256color tmux -L peer attach -t peer" || die "tmux term"
        local -A conn=()
        local end=$(( $(now_us) + (60 + n / 2) * 1000000 ))
        for ((k = 0; k < 200 && $(now_us) < end; k++)); do
            for ((i = 1; i <= n; i++)); do
                name=$(_rig_name "$i")
                [[ -n ${conn[$name]:-} ]] && continue
                tm peer capture-pane -p -S - -t "peer:$name" 2>/dev/null | grep -q "Connected to domain '$name'" && conn[$name]=1
            done
            (( ${#conn[@]} == n )) && break
            sleep 1
        done
        (( ${#conn[@]} == n )) || die "peer: ${#conn[@]}/$n virsh console connected"
        echo "peer: $n virsh console connected after $(( ($(now_us) - t0) / 1000 )) ms"
        sleep 3
        local tp pc vp
        tp=$(tm peer display -p '#{pid}')
        pc=$(tm term display -p -t term '#{pane_pid}')
        mapfile -t vp < <(pgrep -P "$tp")
        (( ${#vp[@]} == n )) || die "peer: ${#vp[@]} children of tmux, not $n"
        measure tick "$tp" "$pc" "${vp[@]}"
        R[$n,peer_cpu]=$M_CPU R[$n,peer_rss]=$M_RSS R[$n,lv_peer]=$M_LV
        echo "peer (tick): tmux + client + $n virsh $(pct "$M_CPU" "$SECS") % CPU, $(mib "$M_RSS") MiB; libvirtd $(pct "$M_LV" "$SECS") %"
        tm term kill-server
        tm peer kill-server

    fi

    if phase storm; then
        # ---- 2. boot storm
        t0=$(now_us)
        rig_names "$rig" | sed 's/^/destroy /' | _rig_split 4 "$rig/destroy"
        local f vpd=()
        for f in "$rig"/destroy.*.in; do
            _RIG_VIRSH_TIMEOUT=$((60 + n)) _rig_virsh "$uri" <"$f" >"${f%.in}.out" 2>&1 &
            vpd+=("$!")
        done
        for f in "${vpd[@]}"; do wait "$f"; done
        rm -f "$rig"/destroy.*
        until_ok 60 '[[ -z $(_rig_virsh "$uri" list --name 2>/dev/null | grep .) ]]' || die "domains still running after destroy"
        echo "destroyed $n in $(( ($(now_us) - t0) / 1000 )) ms"
        rm -f "$rig/events.log"
        local modes=idle
        for ((i = 2; i < PANIC_EVERY; i++)); do modes+=,idle; done
        modes+=,panic
        vmx_board "$uri"
        local alog_start
        alog_start=$(wc -l <"$VMXLOG")
        # the screen, polled: when each ALARM row first shows (bounded)
        (
            declare -A seen=()
            end=$(( $(now_us) + (120 + n) * 1000000 ))
            want=$((n / PANIC_EVERY))
            while (( $(now_us) < end && ${#seen[@]} < want )); do
                rows=$(screen | grep -oE 'rig-[0-9]+ .*ALARM' | grep -oE '^rig-[0-9]+')
                t=$EPOCHREALTIME   # after the capture: an upper bound
                for nm in $rows; do
                    [[ -z ${seen[$nm]:-} ]] || continue
                    seen[$nm]=1
                    echo "$t $nm"
                done
                sleep 0.01
            done
        ) >"$D/out/screen$n.log" &
        local poller=$!
        t0=$(now_us)
        RIG_QUIET=1 rig_up "$rig" "$n" "$modes" >"$D/out/storm$n.log" 2>&1 || { tail "$D/out/storm$n.log" >&2; die "rig_up $n $modes"; }
        echo "boot storm: $n started ($RIG_START_JOBS virsh at once), every banner after $(( ($(now_us) - t0) / 1000 )) ms"
        local np=$((n / PANIC_EVERY))
        until_ok $((30 + n / 4)) '(( $(tail -n +$((alog_start + 1)) "$VMXLOG" | grep -c "^alarm ") >= np ))' ||
            log "only $(tail -n +$((alog_start + 1)) "$VMXLOG" | grep -c '^alarm ') of $np alarms in the server's log"
        wait "$poller"
        local lat_srv=() lat_scr=() pid at ms
        for ((i = PANIC_EVERY; i <= n; i += PANIC_EVERY)); do
            name=$(_rig_name "$i")
            pid=$(rig_init_pid "$rig" "$name") || { log "$name: no init"; continue; }
            at=$(cat "/proc/$pid/root/dev/.rig-panic-at" 2>/dev/null) || { log "$name: no .rig-panic-at"; continue; }
            ms=$(tail -n +$((alog_start + 1)) "$VMXLOG" | awk -v nm="lxc/$name" -v at="$at" \
                '$1 == "alarm" && $3 == nm { printf "%.1f", ($2 - at) * 1000; exit }')
            if [[ -n $ms ]]; then lat_srv+=("$ms"); else log "$name: no alarm in the server's log"; fi
            ms=$(awk -v nm="$name" -v at="$at" '$2 == nm { printf "%.1f", ($1 - at) * 1000; exit }' "$D/out/screen$n.log")
            if [[ -n $ms ]]; then lat_scr+=("$ms"); else log "$name: its ALARM row was not seen on the screen"; fi
        done
        R[$n,np]=$np R[$n,nsrv]=${#lat_srv[@]} R[$n,nscr]=${#lat_scr[@]}
        R[$n,srv_med]=$(pctile 50 "${lat_srv[@]}") R[$n,srv_p99]=$(pctile 99 "${lat_srv[@]}")
        R[$n,scr_med]=$(pctile 50 "${lat_scr[@]}") R[$n,scr_p99]=$(pctile 99 "${lat_scr[@]}")
        echo "panic line -> marked by the server: ${#lat_srv[@]}/$np, median ${R[$n,srv_med]} ms, p99 ${R[$n,srv_p99]} ms (all: ${lat_srv[*]})"
        echo "panic line -> ALARM on the client's screen: ${#lat_scr[@]}/$np, median ${R[$n,scr_med]} ms, p99 ${R[$n,scr_p99]} ms"

        # ---- 3. idle
        until_ok $((30 + n / 2)) 'screen | grep -q "$np alarmed  0 booting  $((n - np)) settled  0 stopped"' ||
            { screen | sed -n 1,3p >&2; die "the board never counted $np alarmed and $((n - np)) settled"; }
        sleep 3
        measure idle "$SERVER" "$CLIENT"
        R[$n,wake]=$(awk -v w="$M_SW" -v s="$SECS" 'BEGIN { printf "%.2f", w / s }')
        R[$n,idle_cpu]=$M_CPU
        echo "idle: server + client $(pct "$M_CPU" "$SECS") % CPU, ${R[$n,wake]} wake-ups/s"

    fi

    if phase fill; then
        # ---- 4. scrollback: K idle consoles print FILL_LINES lines each
        local k=0 r0 r1 last cur fillp=()
        # the text: this host's kernel log, over and over (a real boot log
        # compresses as such logs do), each line numbered
        dmesg 2>/dev/null | cut -c1-200 >"$D/fill.txt"
        [[ $(wc -l <"$D/fill.txt") -ge 100 ]] || seq -f 'systemd[1]: Started unit %g of some length.' 1 500 >"$D/fill.txt"
        local bytes=0 c0
        for ((i = 1; i <= n && k < FILL_K; i++)); do
            (( i % PANIC_EVERY == 0 )) && continue
            name=$(_rig_name "$i")
            awk -v nm="$name" -v n="$FILL_LINES" '{ l[NR] = $0 } END { for (i = 1; i <= n; i++)
                printf "%s %05d %s\r\n", nm, i, l[(i - 1) % NR + 1] }' "$D/fill.txt" >"$D/fill-$name.txt"
            bytes=$((bytes + $(stat -c %s "$D/fill-$name.txt")))
            k=$((k + 1))
        done
        r0=$(rss_kb "$SERVER") c0=$(cpu_ns "$SERVER")
        for f in "$D"/fill-rig-*.txt; do
            name=${f##*/fill-} name=${name%.txt}
            pid=$(rig_init_pid "$rig" "$name") || die "$name: no init"
            timeout -k 1 $((60 + FILL_LINES / 100)) dd if="$f" of="/proc/$pid/root/dev/console" conv=notrunc status=none &
            fillp+=("$!")
        done
        for f in "${fillp[@]}"; do wait "$f" || die "a fill write failed"; done
        # the server has read it all when its CPU time stands still for 1 s
        last=-1
        for ((i = 0; i < 120; i++)); do
            cur=$(cpu_ns "$SERVER")
            (( cur - last < 2000000 )) && break
            last=$cur
            sleep 1
        done
        r1=$(rss_kb "$SERVER")
        R[$n,fill]=$(awk -v a="$r0" -v b="$r1" -v k="$k" 'BEGIN { printf "%.0f", (b - a) / k }')
        R[$n,nspb]=$(awk -v c="$((cur - c0))" -v b="$bytes" 'BEGIN { printf "%.1f", c / b }')
        echo "scrollback: $k consoles x $FILL_LINES lines: server RSS $(mib "$r0") -> $(mib "$r1") MiB, ${R[$n,fill]} KiB per console"
        echo "guest output: $bytes bytes cost the server $(( (cur - c0) / 1000000 )) ms of CPU: ${R[$n,nspb]} ns per byte (the board shown)"

    fi

    tm term kill-server
    vmx_down
    t0=$(now_us)
    RIG_QUIET=1 rig_down "$rig" >/dev/null 2>&1 || die "rig_down $n"
    echo "rig down after $(( ($(now_us) - t0) / 1000 )) ms"
}

echo "bench/scale: N = $SCALE_N, windows of ${SECS}s, $(nproc) cores, $VIRTMUX"
for n in $SCALE_N; do run_n "$n"; done

echo
echo "== bench/scale: virtmux (server + a client on the board) against N virsh console in one tmux"
printf '%-38s' ""
for n in $SCALE_N; do printf '%18s' "N=$n"; done
printf '%10s\n' target
row() { # LABEL TARGET FN: "-" where the phase did not run
    local label=$1 target=$2 fn=$3 n
    printf '%-38s' "$label"
    for n in $SCALE_N; do printf '%18s' "$(ran "$fn" "$n" && $fn "$n" || echo -)"; done
    printf '%10s\n' "$target"
}
ran() { # FN N: the phase behind FN ran for N
    case $1 in
    f_wake | f_icpu | f_smed | f_sp99 | f_cmed | f_cp99) [[ -n ${R[$2,np]:-} ]] ;;
    f_fill | f_nspb) [[ -n ${R[$2,fill]:-} ]] ;;
    *) [[ -n ${R[$2,srv_cpu]:-} ]] ;;
    esac
}
f_srv() { pct "${R[$1,srv_cpu]}" "$SECS"; }
f_cli() { pct "${R[$1,cli_cpu]}" "$SECS"; }
f_srss() { mib "${R[$1,srv_rss]}"; }
f_crss() { mib "${R[$1,cli_rss]}"; }
f_lvv() { pct "${R[$1,lv_vmx]}" "$SECS"; }
f_peer() { pct "${R[$1,peer_cpu]}" "$SECS"; }
f_prss() { mib "${R[$1,peer_rss]}"; }
f_lvp() { pct "${R[$1,lv_peer]}" "$SECS"; }
f_rcpu() { ratio $(( R[$1,srv_cpu] + R[$1,cli_cpu] )) "${R[$1,peer_cpu]}"; }
f_rrss() { ratio $(( R[$1,srv_rss] + R[$1,cli_rss] )) "${R[$1,peer_rss]}"; }
f_rlv() { ratio $(( R[$1,srv_cpu] + R[$1,cli_cpu] + R[$1,lv_vmx] )) $(( R[$1,peer_cpu] + R[$1,lv_peer] )); }
f_pcs() { awk -v t="${R[$1,srv_cpu]}" -v s="$SECS" -v n="$1" 'BEGIN { printf "%.4f", t / 1e7 / s / n }'; }
f_pcr() { awk -v k="${R[$1,srv_rss]}" -v n="$1" 'BEGIN { printf "%.0f", k / n }'; }
f_ppc() { awk -v t="${R[$1,peer_cpu]}" -v s="$SECS" -v n="$1" 'BEGIN { printf "%.4f", t / 1e7 / s / n }'; }
f_ppr() { awk -v k="${R[$1,peer_rss]}" -v n="$1" 'BEGIN { printf "%.0f", k / n }'; }
f_wake() { echo "${R[$1,wake]}"; }
f_icpu() { pct "${R[$1,idle_cpu]}" "$SECS"; }
f_smed() { echo "${R[$1,srv_med]}"; }
f_sp99() { echo "${R[$1,srv_p99]} (${R[$1,nsrv]}/${R[$1,np]})"; }
f_cmed() { echo "${R[$1,scr_med]}"; }
f_cp99() { echo "${R[$1,scr_p99]} (${R[$1,nscr]}/${R[$1,np]})"; }
f_fill() { echo "${R[$1,fill]}"; }
f_nspb() { echo "${R[$1,nspb]}"; }
row "tick: server CPU % of a core" "<= 5" f_srv
row "tick: client CPU %" "<= 2" f_cli
row "tick: server RSS MiB" "<= 200" f_srss
row "tick: client RSS MiB" "" f_crss
row "tick: libvirtd CPU % (virtmux)" "" f_lvv
row "tick: peer CPU % (tmux+client+virsh)" "" f_peer
row "tick: peer RSS MiB" "" f_prss
row "tick: libvirtd CPU % (peer)" "" f_lvp
row "ratio CPU virtmux/peer" "<= 0.25" f_rcpu
row "ratio RSS virtmux/peer" "<= 0.25" f_rrss
row "ratio CPU incl. libvirtd" "" f_rlv
row "per console: server CPU %" "" f_pcs
row "per console: server RSS KiB" "" f_pcr
row "per console: peer CPU %" "" f_ppc
row "per console: peer RSS KiB" "" f_ppr
row "idle: wake-ups/s (server+client)" "<= 10" f_wake
row "idle: CPU % (server+client)" "" f_icpu
row "storm: panic->server mark, median ms" "" f_smed
row "storm: panic->server mark, p99 ms" "<= 250" f_sp99
row "storm: panic->screen, median ms" "" f_cmed
row "storm: panic->screen, p99 ms" "<= 250" f_cp99
row "10k lines scrollback, KiB/console" "" f_fill
row "server CPU per byte of output, ns" "" f_nspb
v() { if ran "$1" "$2"; then "$1" "$2"; else echo -; fi; }
for n in $SCALE_N; do
    echo "RESULT scale n=$n server_cpu=$(v f_srv "$n") client_cpu=$(v f_cli "$n") server_rss_mib=$(v f_srss "$n")" \
        "peer_cpu=$(v f_peer "$n") peer_rss_mib=$(v f_prss "$n") ratio_cpu=$(v f_rcpu "$n") ratio_rss=$(v f_rrss "$n")" \
        "idle_wakeups=$(v f_wake "$n") storm_p99_ms=${R[$n,srv_p99]:--} screen_p99_ms=${R[$n,scr_p99]:--} fill_kib=$(v f_fill "$n") ns_per_byte=$(v f_nspb "$n")" \
        "server=$(pass "$(v f_srv "$n")" 5) client=$(pass "$(v f_cli "$n")" 2) rss=$(pass "$(v f_srss "$n")" 200)" \
        "ratio=$(ran f_rcpu "$n" || { echo -; exit; }; [[ $(pass "$(f_rcpu "$n")" 0.25) == PASS && $(pass "$(f_rrss "$n")" 0.25) == PASS ]] && echo PASS || echo FAIL)" \
        "wakeups=$(pass "$(v f_wake "$n")" 10) storm=$(ran f_cp99 "$n" && pass "${R[$n,scr_p99]/-/99999}" 250 || echo -)"
done
