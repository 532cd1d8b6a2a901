#!/usr/bin/env bash
# bench/migrate/run.sh — a serial console across live migrations: virtmux
# (which follows the domain) vs virsh console re-run by a script
# (bench/migrate/peerloop.sh), on the two-host testbed (tests/testbed).
# See bench/migrate/README.md. Run from anywhere, as root.
#
# Knobs: MIGRATIONS (50 per side), KEY_MS (40: a key token every KEY_MS ms),
# SETTLE_S (1.0: the console runs on the destination this long before the next
# migration), SIDES ("virtmux peer"), VIRTMUX (./virtmux, built if missing),
# KEEP=1 (keep the work directory), TESTBED_DIR / TESTBED_NETNS_PREFIX /
# TESTBED_SUBNET (/tmp/vmx-tbmigb, vmxg, 10.78.12: bench/remote has vmxb).
#
# Never asserts timings: a missed target prints FAIL and the script exits 0.
# Exit 1 when something broke (testbed, a migration, a wait that ran out).
set -u
set -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
MIGRATIONS=${MIGRATIONS:-50}
KEY_MS=${KEY_MS:-40}
SETTLE_S=${SETTLE_S:-1.0}
SIDES=${SIDES:-virtmux peer}
NLINES=1000000           # the printer runs until it is killed at the end
export TESTBED_DIR=${TESTBED_DIR:-/tmp/vmx-tbmigb}
export TESTBED_NETNS_PREFIX=${TESTBED_NETNS_PREFIX:-vmxg}
export TESTBED_SUBNET=${TESTBED_SUBNET:-10.78.12}
TB=$ROOT/tests/testbed/testbed.sh

die() { echo "bench/migrate: $*" >&2; exit 1; }
say() { echo "bench/migrate: $*" >&2; }
[[ $(id -u) == 0 ]] || die "needs root (the testbed)"
for c in tmux virsh nsenter python3 cc; do command -v $c >/dev/null || die "needs $c"; done
[[ $MIGRATIONS =~ ^[1-9][0-9]*$ ]] || die "MIGRATIONS must be a positive number"

# virtmux is the optimised build (like bench/serial), not the ASan one.
if [[ -z ${VIRTMUX:-} ]]; then
    VIRTMUX=$ROOT/virtmux
    [[ -x $VIRTMUX ]] || { say "./virtmux missing, running make virtmux"; make virtmux >&2 || die "make virtmux failed"; }
fi
[[ -x $VIRTMUX ]] || die "VIRTMUX '$VIRTMUX' is not executable"
CONREC=$ROOT/build/bench/conrec
if [[ ! -x $CONREC || bench/migrate/conrec.c -nt $CONREC ]]; then
    mkdir -p build/bench
    cc -O2 -Wall -o "$CONREC" bench/migrate/conrec.c -lutil || die "cannot build $CONREC"
fi

# tests/e2e/lib.sh: tmux helpers, a work directory $T, the EXIT trap (cleanup
# runs the on_cleanup hooks, kills our tmux server, removes $T unless KEEP=1).
export VIRTMUX
# shellcheck source=/dev/null
. "$ROOT/tests/e2e/lib.sh"
fail() { echo "bench/migrate: FAIL: $*" >&2; tm capture-pane -p -t vm 2>/dev/null | tail -8 | sed 's/^/| /' >&2; exit 1; }

BG_PIDS=""
stop_bg() {
    local p i
    touch "$T/stop.keys" "$T/stop.peer" "$T/stop.watch" 2>/dev/null
    for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
    for p in $BG_PIDS; do
        for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    BG_PIDS=""
}
tb_down() { "$TB" down >/dev/null 2>&1; }
on_cleanup tb_down
on_cleanup stop_bg
trap 'exit 130' INT
trap 'exit 143' TERM HUP

t_start=$SECONDS
"$TB" up > "$T/tb-up.log" 2>&1 || { cat "$T/tb-up.log" >&2; die "testbed up failed"; }
eval "$("$TB" env)"
export TESTBED_URI_A TESTBED_URI_B TESTBED_GUEST
"$TB" guest-up A 180 > "$T/tb-guest.log" 2>&1 || { cat "$T/tb-guest.log" >&2; die "tb1 did not boot on hostA"; }
DOM=$TESTBED_GUEST
uri() { if [[ $1 == A ]]; then echo "$TESTBED_URI_A"; else echo "$TESTBED_URI_B"; fi; }

# Lifecycle events of both hosts, with timestamps: "Resumed Migrated" on the
# destination is when the guest runs again. Through the local sockets (no SSH
# in between), so the stamp is as early as libvirt can tell.
for h in A B; do
    eval "luri=\$TESTBED_LOCALURI_$h"
    # shellcheck disable=SC2154
    virsh -c "$luri" event --loop --event lifecycle --timestamp > "$T/events.$h" 2>&1 &
    BG_PIDS="$BG_PIDS $!"
done
# When the guest's output leaves QEMU, on either host: the growth of the
# serial logs virtlogd writes (informational: the guest's own delay).
rm -f "$T/stop.watch"
python3 "$ROOT/bench/migrate/analyze.py" watch "$T/serial.watch" "$T/stop.watch" \
    A="$TESTBED_SERIAL_LOG_A" B="$TESTBED_SERIAL_LOG_B" &
BG_PIDS="$BG_PIDS $!"
sleep 0.5

now_ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:13}"; }

# migrate_n SIDE: MIGRATIONS live migrations A->B, B->A, ...; after each,
# wait_switched SIDE I (bounded) and SETTLE_S seconds. Times go to $T/SIDE.migs.
migrate_n() {
    local side=$1 i src dst t0 t1 try ok
    : > "$T/$side.migs"
    for ((i = 1; i <= MIGRATIONS; i++)); do
        if ((i % 2)); then src=A dst=B; else src=B dst=A; fi
        ok=0
        for try in 1 2; do
            t0=$(now_ms)
            if $TESTBED_CLIENT timeout 120 virsh -c "$(uri $src)" migrate --live "$DOM" "$(uri $dst)" \
                    > "$T/$side.mig.log" 2>&1; then
                ok=1; break
            fi
            say "$side: migration $i ($src -> $dst) failed (try $try): $(tr '\n' ' ' < "$T/$side.mig.log")"
            sleep 3
        done
        ((ok)) || fail "$side: migration $i ($src -> $dst) failed twice"
        t1=$(now_ms)
        echo "$i $src $dst $t0 $t1" >> "$T/$side.migs"
        wait_switched "$side" "$i" "$dst" || fail "$side: the console did not come back on $dst after migration $i"
        sleep "$SETTLE_S"
        ((i % 10 == 0)) && say "$side: $i/$MIGRATIONS migrations ($((SECONDS - t_start)) s)"
    done
}

# ---- raw-log helpers --------------------------------------------------------
# The console logs (virtmux's DIR/*.raw, conrec's recording) are records
# "TS LEN\n<bytes>\n"; payload FILE prints the bytes alone.
payload() { python3 "$ROOT/bench/migrate/analyze.py" payload "$1"; }
# wait_payload FILE REGEX SECONDS: until a line of FILE's payload matches.
wait_payload() {
    local i
    for ((i = 0; i < $3 * 4; i++)); do
        [[ -s $1 ]] && payload "$1" | tr -d '\r' | grep -aqE -- "$2" && return 0
        sleep 0.25
    done
    return 1
}

# key_sender SIDE PREFIX: a token PREFIX%05d and Enter every ~KEY_MS ms until
# $T/stop.keys exists; "epoch_ms token" lines to $T/SIDE.keys (the guest gets
# "token\n" each: its tty turns the Enter's CR into LF).
key_sender() {
    local side=$1 pfx=$2 k=0 due tok t nap start left args bytes toks
    : > "$T/$side.keys"
    exec {nap}<> <(:)   # read -t on it: a sleep without a process
    start=${EPOCHREALTIME/./}
    while [[ ! -e $T/stop.keys ]]; do
        # Token n is due at start + (n - 1) * KEY_MS: both sides keep one pace.
        # A side that fell behind (a tmux client per call is slow on a busy
        # machine) sends what is due at once, up to 10 tokens.
        due=$(((${EPOCHREALTIME/./} - start) / (KEY_MS * 1000) + 1))
        ((due > k + 10)) && due=$((k + 10))
        ((due > k)) || due=$((k + 1))
        args=() bytes='' toks=''
        while ((k < due)); do
            k=$((k + 1))
            printf -v tok '%s%05d' "$pfx" "$k"
            args+=(send-keys -t vm "$tok" Enter ';')
            bytes+="$tok"$'\r'
            toks+=" $tok"
        done
        if [[ $side == virtmux ]]; then
            tm "${args[@]:0:${#args[@]}-1}"
        else
            printf '%s' "$bytes" >&7
        fi
        t=${EPOCHREALTIME/./}
        for tok in $toks; do echo "${t:0:13} $tok"; done >> "$T/$side.keys"
        left=$((start + k * KEY_MS * 1000 - ${EPOCHREALTIME/./}))
        if ((left > 0)); then
            printf -v left '%d.%06d' $((left / 1000000)) $((left % 1000000))
            read -r -t "$left" -u "$nap" _
        fi
    done
}
[[ $KEY_MS =~ ^[1-9][0-9]{0,3}$ ]] || die "KEY_MS must be 1..9999"

# The guest: with echo off, print PFX0, PFX1, ... every 10 ms in the background
# and collect the keys in FILE. The default pause is ash's own `read -t` on a
# FIFO nobody writes: the loop runs without a fork. With PRINTER=usleep it
# forks usleep per line, and a fresh TCG QEMU then needs ~100-200 ms after
# the resume to translate fork and exec again before the first line comes:
# the guest's delay, the same for every console, which hides the console's.
case ${PRINTER:-read} in
    read) pause='read -t 0.01 x <&3' ;;
    usleep) pause='usleep 10000' ;;
    *) die "PRINTER must be read or usleep" ;;
esac
printer_cmd() { echo "stty -echo; mkfifo /tmp/tick 2>/dev/null; (exec 3<>/tmp/tick; i=0; while [ \$i -lt $NLINES ]; do echo $1\$i; i=\$((i+1)); $pause; done) & cat > $2"; }
# Afterwards: end cat (C-d), stop the printer, print the keys between markers.
dump_cmd() { echo "kill \$!; stty echo; md5sum $1; echo KEYS-''BEGIN; cat $1; echo KEYS-''END"; }

# ---- virtmux ------------------------------------------------------------------
run_virtmux() {
    testbed_attach 120x40   # tests/e2e/lib.sh; $DOM is the testbed's guest
    type_line "$(printer_cmd L /tmp/keys.v)"
    wait_for "L20" 30
    RAW=$(find "$T/logs" -name "*.raw" | head -1)
    [[ -n $RAW ]] || fail "virtmux wrote no raw log"
    rm -f "$T/stop.keys"
    key_sender virtmux v &
    local sender=$!
    BG_PIDS="$BG_PIDS $sender"
    now_ms > "$T/virtmux.start"
    migrate_n virtmux
    touch "$T/stop.keys"
    wait "$sender"
    sleep 1
    now_ms > "$T/virtmux.end"
    keys C-d
    sleep 0.5
    type_line "$(dump_cmd /tmp/keys.v)"
    wait_payload "$RAW" '^KEYS-END$' 60 || fail "virtmux: the guest's key dump did not end"
    keys C-] q
    wait_pid_exit
    cp "$RAW" "$T/virtmux.raw"
}
# wait_switched virtmux I DST: the I-th "migrated" marker is in the log.
wait_switched_virtmux() {
    local i
    for ((i = 0; i < 30 * 10; i++)); do
        (($(grep -ac "marker \[virtmux: migrated" "$RAW") >= $1)) && return 0
        sleep 0.1
    done
    return 1
}

# ---- peer: virsh console, re-run --------------------------------------------
run_peer() {
    local rec=$T/peer.rec
    rm -f "$T/stop.peer" "$T/peer.in"
    mkfifo "$T/peer.in"
    # shellcheck disable=SC2086  # TESTBED_CLIENT is a command prefix
    "$CONREC" -s 120x40 -t 3600 -o "$rec" -i "$T/peer.in" -- \
        $TESTBED_CLIENT bash "$ROOT/bench/migrate/peerloop.sh" A "$T/stop.peer" \
        > "$T/conrec.out" 2>&1 &
    PEER_PID=$!
    BG_PIDS="$BG_PIDS $PEER_PID"
    exec 7> "$T/peer.in"
    local i
    for ((i = 0; i < 40; i++)); do
        printf '\r' >&7
        wait_payload "$rec" "$DOM:~#" 1 && break
    done
    ((i < 40)) || fail "peer: no prompt from virsh console"
    printf '%s\r' "$(printer_cmd P /tmp/keys.p)" >&7
    wait_payload "$rec" '^P20$' 30 || fail "peer: the printer did not start"
    rm -f "$T/stop.keys"
    key_sender peer p &
    local sender=$!
    BG_PIDS="$BG_PIDS $sender"
    now_ms > "$T/peer.start"
    migrate_n peer
    touch "$T/stop.keys"
    wait "$sender"
    sleep 1
    now_ms > "$T/peer.end"
    printf '\x04' >&7
    sleep 0.5
    printf '%s\r' "$(dump_cmd /tmp/keys.p)" >&7
    wait_payload "$rec" '^KEYS-END$' 60 || fail "peer: the guest's key dump did not end"
    touch "$T/stop.peer"
    printf '\x1d' >&7   # ends virsh console; the loop sees the stop file
    exec 7>&-
    for ((i = 0; i < 100; i++)); do kill -0 "$PEER_PID" 2>/dev/null || break; sleep 0.1; done
    kill "$PEER_PID" 2>/dev/null
    wait "$PEER_PID" 2>/dev/null
}
# wait_switched peer I DST: guest output came after the loop's "@@attach DST"
# that followed migration I's return.
wait_switched_peer() {
    local i
    for ((i = 0; i < 30 * 4; i++)); do
        python3 "$ROOT/bench/migrate/analyze.py" attached "$T/peer.rec" "$2" "$(tail -1 "$T/peer.migs" | cut -d' ' -f4)" && return 0
        sleep 0.25
    done
    return 1
}
wait_switched() { local side=$1; shift; "wait_switched_$side" "$@"; }

echo "bench/migrate: $DOM (busybox, TCG, 128 MiB) on the testbed (hostA, hostB over qemu+libssh; $TESTBED_NETNS_PREFIX*, $TESTBED_SUBNET.0/24)"
echo "  $MIGRATIONS live migrations per side (virsh migrate --live, alternating A->B, B->A), ${SETTLE_S}s on each host between"
echo "  guest: a numbered line every 10 ms; keys: a numbered token + Enter every ~${KEY_MS} ms"
echo "  virtmux: $VIRTMUX attach $DOM (tmux 120x40, client namespace, log-dir)"
echo "  peer:    bench/migrate/peerloop.sh: virsh console, re-run on the other host (pty: build/bench/conrec)"
for side in $SIDES; do
    say "$side: start ($((SECONDS - t_start)) s, load $(cut -d' ' -f1-3 /proc/loadavg))"
    "run_$side"
    say "$side: done ($((SECONDS - t_start)) s)"
done
stop_bg
# shellcheck disable=SC2086  # SIDES is a list
python3 "$ROOT/bench/migrate/analyze.py" report "$T" $SIDES || die "analysis failed (KEEP=1 keeps $T)"
