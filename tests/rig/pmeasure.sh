#!/usr/bin/env bash
# tests/rig/pmeasure.sh — CPU, RSS and PSS of a set of processes over a window:
#
#     tests/rig/pmeasure.sh SECS LABEL PID...
#
# prints one line:  LABEL procs N cpu% C rss_mib R pss_mib P
# cpu% is of one core, from utime+stime of the PIDs (children they reaped
# not included), measured over SECS; RSS and PSS (smaps_rollup) are summed
# at the end.  PIDs that exit during the window count up to their exit.
set -u
(( $# >= 3 )) || { echo "usage: $0 SECS LABEL PID..." >&2; exit 2; }
secs=$1 label=$2
shift 2
if ! [[ $secs =~ ^[0-9]{1,4}$ ]] || (( secs < 1 || secs > 3600 )); then
    echo "pmeasure: SECS must be 1..3600" >&2
    exit 2
fi

ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null; }

declare -A t0=() last=()
for p in "$@"; do
    [[ $p =~ ^[0-9]+$ ]] || continue
    t0[$p]=$(ticks "$p")
done
sleep "$secs"
hz=$(getconf CLK_TCK)
n=0 dt=0 rss=0 pss=0
for p in "${!t0[@]}"; do
    [[ -n ${t0[$p]} ]] || continue
    last[$p]=$(ticks "$p")
    [[ -n ${last[$p]} ]] || continue
    n=$((n + 1))
    dt=$(( dt + last[$p] - t0[$p] ))
    read -r r s < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { s = $2 } END { print r + 0, s + 0 }' "/proc/$p/smaps_rollup" 2>/dev/null)
    rss=$(( rss + ${r:-0} )); pss=$(( pss + ${s:-0} ))
done
awk -v l="$label" -v n="$n" -v dt="$dt" -v hz="$hz" -v s="$secs" -v r="$rss" -v p="$pss" \
    'BEGIN { printf "%s procs %d cpu%% %.2f rss_mib %.1f pss_mib %.1f\n", l, n, dt * 100 / hz / s, r / 1024, p / 1024 }'
