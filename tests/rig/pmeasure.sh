#!/usr/bin/env bash
# tests/rig/pmeasure.sh — CPU, RSS and PSS of a set of processes over a window:
#
#     tests/rig/pmeasure.sh SECS LABEL PID...
#
# prints one line:  LABEL procs N cpu% C rss_mib R pss_mib P
# cpu% is of one core: the CPU time of the PIDs' threads (schedstat; not
# their children's) over SECS; RSS and PSS (smaps_rollup) are summed at the
# end.  PIDs that exit during the window are not counted.
set -u
(( $# >= 3 )) || { echo "usage: $0 SECS LABEL PID..." >&2; exit 2; }
secs=$1 label=$2
shift 2
if ! [[ $secs =~ ^[0-9]{1,4}$ ]] || (( secs < 1 || secs > 3600 )); then
    echo "pmeasure: SECS must be 1..3600" >&2
    exit 2
fi

# cpu_ns PID...: "PID NS" lines, NS = CPU time of all of PID's threads
# (/proc/PID/task/*/schedstat: exact, unlike the tick-sampled utime/stime).
cpu_ns() {
    local p files=()
    for p in "$@"; do files+=(/proc/"$p"/task/*/schedstat); done
    (( ${#files[@]} )) || return 0
    # grep -H, not awk FILENAME: a thread that has gone meanwhile is skipped
    # (mawk stops at an unreadable file)
    grep -H . "${files[@]}" 2>/dev/null |
        awk -F '[/: ]' '{ t[$3] += $7 } END { for (p in t) printf "%s %.0f\n", p, t[p] }'
    return 0
}

pids=()
for p in "$@"; do [[ $p =~ ^[0-9]+$ ]] && pids+=("$p"); done
declare -A t0=()
while read -r p t; do t0[$p]=$t; done < <(cpu_ns "${pids[@]}")
sleep "$secs"
mapfile -t t1 < <(cpu_ns "${!t0[@]}")   # right at the end of the window
n=0 dt=0 rss=0 pss=0
for p in "${t1[@]}"; do
    t=${p#* } p=${p%% *}
    [[ -n ${t0[$p]:-} ]] || continue
    n=$((n + 1))
    dt=$(( dt + t - t0[$p] ))
    read -r r s < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { s = $2 } END { print r + 0, s + 0 }' "/proc/$p/smaps_rollup" 2>/dev/null)
    rss=$(( rss + ${r:-0} )); pss=$(( pss + ${s:-0} ))
done
awk -v l="$label" -v n="$n" -v dt="$dt" -v s="$secs" -v r="$rss" -v p="$pss" \
    'BEGIN { printf "%s procs %d cpu%% %.2f rss_mib %.1f pss_mib %.1f\n", l, n, dt / 1e7 / s, r / 1024, p / 1024 }'
