#!/usr/bin/env bash
# tests/rig/selftest.sh — the LXC rig (tests/rig/lxc.sh) end to end: four
# containers (idle, tick, panic, quiet), `virsh console` in tmux shows a
# banner and a prompt and reaches the shell, say/panic reach a console, all
# four consoles are held at once (conhold), and down leaves nothing behind.
# Exit 0 pass, 1 fail, 77 skipped (not root, LXC driver or tmux missing).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/rig/lxc.sh
. "$here/lxc.sh"

if ! why=$(rig_missing); then
    echo "SKIP rig selftest: $why"
    exit 77
fi
command -v tmux >/dev/null || { echo "SKIP rig selftest: no tmux (apt-get install tmux)"; exit 77; }

export RIG_QUIET=1
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

D=$(mktemp -d /tmp/rigst.XXXXXX) || exit 1
T=rigst-$$
cleanup() {
    tmux -L "$T" kill-server 2>/dev/null
    rig_down "$D" || echo "FAIL rig_down at exit"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# pane_wait TARGET TEXT SECS [GREP-OPTION]: TEXT (fixed string, or with -E
# an extended regex) shows in tmux pane TARGET within SECS.
pane_wait() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        tmux -L "$T" capture-pane -p -t "$1" -S -100 2>/dev/null | grep -q "${4:--F}" -- "$2" && return 0
        sleep 0.1
    done
    echo "  --- pane $1 ---"
    tmux -L "$T" capture-pane -p -t "$1" -S -100 2>/dev/null | grep . | tail -n 15 | sed 's/^/  | /'
    return 1
}

if ! RIG_QUIET=1 rig_up "$D" 4 idle,tick,panic,quiet >/dev/null; then
    fail "rig_up $D 4"
    tail -n 20 "$D/libvirtd.log" 2>/dev/null | sed 's/^/  | /'
    exit 1
fi
ok "rig_up: 4 containers, banners printed"
uri=$(rig_uri "$D")

running=$(virsh -q -c "$uri" list --name 2>/dev/null | grep -c '^rig-00[1-4]$')
if [[ $running == 4 ]]; then ok "virsh list: 4 running"; else fail "virsh list: $running running, not 4"; fi

# The idle container's console in virsh: banner, prompt, typing.
tmux -L "$T" -f /dev/null new-session -d -s c1 -x 120 -y 30 "virsh -c '$uri' console rig-001"
# (capture-pane drops the prompt's trailing space)
if pane_wait c1 "virtmux rig rig-001 (idle)" 10 && pane_wait c1 '^# ?$' 5 -E; then
    ok "virsh console rig-001: banner and prompt"
else
    fail "virsh console rig-001: no banner/prompt"
fi
# shellcheck disable=SC2016  # expanded by the container's shell
tmux -L "$T" send-keys -t c1 'echo typed-$((40+2)) in $(hostname)' Enter
if pane_wait c1 "typed-42 in rig-001" 5; then ok "typing reaches rig-001's shell"; else fail "typing: no 'typed-42 in rig-001'"; fi
rig_say "$D" rig-001 "said-to-rig-001" || fail "rig_say"
if pane_wait c1 "said-to-rig-001" 5; then ok "say reaches rig-001's console"; else fail "say: text not on the console"; fi
rig_panic "$D" rig-001 "selftest panic" || fail "rig_panic"
if pane_wait c1 "Kernel panic - not syncing: selftest panic" 5; then ok "panic line on rig-001's console"; else fail "panic: line not on the console"; fi
# Unlike QEMU's, libvirt 9.0's LXC driver does not lock a console: a second
# client is not refused, and the two then share (split) the output.  Noted,
# not tested: the rig's users must not rely on either behaviour.
tmux -L "$T" new-session -d -s c1b -x 120 -y 30 "virsh -c '$uri' console rig-001; sleep 30"
if pane_wait c1b "ctive console session exists" 3 >/dev/null; then
    echo "note a second console client was refused"
else
    echo "note a second console client was let in (no console lock in the LXC driver)"
fi
tmux -L "$T" kill-session -t c1b 2>/dev/null
tmux -L "$T" send-keys -t c1 C-]
for ((i = 0; i < 50; i++)); do tmux -L "$T" has-session -t c1 2>/dev/null || break; sleep 0.1; done
if tmux -L "$T" has-session -t c1 2>/dev/null; then fail "virsh console did not leave on C-] within 5 s"; else ok "virsh console leaves on C-]"; fi

# The panic container printed its panic block at boot.
tmux -L "$T" -f /dev/null new-session -d -s c3 -x 120 -y 30 "virsh -c '$uri' console rig-003"
if pane_wait c3 "Kernel panic - not syncing: VFS: Unable to mount root fs" 10; then
    ok "rig-003 (panic mode) shows its panic"
else
    fail "rig-003: no panic line"
fi
c3pid=$(tmux -L "$T" display-message -p -t c3 '#{pane_pid}' 2>/dev/null)
tmux -L "$T" kill-session -t c3 2>/dev/null
# its virsh console has let go before every console is opened at once
for ((i = 0; i < 50; i++)); do [ -n "$c3pid" ] && kill -0 "$c3pid" 2>/dev/null || break; sleep 0.1; done

# Every console at once on non-blocking streams; the tick one keeps ticking.
if out=$(rig_hold "$D" -t 3 2>&1) && [[ $out == "opened 4/4 open-at-end 4 "* ]]; then
    ok "conhold: 4/4 consoles held at once (${out%%$'\n'*})"
else
    fail "conhold all: $out"
fi
if out=$(rig_hold "$D" -t 5 -e "rig-002 tick" -a rig-002 2>&1); then
    ok "rig-002 ticks"
else
    fail "rig-002 tick: $out"
fi

# Down leaves nothing: no daemon, no process in the namespace, no cgroup.
pid=$(cat "$D/libvirtd.pid" 2>/dev/null)
ns=$(cat "$D/mntns" 2>/dev/null)
cgs=$(cat "$D/cgroups" 2>/dev/null)
if rig_down "$D"; then ok "rig_down"; else fail "rig_down returned non-zero"; fi
if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then fail "libvirtd $pid still alive"; else ok "libvirtd gone"; fi
if [[ -n $ns && -n $(_rig_ns_pids "$ns") ]]; then fail "processes left in $ns"; else ok "mount namespace empty"; fi
left=""
for cg in $cgs; do [[ -d $cg ]] && left+=" $cg"; done
if [[ -z $cgs ]]; then fail "no cgroups were recorded"; elif [[ -n $left ]]; then fail "cgroups left:$left"; else ok "cgroups removed"; fi
if rig_down "$D"; then ok "rig_down again (idempotent)"; else fail "second rig_down"; fi

trap - EXIT
tmux -L "$T" kill-server 2>/dev/null
if (( fails )); then
    echo "rig selftest: $fails failure(s); logs in $D"
    exit 1
fi
rm -rf "$D"
echo "rig selftest: all passed"
