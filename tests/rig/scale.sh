#!/usr/bin/env bash
# tests/rig/scale.sh — measure the LXC rig at one size, the numbers in
# tests/rig/README.md:
#
#     tests/rig/scale.sh N MODE [SECS]      (root; SECS per window, default 30)
#
# 1. up: time to bring up N domains in MODE (idle | tick | ...)
# 2. the rig alone, no console client: CPU (cgroup) and RSS/PSS by kind
# 3. every console held by one client (conhold: one connection, N
#    non-blocking streams): the rig and conhold
# 4. every console held by its own `virsh console` in one tmux session with N
#    windows (what a TA does today): the rig, and tmux + the virsh processes;
#    with MODE idle each window is typed into and must echo
# 5. down: time to tear it all down
# Exits non-zero if any step fails (an unopened console counts).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/rig/lxc.sh
. "$here/lxc.sh"

n=${1:-} mode=${2:-} secs=${3:-30}
if ! _rig_int "$n" 1 999 || [[ -z $mode ]] || ! _rig_int "$secs" 5 600; then
    echo "usage: $0 N MODE [SECS]   (N 1..999, SECS 5..600)" >&2
    exit 2
fi
if ! why=$(rig_missing); then echo "SKIP: $why"; exit 77; fi
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }

D=$(mktemp -d /tmp/rigsc.XXXXXX) || exit 1
T=rigsc-$$
rc=0
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    tmux -L "$T" kill-server 2>/dev/null
    RIG_QUIET=1 rig_down "$D" || rc=1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }

echo "== rig: N=$n MODE=$mode, windows of ${secs}s, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$EPOCHREALTIME
RIG_QUIET=1 rig_up "$D" "$n" "$mode" >/dev/null || { echo "FAIL up"; exit 1; }
echo "up: $(ms_since "$t0") ms for $n domains (daemon, define, start, banners)"
uri=$(rig_uri "$D")
sleep 3

echo "-- rig alone, no console client"
rig_measure "$D" "$secs"

echo "-- every console held by one conhold (one connection, $n streams)"
rig_hold "$D" -t $((secs + 10)) >"$D/hold.out" 2>&1 &
hp=$!
sleep 5
cp=$(pgrep -P "$hp" -x conhold || pgrep -f "^$D/conhold " | head -n 1)
[[ -n $cp ]] && "$here/pmeasure.sh" "$secs" conhold "$cp" &
mp=$!
rig_measure "$D" "$secs"
wait "$mp"
wait "$hp" || rc=1
cat "$D/hold.out"

echo "-- every console held by its own virsh console, one tmux session, $n windows"
t0=$EPOCHREALTIME
tmux -L "$T" -f /dev/null new-session -d -s peer -x 100 -y 30 -n rig-001 "virsh -c '$uri' console rig-001"
for ((i = 2; i <= n; i++)); do
    name=$(_rig_name "$i")
    tmux -L "$T" new-window -d -t peer -n "$name" "virsh -c '$uri' console $name"
done
# wait (bounded in rounds and time) until every window says Connected; the
# whole history, as tick output scrolls the line away
end=$(( ${EPOCHREALTIME/./} + (60 + n / 2) * 1000000 ))
declare -A conn=()
for ((k = 0; k < 100 && ${EPOCHREALTIME/./} < end; k++)); do
    for ((i = 1; i <= n; i++)); do
        name=$(_rig_name "$i")
        [[ -n ${conn[$name]:-} ]] && continue
        tmux -L "$T" capture-pane -p -S - -t "peer:$name" 2>/dev/null |
            grep -q "Connected to domain '$name'" && conn[$name]=1
    done
    c=${#conn[@]}
    (( c == n )) && break
    sleep 1
done
echo "virsh console: $c/$n connected after $(ms_since "$t0") ms"
(( c == n )) || rc=1
if [[ $mode == idle ]]; then
    for ((i = 1; i <= n; i++)); do
        # shellcheck disable=SC2016  # expanded by the container's shell
        tmux -L "$T" send-keys -t "peer:$(_rig_name "$i")" 'echo peer-$((6*7))-$(hostname)' Enter
    done
    sleep 5
    c=0
    for ((i = 1; i <= n; i++)); do
        name=$(_rig_name "$i")
        tmux -L "$T" capture-pane -p -S - -t "peer:$name" | grep -q "^peer-42-$name" && c=$((c + 1))
    done
    echo "typed into every window: $c/$n echoed by their shells"
    (( c == n )) || rc=1
fi
sleep 3
tp=$(tmux -L "$T" display -p '#{pid}')
mapfile -t vp < <(pgrep -P "$tp")
"$here/pmeasure.sh" "$secs" "peer: tmux + ${#vp[@]} children (virsh)" "$tp" "${vp[@]}" &
mp=$!
rig_measure "$D" "$secs"
wait "$mp"
echo "fds: libvirtd $(find "/proc/$(cat "$D/libvirtd.pid")/fd" -mindepth 1 | wc -l), ptys in use $(cat /proc/sys/kernel/pty/nr) of $(cat /proc/sys/kernel/pty/max)"
tmux -L "$T" kill-server

t0=$EPOCHREALTIME
trap - EXIT
RIG_QUIET=1 rig_down "$D" || rc=1
echo "down: $(ms_since "$t0") ms"
(( rc == 0 )) && rm -rf "$D"
exit "$rc"
