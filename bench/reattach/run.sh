#!/usr/bin/env bash
# bench/reattach/run.sh — reattach: from the start of a client to the full
# screen of a console that printed meanwhile, virtmux attach-session against
# tmux attach to a tmux session holding `virsh console`, same guest, same run.
#
#   bench/reattach/run.sh                  (from the repo root, or anywhere; root)
#
# A private libvirtd (tests/lib/libvirtd.sh) boots the busybox guest demo1.
# Each round, for each side (alternating which goes first):
#   virtmux  a first client (`virtmux -c URI attach demo1`, in a throwaway
#            tmux of 120x40 without a status line) types into the guest
#              i=0;while [ $i -lt 2000 ];do echo line-$i;i=$((i+1));done;echo MARK-$((K*7))
#            and waits until MARK-<7K> is in `virtmux capture-pane`; then
#            that tmux is killed by PID (the client gets SIGHUP and detaches;
#            the server keeps the console, its screen and scrollback).
#   tmux     `tmux -L tmux new-session -d -x 120 -y 40 "virsh -c URI console
#            demo1"`, the same lines typed with send-keys, MARK-<7K> waited
#            for with capture-pane.  history-limit is 10000, virtmux's
#            scrollback.
# Measured by build/bench/serialbench -A (bench/serial/serialbench.c): the
# client (`virtmux attach-session` | `tmux -L tmux attach`) is forked on a
# fresh 120x40 pty (TERM=xterm-256color, LANG=C.UTF-8) whose output feeds a
# VT screen model; the time from the fork until MARK-<7K> is on that screen
# as a word, the bytes written until then and until the first paint is done
# (quiet for 300 ms), and the client's own CPU time.  Then the client
# detaches (C-] d | C-b d) and its server is stopped (virtmux kill-server |
# the tmux server by PID), which frees the guest's console for the other side.
#
# Target: virtmux/tmux median attach time <= 1.0x.  A missed target prints
# FAIL; the exit code is non-zero only when something breaks.
#
# Environment: ROUNDS=5 SCROLL_LINES=2000 BENCH_SIZE=120x40 KEEP=0
#   VIRTMUX=./virtmux VIRSH=virsh TMUX_BIN=tmux
#   VIRTMUX_CLIENT=$VIRTMUX   the binary measured for the attach (an
#                  experiment: a client built without the server's libraries)
#   SELF_CHECK=1   tmux on both sides (sockets tmux2 and tmux): the ratio
#                  should come out near 1.0, its spread is the box's noise.
# shellcheck disable=SC2016  # gb_until evals single-quoted code each time
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
GB_NAME=reattach
# shellcheck source=bench/lib/guestbench.sh
. bench/lib/guestbench.sh

ROUNDS=${ROUNDS:-5}
SCROLL_LINES=${SCROLL_LINES:-2000}
SELF_CHECK=${SELF_CHECK:-0}
TARGET_RATIO=1.0
for v in ROUNDS SCROLL_LINES; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || gb_die "$v must be a positive integer (got '${!v}')"
done

SB=build/bench/serialbench
if [[ ! -x $SB || bench/serial/serialbench.c -nt $SB ]]; then
    mkdir -p build/bench
    cc -O2 -o "$SB" bench/serial/serialbench.c -lutil -lm || gb_die "cannot build $SB"
fi

gb_setup
# The throwaway terminal of virtmux's first client: the whole 120x40 is the
# client's, as on the measured pty.
gb_tmux_conf first "set -g status off"
gb_tmux_conf tmux "set -g history-limit 10000"
gb_tmux_conf tmux2 "set -g history-limit 10000"

if [[ $SELF_CHECK == 1 ]]; then SIDES=(tmux2 tmux); else SIDES=(virtmux tmux); fi
echo "bench/reattach: $DOM (busybox, TCG) on a private libvirtd; pty $SIZE; up in ${GB_BOOT_S}s"
echo "  uri:     $URI"
echo "  scrollback: $SCROLL_LINES lines, then the marker; $ROUNDS rounds; sides: ${SIDES[*]}"
echo "  virtmux: ${VIRTMUX_CLIENT:-$VIRTMUX} attach-session (after a first client attached $DOM and left)"
echo "  tmux:    $TMUX_BIN -L tmux attach (session: $VIRSH -c URI console $DOM, history-limit 10000)"

K=0
SB_PID=

# Fill the console: the loop, then the marker; wait for the marker.
fill() {   # TMUXNAME TARGET TEXTCMD MARKER_K
    local want=MARK-$(($4 * 7))
    gb_type "$1" "$2" "i=0;while [ \$i -lt $SCROLL_LINES ];do echo line-\$i;i=\$((i+1));done;echo MARK-\$(($4*7))" ||
        return 1
    gb_until 120 "$3 2>/dev/null | grep -qw -- $want"
}

# Measure one attach: LABEL QUIT CMD...
attach() {
    local label=$1 quit=$2 rc=0 line kv
    shift 2
    sleep 1   # the servers idle, as a user's would when they come back
    echo "  $label: attach (load average $(gb_load))" >&2
    "$SB" -A "MARK-$((K * 7))" -W 30000 -t 60 -s "$SIZE" -q "$quit" -L "$label" \
        -o "$GB_D/out/$label.$K.raw" -- "$@" >"$GB_D/out/$label.$K.line" </dev/null &
    SB_PID=$!
    gb_track "$SB_PID"   # on SIGTERM it stops its client by PID
    wait "$SB_PID" || rc=$?
    SB_PID=
    line=$(cat "$GB_D/out/$label.$K.line")
    echo "  $label: $line load=$(gb_load | cut -d' ' -f1)"
    (( rc == 0 )) || gb_die "$label: serialbench exit $rc (124 = timeout). Command: $*"
    for kv in $line; do R[$label.${kv%%=*}]+=" ${kv#*=}"; done
}

side_virtmux() {
    gb_vmx_first first
    fill first first gb_vmx_text "$K" || gb_die "virtmux: MARK-$((K * 7)) did not show"
    # The terminal goes away: the client detaches, the console stays.
    gb_stop "$GB_FIRST_PID" 5 || gb_die "tmux first did not stop"
    gb_until 20 '[[ $(gb_vmx_clients) == 0 ]]' || gb_die "the first virtmux client did not detach"
    attach virtmux '\x1dd' "${VIRTMUX_CLIENT:-$VIRTMUX}" attach-session
    gb_vmx_down
}

side_tmux() {   # SOCKETNAME
    gb_tmux_console "$1"
    fill "$1" "$1" "gb_tmux_text $1" "$K" || gb_die "$1: MARK-$((K * 7)) did not show"
    attach "$1" '\x02d' "$TMUX_BIN" -L "$1" attach -t "$1"
    gb_tmux_console_down
}

run_side() { if [[ $1 == virtmux ]]; then side_virtmux; else side_tmux "$1"; fi; }

declare -A R
for ((round = 1; round <= ROUNDS; round++)); do
    echo "  round $round/$ROUNDS" >&2
    if (( round % 2 )); then order=("${SIDES[0]}" "${SIDES[1]}"); else order=("${SIDES[1]}" "${SIDES[0]}"); fi
    for side in "${order[@]}"; do
        K=$((K + 1))
        run_side "$side"
        sleep 1
    done
done

# --- report -----------------------------------------------------------------
A=${SIDES[0]} B=${SIDES[1]}
med() { local v=${R[$1]:-}; # shellcheck disable=SC2086
    gb_median $v; }
ratios=$(awk -v a="${R[$A.attach_ms]}" -v b="${R[$B.attach_ms]}" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 1; i <= n; i++) { r = y[i] > 0 ? x[i] / y[i] : 0; s = s sprintf(" %.3f", r); if (r <= 1) w++ }
    printf "%s (%s ahead or even in %d of %d)", s, "'"$A"'", w, n }')
echo "per round ($A | $B): attach ms:${R[$A.attach_ms]} |${R[$B.attach_ms]}"
echo "attach ratio per round:$ratios"
echo "(medians over $ROUNDS rounds; load average at the end: $(gb_load))"
awk -v A="$A" -v B="$B" -v t="$TARGET_RATIO" -v rounds="$ROUNDS" -v lines="$SCROLL_LINES" \
    -v a1="$(med "$A.attach_ms")" -v a2="$(med "$B.attach_ms")" \
    -v b1="$(med "$A.attach_bytes")" -v b2="$(med "$B.attach_bytes")" \
    -v p1="$(med "$A.paint_bytes")" -v p2="$(med "$B.paint_bytes")" \
    -v r1="$(med "$A.attach_reads")" -v r2="$(med "$B.attach_reads")" \
    -v c1="$(med "$A.attach_cpu_ms")" -v c2="$(med "$B.attach_cpu_ms")" '
function rs(x, y) { return y > 0 ? sprintf("%.3fx", x / y) : "-" }
function row(m, x, y, r, tg, v) { printf "%-36s | %10s | %10s | %7s | %-8s | %s\n", m, x, y, r, tg, v }
BEGIN {
    ok = a2 > 0 && a1 / a2 <= t
    row("metric", A, B, "ratio", "target", "")
    print "-------------------------------------+------------+------------+---------+----------+-----"
    row("attach -> marker visible (ms)", sprintf("%.1f", a1), sprintf("%.1f", a2), rs(a1, a2), "<= " t "x", ok ? "PASS" : "FAIL")
    row("bytes to the terminal until then", b1, b2, rs(b1, b2), "info", "")
    row("bytes of the whole first paint", p1, p2, rs(p1, p2), "info", "")
    row("terminal reads until visible", r1, r2, rs(r1, r2), "info", "")
    row("client CPU until visible (ms)", c1, c2, rs(c1, c2), "info", "")
    printf "RESULT reattach rounds=%d lines=%d sides=%s/%s ratio=%.3f %s_ms=%.1f %s_ms=%.1f %s_bytes=%d %s_bytes=%d %s_paint=%d %s_paint=%d time=%s\n",
        rounds, lines, A, B, (a2 > 0 ? a1 / a2 : 0), A, a1, B, a2, A, b1, B, b2, A, p1, B, p2, ok ? "PASS" : "FAIL"
}'
