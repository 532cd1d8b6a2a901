# The grid of every console, 100 real ones (libvirt LXC containers:
# tests/rig), more than a screen holds: it pages with n and p; every page
# shows its share in name order, each pane at least 20x5 cells (measured on
# the screen: where the titles are) and titled with its console's name,
# each showing a console; over all pages every console shows exactly once.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/rig/lxc.sh"
[ "$(id -u)" = 0 ] || skip "needs root (a private libvirtd with the LXC driver)"
why=$(rig_missing) || skip "$why"
N=100

RIG=$(mktemp -d /tmp/rigg.XXXX)
rig_stop() { RIG_QUIET=1 rig_down "$RIG" >/dev/null 2>&1; rm -rf "$RIG"; }
on_cleanup rig_stop
RIG_QUIET=1 rig_up "$RIG" $N idle > "$T/rig.log" 2>&1 || { tail -20 "$T/rig.log"; fail "rig_up $N"; }
URI=$(rig_uri "$RIG")

start_virtmux 150x40 -c "$URI"
wait_for "$N/$N domains" 60
wait_row rig-001 "running" 30
keys b
wait_for "$N consoles:" 20
wait_for "0 alarmed  0 booting  $N settled  0 stopped" 60
keys w
wait_for "watching $N consoles on" 20
pages=$(screen | sed -n "s/.*watching $N consoles on \([0-9]*\) pages.*/\1/p" | head -1)
[ -n "$pages" ] || fail "no page count: $(screen | tail -2)"
echo "$N consoles on $pages pages"
[ "$pages" -ge 2 ] || fail "$N consoles fit on one page of 150x40 at 20x5 each?"

# page_titles: "ROW COL NAME" of every pane title on the screen (the title
# line of a pane: lxc/rig-NNN, then its badges).
page_titles() {
    screen | awk '{ line = $0; off = 0
        while (match(line, /lxc\/rig-[0-9][0-9][0-9]/)) {
            print NR, off + RSTART, substr(line, RSTART + 4, 7)
            off += RSTART + RLENGTH - 1; line = substr(line, RSTART + RLENGTH) } }'
}

seen=""
prev_last=""
for p in $(seq 1 "$pages"); do
    wait_for "page $p/$pages" 10
    # every pane of the page drawn: the count stops changing
    for _ in $(seq 1 50); do
        a=$(page_titles | wc -l); sleep 0.2; b=$(page_titles | wc -l)
        [ "$a" = "$b" ] && [ "$a" -gt 0 ] && break
    done
    page_titles > "$T/page$p"
    cnt=$(wc -l < "$T/page$p")
    [ "$cnt" -gt 0 ] || fail "page $p shows no pane"
    [ "$p" -lt "$pages" ] && [ "$cnt" -lt $(( (N + pages - 1) / pages )) ] &&
        fail "page $p of $pages shows only $cnt panes"
    # Geometry: titles on one row are >= 21 columns apart (20 + a gap), rows
    # of titles >= 6 lines apart (a title and 5 rows).
    awk -v p="$p" '
        { r[NR] = $1; c[NR] = $2 }
        END { for (i = 2; i <= NR; i++) {
                if (r[i] == r[i-1] && c[i] - c[i-1] < 21) { printf "page %d: panes %d columns apart\n", p, c[i] - c[i-1]; exit 1 }
                if (r[i] != r[i-1] && r[i] - r[i-1] < 6) { printf "page %d: pane rows %d lines apart\n", p, r[i] - r[i-1]; exit 1 } } }' \
        "$T/page$p" || fail "a pane smaller than 20x5"
    # In name order, after the previous page's.
    names=$(awk '{ print $3 }' "$T/page$p")
    [ "$names" = "$(echo "$names" | sort)" ] || fail "page $p is not in name order: $(echo $names)"
    first=$(echo "$names" | head -1)
    [ -z "$prev_last" ] || [[ "$first" > "$prev_last" ]] || fail "page $p starts at $first, after $prev_last"
    prev_last=$(echo "$names" | tail -1)
    seen="$seen $names"
    # Each pane shows a console: its shell's banner.
    own=$(screen | grep -o "BusyBox v" | wc -l)
    [ "$own" -ge "$cnt" ] || fail "page $p: $own of $cnt panes show their shell"
    [ "$p" -lt "$pages" ] && keys n
done
total=$(echo $seen | wc -w)
uniq=$(echo $seen | tr ' ' '\n' | sort -u | wc -l)
[ "$total" = $N ] && [ "$uniq" = $N ] || fail "over $pages pages: $total panes, $uniq different; want $N each"
# From the last page p goes back one, then to the first.
keys p
wait_for "page $((pages - 1))/$pages" 5
page_titles | awk '{ print $3 }' | head -1 | grep -qx "$(awk '{ print $3 }' "$T/page$((pages - 1))" | head -1)" ||
    fail "p did not bring back page $((pages - 1))"
for _ in $(seq 3 "$pages"); do keys p; done
wait_for "page 1/$pages" 10
keys q
wait_gone "page 1/$pages" 5
wait_for "$N consoles:" 10
# q: the board, then the list, then virtmux.
keys q
wait_for "[0:list]" 10
keys q
wait_pid_exit
pass
