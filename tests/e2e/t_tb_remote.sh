# Remote hosts over qemu+libssh (tests/testbed: hostA and hostB, each with its
# own libvirtd and sshd; virtmux runs in the client namespace). virtmux lists
# both hosts' domains (one defined on hostB while it runs), starts tb1 on
# hostA from the list, types into its serial console, and keeps the console
# through two outages of hostA: sshd killed (with its sessions) and libvirtd
# restarted. Each time: the host list says "disconnected" with a reason, the
# console says "[host lost]"; once the daemon is back, the host reconnects
# and the console reattaches within 10 s and takes keys. Last, tb1 is
# destroyed from the list (the busybox guest has no ACPI: S would not stop it).
. "$(dirname "$0")/lib.sh"
need_qemu
command -v nsenter >/dev/null && command -v ip >/dev/null && [ -x /usr/sbin/sshd ] ||
    skip "needs nsenter, ip and sshd for the testbed"

TB=${TESTBED_SH:-$ROOT/tests/testbed/testbed.sh}
# A testbed of this test's own: its names do not meet another test's.
export TESTBED_DIR=/tmp/vmx-tbrem TESTBED_NETNS_PREFIX=vmxr TESTBED_SUBNET=10.78.6
tb_down() { "$TB" down >/dev/null 2>&1; }
on_cleanup tb_down
# On a failure: virtmux's earlier messages, and the hosts' logs.
PASSED=""
diag() {
    [ -n "$PASSED" ] && return 0
    run_command show-messages 2>/dev/null
    echo "---- messages ----"; screen 2>/dev/null | grep -v '^ *$' | tail -25
    echo "---- virtmux.log ----"; tail -n 8 "$XDG_STATE_HOME/virtmux/virtmux.log" 2>/dev/null
    echo "---- hostA sshd.log ----"; tail -n 8 "$TESTBED_DIR/hosts/A/sshd.log" 2>/dev/null
    echo "---- hostA libvirtd.log ----"; grep -v cgroup "$TESTBED_DIR/hosts/A/log/libvirtd.log" 2>/dev/null | tail -n 5
}
on_cleanup diag
"$TB" down >/dev/null 2>&1   # leftovers of an earlier, killed run
"$TB" up > "$T/tb-up.log" 2>&1 || { cat "$T/tb-up.log"; fail "testbed up"; }
eval "$("$TB" env)"
G=$TESTBED_GUEST
PIDS_A=$TESTBED_DIR/hosts/A/pid

mkdir -p "$XDG_CONFIG_HOME/virtmux"
cat > "$XDG_CONFIG_HOME/virtmux/config" <<CONF
set reconnect-max 2
host hostA "$TESTBED_URI_A"
host hostB "$TESTBED_URI_B"
CONF

# The host list (H): host NAME's row shows STATE; the line under it is the reason.
hstate_is() { screen | grep -qE "^$1 +$2( |$)"; }
hreason() { screen | awk -v h="$1" 'f { print; exit } $1 == h { f = 1 }'; }
wait_hstate() {   # NAME STATE [SECS]
    local i
    for i in $(seq 1 $((${3:-10} * 10))); do
        hstate_is "$1" "$2" && return 0
        sleep 0.1
    done
    fail "host $1 did not become '$2' within ${3:-10}s"
}
# The console's title line (second line): "hostA/tb1  serial  STATE ... [BADGE]".
title() { screen | sed -n 2p; }
wait_title() {    # REGEX SECS
    local i
    for i in $(seq 1 $(($2 * 10))); do
        title | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    fail "console title did not match '$1' within ${2}s: $(title)"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

SHELL_WRAP="$TESTBED_CLIENT" start_virtmux 140x40

# 1. Both hosts listed over qemu+libssh: tb1 on hostA; hostB has none yet.
wait_row "$G" "shut off" 30
screen | grep -E " $G( |$)" | grep -q "^hostA " || fail "$G is not listed on hostA"
keys H
wait_for "URI / REASON" 5
wait_hstate hostA connected 20
wait_hstate hostB connected 20
screen | grep -E "^hostA " | grep -qE " 1 +libvirt [0-9]" || fail "hostA does not count 1 domain"
screen | grep -E "^hostB " | grep -qE " 0 +libvirt [0-9]" || fail "hostB does not count 0 domains"
keys q
# hostB gets a domain of its own (a copy of tb1 with another name and UUID).
sed -e "s|<uuid>[^<]*</uuid>|<uuid>7e57bed0-2222-4222-8222-000000000b02</uuid>|" \
    -e "s|<name>$G</name>|<name>tbb2</name>|" "$TESTBED_GUEST_XML" > "$T/tbb2.xml"
$TESTBED_CLIENT timeout 30 virsh -q -c "$TESTBED_URI_B" define "$T/tbb2.xml" > "$T/define.log" 2>&1 ||
    { cat "$T/define.log"; fail "virsh define tbb2 on hostB"; }
wait_row tbb2 "shut off" 10
screen | grep -E " tbb2( |$)" | grep -q "^hostB " || fail "tbb2 is not listed on hostB"
wait_for "2/2 domains  hosts 2/2" 5

# 2. Start tb1 on hostA from the list (rows sorted by name: tb1 first).
keys g
keys s
wait_row "$G" running 30
# 3. Its serial console.
keys Enter
wait_title "hostA/$G  serial  running" 10
for _ in $(seq 1 60); do screen | grep -qF "$G:~#" && break; keys Enter; sleep 0.5; done
wait_for "$G:~#" 5
type_line 'echo remote-ok'
# The typed command shows "remote-ok" too: wait for the answer's own line.
for _ in $(seq 1 50); do screen | grep -qx "remote-ok *" && break; sleep 0.2; done
screen | grep -qx "remote-ok *" || fail "the guest's answer 'remote-ok' is not on a line of its own"

# outage KIND: after the daemon is gone: "[host lost]", host "disconnected"
# with a reason; then testbed.sh restart-KIND A, and back within 10 s.
outage() {
    local kind=$1 t0 ms
    wait_title "\[host lost\]" 20
    keys C-] H
    wait_for "URI / REASON" 5
    # Between retries (every 1-2 s) the host is "connecting" for a moment.
    local seen="" st
    for _ in $(seq 1 200); do
        hstate_is hostA disconnected && break
        st=$(screen | grep -oE '^hostA +[a-z]+( [a-z]+)?' | awk '{ $1 = ""; print }')
        [[ $seen == *"$st;"* ]] || seen+="$st;"
        sleep 0.1
    done
    hstate_is hostA disconnected || fail "$kind: hostA was never 'disconnected' in 20 s (seen:$seen): $(screen | grep '^hostA ')"
    [ -n "$(hreason hostA | tr -d ' ')" ] || fail "$kind: no reason under hostA"
    echo "$kind: hostA disconnected:$(hreason hostA | sed 's/  */ /g')"
    hstate_is hostB connected || fail "$kind: hostB is not connected any more"
    keys q
    wait_row "$G" "? host lost" 5
    keys Tab
    wait_title "\[host lost\]" 5
    "$TB" restart-$kind A > "$T/restart-$kind.log" 2>&1 || { cat "$T/restart-$kind.log"; fail "restart-$kind A"; }
    t0=$(now_ms)
    wait_title "hostA/$G  serial  running *$" 10
    ms=$(($(now_ms) - t0))
    type_line "echo back-$kind-\$((6*7))"
    wait_for "back-$kind-42" 10
    echo "$kind: console reattached $ms ms after the restart, and takes keys"
}

# 4. sshd killed on hostA (SIGKILL, as in a crash): the listener by its pid
#    file, the per-connection sshds (its children) by their PIDs from /proc.
SSHD=$(cat "$PIDS_A/sshd.pid") || fail "no sshd pid file"
grep -qF "$TESTBED_DIR/hosts/A/" "/proc/$SSHD/cmdline" || fail "pid $SSHD is not hostA's sshd"
children() {   # PID: its children's PIDs, from /proc/*/stat ("pid (comm) state ppid ...")
    local f st rest
    for f in /proc/[0-9]*/stat; do
        { read -r st <"$f"; } 2>/dev/null || continue
        rest=${st##*) }; rest=${rest#* }
        [ "${rest%% *}" = "$1" ] && echo "${st%% *}"
    done
    return 0
}
KIDS=$(children "$SSHD")
[ -n "$KIDS" ] || fail "hostA's sshd has no session children (virtmux is connected)"
kill -KILL "$SSHD" $KIDS
outage sshd

# 5. libvirtd on hostA stops (SIGTERM by its pid file) and comes back; the
#    guest keeps running meanwhile.
LVD=$(cat "$PIDS_A/libvirtd.pid") || fail "no libvirtd pid file"
grep -qF "$TESTBED_DIR/hosts/A/" "/proc/$LVD/cmdline" || fail "pid $LVD is not hostA's libvirtd"
kill -TERM "$LVD"
outage libvirtd
screen | grep -qF "[virtmux: host lost]" || fail "no '[virtmux: host lost]' marker in the console"

# 6. Destroy tb1 from the list (asks first).
keys C-] l
wait_row "$G" running 5
keys g
keys D
wait_for "Destroy '$G' on hostA?" 5
keys y
wait_row "$G" "shut off" 20
st=$(timeout 20 virsh -q -c "$TESTBED_LOCALURI_A" domstate "$G" 2>&1)
[ "$st" = "shut off" ] || fail "hostA says $G is '$st'"
keys q
wait_pid_exit
wait_for "VIRTMUX-EXIT=0" 10
PASSED=1
pass
