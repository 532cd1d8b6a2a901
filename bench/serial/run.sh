#!/usr/bin/env bash
# bench/serial/run.sh — serial console: keystroke echo latency and output
# floods, virtmux attach vs `virsh console` on the same QEMU guest, measured
# in the same run.
#
#   bench/serial/run.sh                    (from the repo root, or anywhere; root)
#
# It starts a private libvirtd with the real QEMU driver (tests/lib/libvirtd.sh)
# in a temp dir under /tmp, boots the busybox demo guest demo1 (TCG), and runs
# build/bench/serialbench (built here from bench/serial/serialbench.c) around
#   virtmux: ./virtmux -c URI attach demo1      (quit: C-] q)
#   virsh:   virsh -c URI console demo1         (quit: C-])
# one after the other (a domain has one console session at a time), each on a
# pty of its own (BENCH_SIZE, TERM=xterm-256color, LANG=C.UTF-8).  serialbench
# feeds what the client writes to a VT screen model, so "visible" means "on
# the emulated screen" for both (ncurses sends only cell updates).
#
# Metrics (see serialbench.c for the details):
#   echo      at the shell prompt, one key at a time: write() -> the prompt row
#             shows it.  SAMPLES (200) after WARMUP (5) discarded.  Median and
#             p99.  Target: virtmux/virsh median <= 1.05x (issue 12:
#             the echo crosses the client and the server).
#   flood     the guest prints FLOOD_MB MiB (FLOOD_KIND=hex: random hex from od,
#             every line different; yes: 100 identical characters per line),
#             then FLOOD-END-42.  From Enter: bytes the client wrote to its
#             terminal until the marker is visible (target <= 0.10x virsh),
#             drain time (target <= 1.0x), and FLOOD_PROBES (20) keys typed
#             during the flood, echoed by the guest tty: write() -> glyph
#             drawn (target: virtmux median <= 20 ms).
# The client's CPU time per phase is printed for information.
#
# Environment:
#   SAMPLES=200 WARMUP=5 FLOOD_MB=2 FLOOD_KIND=hex FLOOD_PROBES=20 ROUNDS=5
#   BENCH_SIZE=120x40   pty size
#   BENCH_TIMEOUT=      seconds per client run (default 120 + 60 per MiB)
#   VIRTMUX=./virtmux   (built with `make virtmux` when the default is missing)
#   VIRTMUX_ARGS='-c @URI@ attach @DOM@'   (@URI@, @DOM@ are replaced)
#   VIRTMUX_QUIT='\x1dq' the keys that quit it (C escapes)
#   VIRSH=virsh
#   To check the harness itself, run virsh on both sides; the ratios should
#   come out near 1.0 (the spread is the noise of the box):
#     VIRTMUX=virsh VIRTMUX_ARGS='-c @URI@ console @DOM@' VIRTMUX_QUIT='\x1d' bench/serial/run.sh
#   KEEP=1              keep the temp dir (daemon and guest logs, raw terminal
#                       output and samples of each client)
#
# FLOOD_MB defaults to 2, not 10: a TCG guest emits only ~75-100 kB/s on its
# serial port, so 10 MiB take ~2-2.5 min per client and the run would go well
# over 5 minutes.  The script prints the rate it saw.
#
# Prints a table (metric | virtmux | virsh | ratio | target | PASS/FAIL) and a
# last line `RESULT serial ...`.  A missed target is printed, not an error: the
# exit code is non-zero only when something breaks (no prompt, a client died,
# a timeout, the daemon or guest did not come up).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

SAMPLES=${SAMPLES:-200}
WARMUP=${WARMUP:-5}
FLOOD_MB=${FLOOD_MB:-2}
FLOOD_KIND=${FLOOD_KIND:-hex}
FLOOD_PROBES=${FLOOD_PROBES:-20}
SIZE=${BENCH_SIZE:-120x40}
VIRSH=${VIRSH:-virsh}
VIRTMUX_ARGS=${VIRTMUX_ARGS:--c @URI@ attach @DOM@}
VIRTMUX_QUIT=${VIRTMUX_QUIT:-'\x1dq'}
KEEP=${KEEP:-0}
# Rounds of (virtmux, virsh), alternating which goes first; every metric is
# the median over rounds: one run each swings +-20% on a 2-core box where the
# TCG guest competes with the client for CPU.  Five, not three: the two
# clients are within a few tens of microseconds of each other per echo, and
# a round's median moves by +-2-4% with the box, so three rounds decide by
# the noise more often than five.
ROUNDS=${ROUNDS:-5}
DOM=demo1
TARGET_ECHO_RATIO=1.05
TARGET_BYTES_RATIO=0.10
TARGET_DRAIN_RATIO=1.0
TARGET_FLOOD_ECHO_MS=20

die() { echo "bench/serial: error: $*" >&2; exit 1; }

for v in SAMPLES WARMUP FLOOD_PROBES ROUNDS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( SAMPLES >= 1 )) || die "SAMPLES must be >= 1"
[[ $FLOOD_MB =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "FLOOD_MB must be a number of MiB (got '$FLOOD_MB')"
[[ $FLOOD_KIND == hex || $FLOOD_KIND == yes ]] || die "FLOOD_KIND must be hex or yes (got '$FLOOD_KIND')"
[[ $SIZE =~ ^[0-9]+x[0-9]+$ ]] || die "BENCH_SIZE must be COLSxROWS (got '$SIZE')"
FLOOD_BYTES=$(awk -v m="$FLOOD_MB" 'BEGIN { printf "%d", m * 1048576 }')
TIMEOUT=${BENCH_TIMEOUT:-$(awk -v m="$FLOOD_MB" 'BEGIN { printf "%d", 120 + 60 * m }')}
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "BENCH_TIMEOUT must be a whole number of seconds"
(( EUID == 0 )) || die "needs root (the private libvirtd runs in its own mount namespace)"

# --- tools ------------------------------------------------------------------
SB=build/bench/serialbench
if [[ ! -x $SB || bench/serial/serialbench.c -nt $SB ]]; then
    mkdir -p build/bench
    cc -O2 -o "$SB" bench/serial/serialbench.c -lutil -lm || die "cannot build $SB"
fi
if [[ -z ${VIRTMUX:-} ]]; then
    VIRTMUX=./virtmux
    if [[ ! -x $VIRTMUX ]]; then
        echo "bench/serial: ./virtmux missing, running make virtmux" >&2
        make virtmux >&2 || die "make virtmux failed"
    fi
fi
command -v "$VIRTMUX" >/dev/null 2>&1 || die "VIRTMUX '$VIRTMUX' is not executable"
command -v "$VIRSH" >/dev/null 2>&1 || die "VIRSH '$VIRSH' not found (apt-get install libvirt-clients)"

# --- private libvirtd + guest -------------------------------------------------
# shellcheck disable=SC1091  # tests/lib/libvirtd.sh, relative to the repo root
. tests/lib/libvirtd.sh
D=$(mktemp -d /tmp/vmxsb.XXXXXX)
chmod 755 "$D"
# virtmux's server (started by the client, ended by its C-] q) lives in this
# run's own directory; its CPU counts with the client's.
export XDG_RUNTIME_DIR=$D/run XDG_STATE_HOME=$D/state
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
export SERIALBENCH_EXTRA_PIDFILE=$XDG_RUNTIME_DIR/virtmux/default.pid

SB_PID=
cleanup() {
    local rc=$? i
    trap - EXIT INT TERM HUP
    if [[ -n $SB_PID ]]; then
        # serialbench stops its client by PID on SIGTERM
        kill -TERM "$SB_PID" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do kill -0 "$SB_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SB_PID" 2>/dev/null || true
        wait "$SB_PID" 2>/dev/null || true
    fi
    if libvirtd_down "$D"; then
        if [[ $KEEP == 1 ]]; then
            echo "bench/serial: kept $D" >&2
        else
            rm -rf "$D"
        fi
    elif [[ -z $(pgrep -f -- "$D/" || true) ]]; then
        # libvirtd_down compares mount-namespace inode numbers, which the
        # kernel reuses: a namespace created meanwhile by someone else (e.g.
        # a qemu:///embed test) can show up as "still in the namespace".
        # Nothing of ours (no command line naming $D) is left, so that is it.
        echo "bench/serial: (no process of ours is left: the above is another namespace with the same inode number)" >&2
        [[ $KEEP == 1 ]] || rm -rf "$D"
    else
        echo "bench/serial: processes of this run are still alive; keeping $D:" >&2
        pgrep -a -f -- "$D/" >&2 || true
        (( rc )) || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

t0=$SECONDS
libvirtd_up "$D" || die "libvirtd_up failed"
libvirtd_guest "$D" "$DOM" || die "libvirtd_guest $DOM failed"
libvirtd_wait_ready "$D" "$DOM" 120 || die "$DOM did not boot"
URI=$(libvirtd_uri "$D")
boot_s=$((SECONDS - t0))
mkdir -p "$D/out"

echo "bench/serial: $DOM (busybox, TCG) on a private libvirtd; pty $SIZE; up in ${boot_s}s"
echo "  uri:     $URI"
vm_args_s=${VIRTMUX_ARGS//@URI@/$URI}
read -r -a vm_args <<<"${vm_args_s//@DOM@/$DOM}"
echo "  virtmux: $VIRTMUX ${VIRTMUX_ARGS//@DOM@/$DOM}   (quit: $VIRTMUX_QUIT)"
printf '  virsh:   %s -c @URI@ console %s   (quit: %s)\n' "$VIRSH" "$DOM" '\x1d'
echo "  echo:    $SAMPLES samples (+$WARMUP warm-up) each"
if (( FLOOD_BYTES > 0 )); then
    echo "  flood:   $FLOOD_MB MiB ($FLOOD_BYTES bytes, kind $FLOOD_KIND), $FLOOD_PROBES echo probes during it"
else
    echo "  flood:   skipped (FLOOD_MB=0)"
fi

# --- one client -----------------------------------------------------------------
declare -A R   # R[peer.key]=value
# measure PEER QUIT CMD...
measure() {
    local peer=$1 quit=$2; shift 2
    local line rc=0 kv st
    st=$(_VMXD_VIRSH_TIMEOUT=10 _vmxd_virsh "$URI" domstate "$DOM" 2>/dev/null || true)
    [[ $st == running* ]] || die "$DOM is '${st:-unknown}' before the $peer run"
    echo "  running $peer ... (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    # In the background and waited for, so that a signal to this script
    # runs the trap at once (it stops serialbench, which stops the client).
    "$SB" -s "$SIZE" -t "$TIMEOUT" -n "$SAMPLES" -w "$WARMUP" -f "$FLOOD_BYTES" \
        -k "$FLOOD_KIND" -e "$FLOOD_PROBES" -q "$quit" -L "$peer" \
        -o "$D/out/$peer.raw" -r "$D/out/$peer.samples" -- "$@" >"$D/out/$peer.line" </dev/null &
    SB_PID=$!
    wait "$SB_PID" || rc=$?
    SB_PID=
    line=$(cat "$D/out/$peer.line")
    echo "  $peer: $line"
    if (( rc != 0 )); then
        die "$peer run failed (serialbench exit $rc; 124 = timeout). Command: $*"
    fi
    local n=0
    for kv in $line; do
        R[$peer.${kv%%=*}]+=" ${kv#*=}"
        [[ ${kv%%=*} == echo_n ]] && n=${kv#*=}
    done
    (( n > 0 )) || die "$peer: no echo samples"
}

for ((round = 1; round <= ROUNDS; round++)); do
    echo "  round $round/$ROUNDS" >&2
    if (( round % 2 )); then
        measure virtmux "$VIRTMUX_QUIT" "$VIRTMUX" "${vm_args[@]}"
        sleep 1   # let libvirtd drop the console lock of the first session
        measure virsh '\x1d' "$VIRSH" -c "$URI" console "$DOM"
    else
        measure virsh '\x1d' "$VIRSH" -c "$URI" console "$DOM"
        sleep 1
        measure virtmux "$VIRTMUX_QUIT" "$VIRTMUX" "${vm_args[@]}"
    fi
    sleep 1
done

# --- report -----------------------------------------------------------------
# The median over rounds of one metric.
get() {
    local v=${R[$1]:-0}
    # shellcheck disable=SC2086
    printf '%s\n' $v | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
echo "per round (virtmux | virsh): echo median ms:${R[virtmux.echo_med_ms]} |${R[virsh.echo_med_ms]};" \
     "flood bytes:${R[virtmux.flood_out_bytes]:-} |${R[virsh.flood_out_bytes]:-};" \
     "drain ms:${R[virtmux.flood_drain_ms]:-} |${R[virsh.flood_drain_ms]:-}"
# Round by round: the two runs of a round are minutes apart on the same
# guest, so a round's ratio is spared the box's slower drifts, and the count
# tells how often virtmux was ahead.
paired() {
    awk -v name="$1" -v a="${R[virtmux.$2]:-}" -v b="${R[virsh.$2]:-}" 'BEGIN {
        n = split(a, x, " "); m = split(b, y, " "); if (m < n) n = m
        for (i = 1; i <= n; i++) {
            if (y[i] <= 0) continue
            r = x[i] / y[i]; out = out sprintf(" %.3f", r); k++; if (r <= 1) won++
        }
        if (k) printf "%s ratio per round:%s (virtmux <= virsh in %d of %d)\n", name, out, won, k
    }'
}
paired echo echo_med_ms
paired drain flood_drain_ms
echo "(each metric below is the median over $ROUNDS rounds)"
awk -v rounds="$ROUNDS" -v samples="$SAMPLES" -v fmb="$FLOOD_MB" -v fbytes="$FLOOD_BYTES" -v kind="$FLOOD_KIND" \
    -v te="$TARGET_ECHO_RATIO" -v tb="$TARGET_BYTES_RATIO" -v td="$TARGET_DRAIN_RATIO" \
    -v tfe="$TARGET_FLOOD_ECHO_MS" \
    -v e1="$(get virtmux.echo_med_ms)" -v e2="$(get virsh.echo_med_ms)" \
    -v p1="$(get virtmux.echo_p99_ms)" -v p2="$(get virsh.echo_p99_ms)" \
    -v c1="$(get virtmux.echo_cpu_ms)" -v c2="$(get virsh.echo_cpu_ms)" \
    -v l1="$(get virtmux.echo_lost)" -v l2="$(get virsh.echo_lost)" \
    -v b1="$(get virtmux.flood_out_bytes)" -v b2="$(get virsh.flood_out_bytes)" \
    -v w1="$(get virtmux.flood_reads)" -v w2="$(get virsh.flood_reads)" \
    -v d1="$(get virtmux.flood_drain_ms)" -v d2="$(get virsh.flood_drain_ms)" \
    -v f1="$(get virtmux.flood_echo_med_ms)" -v f2="$(get virsh.flood_echo_med_ms)" \
    -v q1="$(get virtmux.flood_echo_p99_ms)" -v q2="$(get virsh.flood_echo_p99_ms)" \
    -v n1="$(get virtmux.flood_echo_n)" -v n2="$(get virsh.flood_echo_n)" \
    -v x1="$(get virtmux.flood_echo_lost)" -v x2="$(get virsh.flood_echo_lost)" \
    -v u1="$(get virtmux.flood_cpu_ms)" -v u2="$(get virsh.flood_cpu_ms)" \
    -v k2="$(get virsh.flood_kBps)" 'function ratio(a, b) { return b > 0 ? a / b : 0 }
function rs(a, b) { return b > 0 ? sprintf("%.3fx", a / b) : "-" }
function pf(ok) { return ok ? "PASS" : "FAIL" }
function row(m, a, b, r, t, v) { printf "%-34s | %12s | %12s | %7s | %-12s | %s\n", m, a, b, r, t, v }
BEGIN {
    flood = fbytes > 0
    re = ratio(e1, e2); ok_e = re <= te
    row("metric", "virtmux", "virsh", "ratio", "target", "")
    printf "%s\n", "-----------------------------------+--------------+--------------+---------+--------------+-----"
    row("echo median (ms)", sprintf("%.2f", e1), sprintf("%.2f", e2), rs(e1, e2), "<= " te "x", pf(ok_e))
    row("echo p99 (ms)", sprintf("%.2f", p1), sprintf("%.2f", p2), rs(p1, p2), "info", "")
    row("echo lost samples", l1, l2, "", "info", "")
    row("echo phase client CPU (ms)", c1, c2, rs(c1, c2), "info", "")
    if (flood) {
        rb = ratio(b1, b2); ok_b = rb <= tb
        rd = ratio(d1, d2); ok_d = rd <= td
        ok_f = (n1 > 0 && f1 <= tfe && x1 == 0)
        row("flood: bytes to terminal", b1, b2, rs(b1, b2), "<= " tb "x", pf(ok_b))
        row("flood: terminal writes (reads)", w1, w2, rs(w1, w2), "info", "")
        row("flood: drain time (s)", sprintf("%.2f", d1 / 1000), sprintf("%.2f", d2 / 1000), rs(d1, d2), "<= " td "x", pf(ok_d))
        row("flood: echo median (ms)", sprintf("%.2f", f1), sprintf("%.2f", f2), rs(f1, f2), "<= " tfe " ms", pf(ok_f))
        row("flood: echo p99 (ms)", sprintf("%.2f", q1), sprintf("%.2f", q2), rs(q1, q2), "info", "")
        row("flood: echo samples (lost)", n1 " (" x1 ")", n2 " (" x2 ")", "", "info", "")
        row("flood: client CPU (ms)", u1, u2, rs(u1, u2), "info", "")
        printf "guest serial rate seen by virsh: %.1f kB/s; %.1f MiB take %.1f s (10 MiB would take ~%.0f s per client)\n",
            k2, fmb, d2 / 1000, (k2 > 0 ? 10485.76 / k2 : 0)
    }
    printf "RESULT serial rounds=%d samples=%d echo_ratio=%.3f echo_virtmux_ms=%.3f echo_virsh_ms=%.3f echo_p99_virtmux_ms=%.3f echo_p99_virsh_ms=%.3f",
        rounds, samples, re, e1, e2, p1, p2
    if (flood)
        printf " flood_mb=%s flood_kind=%s bytes_ratio=%.3f bytes_virtmux=%d bytes_virsh=%d drain_ratio=%.3f drain_virtmux_ms=%.1f drain_virsh_ms=%.1f flood_echo_virtmux_ms=%.3f flood_echo_virsh_ms=%.3f",
            fmb, kind, rb, b1, b2, rd, d1, d2, f1, f2
    printf " echo=%s", pf(ok_e)
    if (flood)
        printf " bytes=%s drain=%s flood_echo=%s", pf(ok_b), pf(ok_d), pf(ok_f)
    printf "\n"
}'
