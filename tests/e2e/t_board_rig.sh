# The board on 24 real consoles (libvirt LXC containers: tests/rig): every
# one at its prompt is settled; one that prints a kernel panic is marked
# within a second and sorted to the top; a stopped one says so; Enter opens
# the right console, after which the mark is gone; the filter narrows it;
# and a grid of more consoles than fit pages.  BOARD_RIG_N (24) consoles:
# the slow tier (make check-slow) runs it with 240.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/rig/lxc.sh"
[ "$(id -u)" = 0 ] || skip "needs root (a private libvirtd with the LXC driver)"
why=$(rig_missing) || skip "$why"
N=${BOARD_RIG_N:-24}
case $N in [1-9][0-9] | [1-9][0-9][0-9]) ;; *) fail "BOARD_RIG_N must be 10..999" ;; esac

RIG=$(mktemp -d /tmp/rigb.XXXX)
rig_stop() { RIG_QUIET=1 rig_down "$RIG" >/dev/null 2>&1; rm -rf "$RIG"; }
on_cleanup rig_stop
RIG_QUIET=1 rig_up "$RIG" "$N" idle > "$T/rig.log" 2>&1 || { tail -20 "$T/rig.log"; fail "rig_up $N"; }
URI=$(rig_uri "$RIG")

start_virtmux 160x40 -c "$URI"
wait_row "rig-$(printf %03d "$N")" "running" $((30 + N / 4))
keys b
wait_for "$N consoles:" 20
wait_for "0 alarmed  0 booting  $N settled  0 stopped" $((30 + N / 4))

# A panic: marked within a second of being printed, and on top.
t0=$(date +%s%N)
RIG_QUIET=1 rig_panic "$RIG" rig-007 "test panic" >/dev/null || fail "rig_panic"
for _ in $(seq 1 300); do
    screen | sed -n 4p | grep -q "rig-007 .*ALARM" && break
    sleep 0.01
done
t1=$(date +%s%N)
screen | sed -n 4p | grep -q "rig-007 .*ALARM" || fail "rig-007 is not marked ALARM on the first row"
ms=$(((t1 - t0) / 1000000))
echo "panic -> board mark: $ms ms (with polling)"
[ "$ms" -le 1000 ] || fail "the alarm came $ms ms after the panic"
screen | sed -n 4p | grep -q "Kernel panic - not syncing" || fail "the row does not show the panic line"
wait_for "1 alarmed  0 booting  $((N - 1)) settled  0 stopped" 5

# Stopped.
virsh -q -c "$URI" destroy rig-012 >/dev/null || fail "virsh destroy rig-012"
wait_for "1 alarmed  0 booting  $((N - 2)) settled  1 stopped" 20

# Enter on the top row opens rig-007's console; afterwards it is no alarm.
keys Enter
wait_for "lxc/rig-007  serial" 10
wait_for "Kernel panic - not syncing: test panic" 10
keys C-] 0
# Looked at: no longer an alarm; not at a prompt either (booting).
wait_for "0 alarmed  1 booting  $((N - 2)) settled  1 stopped" 10

# The filter; rig-012 says stopped (stopped rows come last: with many
# consoles, below the screen).
keys /
tm send-keys -t vm -l "rig-012"
keys Enter
wait_for "1 console:" 10
screen | grep -E " rig-012 " | grep -q "stopped" || fail "rig-012 does not say stopped"
keys Escape
wait_for "$N consoles:" 10
keys /
tm send-keys -t vm -l "rig-02"
keys Enter
wait_for "$(seq -f 'rig-%03g' 1 "$N" | grep -c rig-02) consoles:" 10
keys Escape
wait_for "$N consoles:" 10

# A grid of more consoles than fit at 20x5: pages, turned with n and p.
tm resize-window -t vm -x 100 -y 30
keys w
wait_for "consoles on" 10
pages=$(screen | sed -n "s/.*watching [0-9]* consoles on \([0-9]*\) pages.*/\1/p" | head -1)
[ -n "$pages" ] && [ "$pages" -ge 2 ] || fail "no pages: $(screen | tail -2)"
wait_for "page 1/$pages" 5
screen | grep -c "lxc/rig-" | { read -r n; [ "$n" -ge 4 ] || fail "only $n panes on the first page"; }
keys n
wait_for "page 2/$pages" 5
keys p
wait_for "page 1/$pages" 5
keys q
wait_gone "page 1/$pages" 5

keys C-] q
wait_pid_exit
pass
