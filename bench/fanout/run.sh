#!/usr/bin/env bash
# bench/fanout/run.sh — one console flooding with 1, 8 and 32 read-only
# clients attached: the server's CPU and memory per client and the bytes
# written to each client's terminal, virtmux against tmux holding
# `virsh console` of the same guest, same run.
#
#   bench/fanout/run.sh                    (from the repo root, or anywhere; root)
#
# A private libvirtd (tests/lib/libvirtd.sh) boots the busybox guest demo1.
# For each N (and each side, alternating which goes first):
#   virtmux  a read-write client (`virtmux -c URI attach demo1` in a
#            throwaway tmux without a status line) gets a shell prompt; N
#            clients `virtmux attach-session -r` start, each on a 120x40 pty
#            of build/bench/ptyrun, and the server-info must count N+1; the
#            read-write client types the flood and leaves at once (Enter,
#            C-] d), so N clients watch it.
#   tmux     `tmux -L tmux new-session -d -x 120 -y 40 "virsh -c URI console
#            demo1"` (history-limit 10000, virtmux's scrollback); N clients
#            `tmux -L tmux attach -r` on ptys; the flood is typed with
#            send-keys.  tmux's side is two processes: the tmux server and
#            the virsh in its pane (virtmux's server does the work of both),
#            so its CPU and RSS are the sum of the two.  A tmux client hands
#            its terminal to the server, which writes to it itself; a
#            virtmux client paints the cells its server sends.  So the table
#            also gives the CPU of server and clients together.
# The flood: od -An -tx1 -w32 /dev/urandom|head -c FLOOD_BYTES;echo FLOOD-END-$((6*7))
# From just before Enter until the guest's serial log (QEMU's, read by
# nobody's client) shows FLOOD-END-42 and the server's CPU time then stands
# still for 1 s: the server's CPU (utime+stime from /proc), its VmRSS
# before the clients, with them, and after the flood, the bytes each
# client's terminal got (ptyrun's counter, read with SIGUSR1 before and
# after), and the clients' own CPU.  After the flood the server must still
# count N clients (none dropped).
#
# Nothing here is a target: the issue asks for the numbers; the ratios to
# tmux are printed beside them.  The exit code is non-zero only when
# something breaks.
#
# Environment: FANOUT_N="1 8 32" FLOOD_BYTES=1048576 BENCH_SIZE=120x40
#   ROUNDS=1 (each N this many times per side; medians)  KEEP=0
#   VIRTMUX=./virtmux VIRSH=virsh TMUX_BIN=tmux
# shellcheck disable=SC2016  # gb_until evals single-quoted code each time
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
GB_NAME=fanout
# shellcheck source=bench/lib/guestbench.sh
. bench/lib/guestbench.sh

FANOUT_N=${FANOUT_N:-1 8 32}
FLOOD_BYTES=${FLOOD_BYTES:-1048576}
ROUNDS=${ROUNDS:-1}
for n in $FANOUT_N; do
    if ! [[ $n =~ ^[1-9][0-9]*$ ]] || (( n > 200 )); then gb_die "FANOUT_N: '$n' is not 1..200"; fi
done
[[ $FLOOD_BYTES =~ ^[1-9][0-9]*$ ]] || gb_die "FLOOD_BYTES must be a positive integer"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || gb_die "ROUNDS must be a positive integer"
# A TCG guest prints ~30-100 kB/s on its serial port.
FLOOD_SECS=$((120 + FLOOD_BYTES / 5000))

PR=build/bench/ptyrun
if [[ ! -x $PR || bench/ptyrun.c -nt $PR ]]; then
    mkdir -p build/bench
    cc -O2 -o "$PR" bench/ptyrun.c -lutil || gb_die "cannot build $PR"
fi

gb_setup
gb_tmux_conf first "set -g status off"
gb_tmux_conf tmux "set -g history-limit 10000"
echo "bench/fanout: $DOM (busybox, TCG) on a private libvirtd; client ptys $SIZE; up in ${GB_BOOT_S}s"
echo "  uri:     $URI"
echo "  flood:   $FLOOD_BYTES bytes of od hex, then FLOOD-END-42; N = $FANOUT_N; $ROUNDS round(s)"
echo "  virtmux: N x $VIRTMUX attach-session -r (the flood typed by a read-write client that then detaches)"
echo "  tmux:    N x $TMUX_BIN -L tmux attach -r (pane: $VIRSH -c URI console $DOM; send-keys types)"

FLOOD_CMD="od -An -tx1 -w32 /dev/urandom|head -c $FLOOD_BYTES;echo FLOOD-END-\$((6*7))"
tmux_clients() { gb_tmux tmux list-clients 2>/dev/null | wc -l; }
ends_in_log() { grep -c "FLOOD-END-42" "$GB_GUESTLOG" 2>/dev/null || true; }

READERS=()   # ptyrun pids of this step
# start_readers TAG N CMD...: N clients on ptys of their own.
start_readers() {
    local tag=$1 n=$2 i
    shift 2
    READERS=()
    for ((i = 1; i <= n; i++)); do
        "$PR" -s "$SIZE" -t $((FLOOD_SECS + 300)) -p "$GB_D/out/$tag.$i.pid" -- "$@" \
            >"$GB_D/out/$tag.$i.out" 2>"$GB_D/out/$tag.$i.err" </dev/null &
        READERS+=("$!")
        gb_track "$!"
    done
}

# The clients' own pids (ptyrun writes them), for their CPU time.
reader_cpu_ms() {
    local tag=$1 n=$2 i p sum=0 c
    for ((i = 1; i <= n; i++)); do
        p=$(cat "$GB_D/out/$tag.$i.pid" 2>/dev/null) || continue
        c=$(gb_cpu_ms "$p")
        (( c >= 0 )) && sum=$((sum + c))
    done
    echo "$sum"
}

# Ask every ptyrun for its byte count; wait until each has printed WANT marks.
mark_readers() {
    local tag=$1 want=$2 i p
    for p in "${READERS[@]}"; do kill -USR1 "$p" 2>/dev/null || true; done
    for ((i = 1; i <= ${#READERS[@]}; i++)); do
        gb_until 10 "(( \$(grep -c '^mark ' '$GB_D/out/$tag.$i.out') >= $want ))" ||
            gb_die "$tag: client $i did not answer SIGUSR1 (died?)"
    done
}

# The bytes each client got between its two marks, one per line.
reader_bytes() {
    local tag=$1 i
    for ((i = 1; i <= ${#READERS[@]}; i++)); do
        awk '/^mark / { sub("out_bytes=", "", $2); m[++k] = $2 } END { print m[2] - m[1] }' "$GB_D/out/$tag.$i.out"
    done
}

# Wait for the readers to exit once their server is gone (bounded).
end_readers() {
    local p
    for p in "${READERS[@]}"; do
        gb_until 15 'gb_gone "$p"' || gb_stop "$p" 5 || true
        wait "$p" 2>/dev/null || true
    done
    READERS=()
}

# Until PIDs' summed CPU time stands still for 1 s (at most 20 s).
cpu_settle() {
    local a b i
    a=$(cpu_of "$@")
    for ((i = 0; i < 20; i++)); do
        sleep 1
        b=$(cpu_of "$@")
        [[ $a == "$b" ]] && return 0
        a=$b
    done
}
cpu_of() { local s=0 p; for p in "$@"; do s=$((s + $(gb_cpu_ms "$p"))); done; echo "$s"; }
rss_of() { local s=0 p; for p in "$@"; do s=$((s + $(gb_rss_kb "$p"))); done; echo "$s"; }

declare -A R
# flood TAG N TYPE_ENTER_FN CLIENTCOUNT_FN PIDS...: the measured part.
flood() {
    local tag=$1 n=$2 enter=$3 count=$4 e0 cpu0 cpu1 ccpu0 ccpu1 rss1 rss2 t0 t1 b left
    shift 4
    rss1=$(rss_of "$@")
    mark_readers "$tag" 1
    e0=$(ends_in_log)
    ccpu0=$(reader_cpu_ms "$tag" "$n")
    cpu0=$(cpu_of "$@")
    t0=$(date +%s%N)
    $enter
    gb_until "$FLOOD_SECS" "(( \$(ends_in_log) > $e0 ))" || gb_die "$tag: FLOOD-END-42 not in the guest's log after ${FLOOD_SECS}s"
    t1=$(date +%s%N)
    cpu_settle "$@"
    cpu1=$(cpu_of "$@")
    ccpu1=$(reader_cpu_ms "$tag" "$n")
    rss2=$(rss_of "$@")
    mark_readers "$tag" 2
    left=$($count)
    [[ $left == "$n" ]] || gb_die "$tag: $left clients attached after the flood, not $n"
    # shellcheck disable=SC2046  # one number per line
    b=$(gb_median $(reader_bytes "$tag"))
    R[$tag.cpu]+=" $((cpu1 - cpu0))"
    R[$tag.ccpu]+=" $((ccpu1 - ccpu0))"
    R[$tag.rss1]+=" $rss1"
    R[$tag.rss2]+=" $rss2"
    R[$tag.bytes]+=" $b"
    R[$tag.drain]+=" $(((t1 - t0) / 1000000))"
    echo "  $tag: server cpu $((cpu1 - cpu0)) ms, rss ${R[$tag.rss0]##* }/$rss1/$rss2 KiB, median bytes/client $b," \
        "clients cpu $((ccpu1 - ccpu0)) ms, drain $(((t1 - t0) / 1000000)) ms (load $(gb_load | cut -d' ' -f1))"
}

vmx_enter() { gb_tmux first send-keys -t first Enter C-] d; }
tmux_enter() { gb_tmux tmux send-keys -t tmux Enter; }

side_virtmux() {   # N
    local n=$1 tag=virtmux.$1
    gb_vmx_first first
    R[$tag.rss0]+=" $(gb_rss_kb "$GB_VMX_PID")"
    start_readers "$tag" "$n" "$VIRTMUX" attach-session -r
    gb_until 60 '[[ $(gb_vmx_clients) == $((n + 1)) ]]' || gb_die "$tag: the server does not count $((n + 1)) clients"
    # the command line, echoed before its Enter
    gb_tmux first send-keys -t first -l -- "$FLOOD_CMD"
    gb_until 20 "gb_vmx_text | grep -qF -- 'FLOOD-END-\$((6*7))'" || gb_die "$tag: the flood command was not echoed"
    sleep 2   # every client has painted it
    flood "$tag" "$n" vmx_enter gb_vmx_clients "$GB_VMX_PID"
    gb_vmx_down
    gb_stop "$GB_FIRST_PID" 5
    end_readers
}

side_tmux() {   # N
    local n=$1 tag=tmux.$1
    gb_tmux_console tmux
    R[$tag.rss0]+=" $(rss_of "$GB_TMUX_PID" "$GB_VIRSH_PID")"
    start_readers "$tag" "$n" "$TMUX_BIN" -L tmux attach -r -t tmux
    gb_until 60 '[[ $(tmux_clients) == "$n" ]]' || gb_die "$tag: tmux does not list $n clients"
    gb_tmux tmux send-keys -t tmux -l -- "$FLOOD_CMD"
    gb_until 20 "gb_tmux_text tmux | grep -qF -- 'FLOOD-END-\$((6*7))'" || gb_die "$tag: the flood command was not echoed"
    sleep 2
    flood "$tag" "$n" tmux_enter tmux_clients "$GB_TMUX_PID" "$GB_VIRSH_PID"
    gb_tmux_console_down
    end_readers
}

step=0
for ((round = 1; round <= ROUNDS; round++)); do
    for n in $FANOUT_N; do
        step=$((step + 1))
        echo "  round $round/$ROUNDS, N=$n (load average $(gb_load))" >&2
        if (( step % 2 )); then
            side_virtmux "$n"; sleep 1; side_tmux "$n"
        else
            side_tmux "$n"; sleep 1; side_virtmux "$n"
        fi
        sleep 1
    done
done

# --- report -----------------------------------------------------------------
med() { local v=${R[$1]:-}; # shellcheck disable=SC2086
    gb_median $v; }
echo "(medians over $ROUNDS round(s); load average at the end: $(gb_load))"
echo "CPU: the server's (tmux: tmux + virsh) during the flood; +clients: with the clients' own (tmux's"
echo "clients hand their terminal to the server, which writes to it itself: their CPU is ~0)."
echo "RSS: VmRSS before the clients, after the flood, and (with N clients - without) / N before the flood."
printf '%-3s | %-7s | %8s | %7s | %8s | %7s | %7s | %8s | %10s | %6s\n' \
    N side "CPU ms" "CPU/cl" "+clients" "RSS0 MB" "RSS MB" "RSS/cl K" "bytes/cl" "drain"
echo "----+---------+----------+---------+----------+---------+---------+----------+------------+-------"
for n in $FANOUT_N; do
    for side in virtmux tmux; do
        t=$side.$n
        awk -v n="$n" -v side="$side" -v cpu="$(med "$t.cpu")" -v r0="$(med "$t.rss0")" -v r1="$(med "$t.rss1")" \
            -v r2="$(med "$t.rss2")" -v b="$(med "$t.bytes")" -v cc="$(med "$t.ccpu")" -v d="$(med "$t.drain")" 'BEGIN {
            printf "%-3s | %-7s | %8d | %7.1f | %8d | %7.1f | %7.1f | %8.1f | %10d | %5.1fs\n",
                n, side, cpu, cpu / n, cpu + cc, r0 / 1024, r2 / 1024, (r1 - r0) / n, b, d / 1000 }'
    done
    awk -v n="$n" -v c1="$(med "virtmux.$n.cpu")" -v c2="$(med "tmux.$n.cpu")" \
        -v r1="$(med "virtmux.$n.rss2")" -v r2="$(med "tmux.$n.rss2")" \
        -v a1="$(med "virtmux.$n.rss1")" -v a0="$(med "virtmux.$n.rss0")" \
        -v t1="$(med "tmux.$n.rss1")" -v t0="$(med "tmux.$n.rss0")" \
        -v b1="$(med "virtmux.$n.bytes")" -v b2="$(med "tmux.$n.bytes")" \
        -v k1="$(med "virtmux.$n.ccpu")" -v k2="$(med "tmux.$n.ccpu")" '
        function rs(x, y) { return y > 0 ? sprintf("%.2fx", x / y) : "-" }
        BEGIN {
            printf "%-3s | %-7s | %8s | %7s | %8s | %7s | %7s | %8s | %10s |\n", n, "ratio", rs(c1, c2), "",
                rs(c1 + k1, c2 + k2), "", rs(r1, r2), rs(a1 - a0, t1 - t0), rs(b1, b2)
        }'
done
for n in $FANOUT_N; do
    awk -v n="$n" -v c1="$(med "virtmux.$n.cpu")" -v c2="$(med "tmux.$n.cpu")" \
        -v k1="$(med "virtmux.$n.ccpu")" -v k2="$(med "tmux.$n.ccpu")" \
        -v r1="$(med "virtmux.$n.rss2")" -v r2="$(med "tmux.$n.rss2")" \
        -v b1="$(med "virtmux.$n.bytes")" -v b2="$(med "tmux.$n.bytes")" 'BEGIN {
        printf "RESULT fanout n=%d cpu_ratio=%.3f virtmux_cpu_ms=%d tmux_cpu_ms=%d virtmux_clients_cpu_ms=%d tmux_clients_cpu_ms=%d rss_ratio=%.3f virtmux_rss_kb=%d tmux_rss_kb=%d bytes_ratio=%.3f virtmux_bytes=%d tmux_bytes=%d\n",
            n, (c2 > 0 ? c1 / c2 : 0), c1, c2, k1, k2, (r2 > 0 ? r1 / r2 : 0), r1, r2, (b2 > 0 ? b1 / b2 : 0), b1, b2 }'
done
