#!/usr/bin/env bash
# bench/remote/run.sh — serial console echo latency on a remote host:
# virtmux over qemu+libssh vs `virsh console` over qemu+ssh, on the same
# guest (tb1 on the testbed's hostA), measured in the same run.
#
#   bench/remote/run.sh                    (root; about 2 minutes)
#
# It brings up a testbed of its own (tests/testbed/testbed.sh; TESTBED_DIR
# /tmp/vmx-tbbench, netns vmxb*, 10.78.8.0/24; always `down` on exit), boots
# tb1 on hostA, and runs build/bench/serialbench (built from
# bench/serial/serialbench.c) around, in the client namespace ($TESTBED_CLIENT):
#   virtmux: ./virtmux -c $TESTBED_URI_A attach tb1        (quit: C-] q)
#   virsh:   virsh -c $TESTBED_SSHURI_A console tb1        (quit: C-])
# one after the other (a domain has one console session at a time), each on
# a pty of its own (BENCH_SIZE, TERM=xterm-256color, LANG=C.UTF-8), ROUNDS
# rounds alternating which goes first.
#
# Metric: at the guest's shell prompt, one key at a time: write() -> the
# prompt row of the emulated terminal shows it (serialbench's echo phase).
# SAMPLES (200) after WARMUP (5) each.  Median and p99 per client, each the
# median over rounds; target: virtmux/virsh median <= 1.0x.
#
# Environment:
#   SAMPLES=200 WARMUP=5 ROUNDS=3 BENCH_SIZE=120x40 BENCH_TIMEOUT=180 (s per client run)
#   VIRTMUX=./virtmux (built with `make virtmux` when missing)  VIRSH=virsh
#   TESTBED_DIR / TESTBED_NETNS_PREFIX / TESTBED_SUBNET  (defaults above)
#   KEEP=1   keep the output directory (raw terminal output, samples)
#
# Prints per-round lines, a table and a last line `RESULT remote ...`.  A
# missed target is printed (FAIL), not an error: the exit code is non-zero
# only when something breaks (testbed, guest, a client, a timeout).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

SAMPLES=${SAMPLES:-200}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-3}
SIZE=${BENCH_SIZE:-120x40}
TIMEOUT=${BENCH_TIMEOUT:-180}
VIRSH=${VIRSH:-virsh}
KEEP=${KEEP:-0}
TARGET_ECHO_RATIO=1.0
export TESTBED_DIR=${TESTBED_DIR:-/tmp/vmx-tbbench}
export TESTBED_NETNS_PREFIX=${TESTBED_NETNS_PREFIX:-vmxb}
export TESTBED_SUBNET=${TESTBED_SUBNET:-10.78.8}
TB=$ROOT/tests/testbed/testbed.sh

die() { echo "bench/remote: error: $*" >&2; exit 1; }

for v in SAMPLES WARMUP ROUNDS TIMEOUT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( SAMPLES >= 1 && ROUNDS >= 1 )) || die "SAMPLES and ROUNDS must be >= 1"
[[ $SIZE =~ ^[0-9]+x[0-9]+$ ]] || die "BENCH_SIZE must be COLSxROWS (got '$SIZE')"
(( EUID == 0 )) || die "needs root (the testbed)"

# --- tools ------------------------------------------------------------------
SB=build/bench/serialbench
if [[ ! -x $SB || bench/serial/serialbench.c -nt $SB ]]; then
    mkdir -p build/bench
    cc -O2 -o "$SB" bench/serial/serialbench.c -lutil -lm || die "cannot build $SB"
fi
SB=$ROOT/$SB
if [[ -z ${VIRTMUX:-} ]]; then
    VIRTMUX=./virtmux
    if [[ ! -x $VIRTMUX ]]; then
        echo "bench/remote: ./virtmux missing, running make virtmux" >&2
        make virtmux >&2 || die "make virtmux failed"
    fi
fi
command -v "$VIRTMUX" >/dev/null 2>&1 || die "VIRTMUX '$VIRTMUX' is not executable"
[[ $VIRTMUX == /* ]] || VIRTMUX=$ROOT/${VIRTMUX#./}
command -v "$VIRSH" >/dev/null 2>&1 || die "VIRSH '$VIRSH' not found (apt-get install libvirt-clients)"

# --- testbed ----------------------------------------------------------------
OUT=$(mktemp -d /tmp/vmxrb.XXXXXX)
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
    "$TB" down >"$OUT/tb-down.log" 2>&1 || { echo "bench/remote: testbed down:" >&2; cat "$OUT/tb-down.log" >&2; (( rc )) || rc=1; }
    if [[ $KEEP == 1 ]]; then echo "bench/remote: kept $OUT" >&2; else rm -rf "$OUT"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

t0=$SECONDS
"$TB" down >/dev/null 2>&1 || true   # leftovers of a killed run
"$TB" up >"$OUT/tb-up.log" 2>&1 || { cat "$OUT/tb-up.log" >&2; die "testbed up failed"; }
eval "$("$TB" env)"
"$TB" guest-up A 120 >"$OUT/tb-guest.log" 2>&1 || { cat "$OUT/tb-guest.log" >&2; die "tb1 did not boot on hostA"; }
DOM=$TESTBED_GUEST
boot_s=$((SECONDS - t0))
# virtmux reads no config of the user's: empty XDG dirs of this run
mkdir -p "$OUT/config" "$OUT/state"
read -r -a CLIENT <<<"$TESTBED_CLIENT"

echo "bench/remote: $DOM (busybox, TCG) on testbed hostA ($TESTBED_ADDR_A); clients in the client namespace; pty $SIZE; up in ${boot_s}s"
echo "  virtmux: $VIRTMUX -c $TESTBED_URI_A attach $DOM   (quit: C-] q)"
echo "  virsh:   $VIRSH -c $TESTBED_SSHURI_A console $DOM   (quit: C-])"
echo "  echo:    $SAMPLES samples (+$WARMUP warm-up) each, $ROUNDS rounds"

declare -A R   # R[peer.key]=" v1 v2 ..."
# measure PEER QUIT CMD...
measure() {
    local peer=$1 quit=$2 line rc=0 kv n=0 st
    shift 2
    st=$(timeout 20 virsh -q -c "$TESTBED_LOCALURI_A" domstate "$DOM" 2>/dev/null || true)
    [[ $st == running* ]] || die "$DOM is '${st:-unknown}' before the $peer run"
    echo "  running $peer ... (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    # In the background and waited for: a signal runs the trap at once.
    "$SB" -s "$SIZE" -t "$TIMEOUT" -n "$SAMPLES" -w "$WARMUP" -f 0 -q "$quit" -L "$peer" \
        -o "$OUT/$peer.$round.raw" -r "$OUT/$peer.$round.samples" -- "$@" >"$OUT/$peer.line" </dev/null &
    SB_PID=$!
    wait "$SB_PID" || rc=$?
    SB_PID=
    line=$(cat "$OUT/$peer.line")
    echo "  $peer: $line"
    (( rc == 0 )) || die "$peer run failed (serialbench exit $rc; 124 = timeout). Command: $*"
    for kv in $line; do
        R[$peer.${kv%%=*}]+=" ${kv#*=}"
        [[ ${kv%%=*} == echo_n ]] && n=${kv#*=}
    done
    (( n > 0 )) || die "$peer: no echo samples"
}
run_virtmux() {
    measure virtmux '\x1dq' "${CLIENT[@]}" env XDG_CONFIG_HOME="$OUT/config" XDG_STATE_HOME="$OUT/state" \
        "$VIRTMUX" -c "$TESTBED_URI_A" attach "$DOM"
}
run_virsh() {
    measure virsh '\x1d' "${CLIENT[@]}" "$VIRSH" -c "$TESTBED_SSHURI_A" console "$DOM"
}

for ((round = 1; round <= ROUNDS; round++)); do
    echo "  round $round/$ROUNDS" >&2
    if (( round % 2 )); then
        run_virtmux; sleep 1   # let libvirtd drop the console lock of the first session
        run_virsh
    else
        run_virsh; sleep 1
        run_virtmux
    fi
    sleep 1
done

# --- report -----------------------------------------------------------------
get() {   # the median over rounds of one metric
    local v=${R[$1]:-0}
    # shellcheck disable=SC2086
    printf '%s\n' $v | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
echo "per round (virtmux | virsh): echo median ms:${R[virtmux.echo_med_ms]} |${R[virsh.echo_med_ms]};" \
     "p99 ms:${R[virtmux.echo_p99_ms]} |${R[virsh.echo_p99_ms]}"
echo "(each metric below is the median over $ROUNDS rounds)"
awk -v rounds="$ROUNDS" -v samples="$SAMPLES" -v te="$TARGET_ECHO_RATIO" \
    -v e1="$(get virtmux.echo_med_ms)" -v e2="$(get virsh.echo_med_ms)" \
    -v p1="$(get virtmux.echo_p99_ms)" -v p2="$(get virsh.echo_p99_ms)" \
    -v c1="$(get virtmux.echo_cpu_ms)" -v c2="$(get virsh.echo_cpu_ms)" \
    -v l1="$(get virtmux.echo_lost)" -v l2="$(get virsh.echo_lost)" \
    -v k1="$(get virtmux.connect_ms)" -v k2="$(get virsh.connect_ms)" '
function rs(a, b) { return b > 0 ? sprintf("%.3fx", a / b) : "-" }
function pf(ok) { return ok ? "PASS" : "FAIL" }
function row(m, a, b, r, t, v) { printf "%-30s | %12s | %12s | %7s | %-8s | %s\n", m, a, b, r, t, v }
BEGIN {
    re = e2 > 0 ? e1 / e2 : 0; ok = e2 > 0 && re <= te
    row("metric", "virtmux", "virsh", "ratio", "target", "")
    print "-------------------------------+--------------+--------------+---------+----------+-----"
    row("echo median (ms)", sprintf("%.2f", e1), sprintf("%.2f", e2), rs(e1, e2), "<= " te "x", pf(ok))
    row("echo p99 (ms)", sprintf("%.2f", p1), sprintf("%.2f", p2), rs(p1, p2), "info", "")
    row("echo lost samples", l1, l2, "", "info", "")
    row("echo phase client CPU (ms)", c1, c2, rs(c1, c2), "info", "")
    row("connect to first prompt (ms)", sprintf("%.0f", k1), sprintf("%.0f", k2), rs(k1, k2), "info", "")
    printf "RESULT remote rounds=%d samples=%d echo_ratio=%.3f echo_virtmux_ms=%.3f echo_virsh_ms=%.3f echo_p99_virtmux_ms=%.3f echo_p99_virsh_ms=%.3f p99_ratio=%.3f echo=%s\n",
        rounds, samples, re, e1, e2, p1, p2, (p2 > 0 ? p1 / p2 : 0), pf(ok)
}'
