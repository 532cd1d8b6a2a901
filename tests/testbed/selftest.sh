#!/usr/bin/env bash
# tests/testbed/selftest.sh — the testbed's own end-to-end check (root):
#   up; list both hosts over qemu+libssh (and qemu+ssh, and password auth) from
#   the client namespace; start the guest on hostA and see its serial output;
#   live-migrate it A->B->A three times (each timed, the guest answers on its
#   serial console after every move); down; assert nothing is left.
#
# Uses its own state dir and netns names, so a testbed you have up stays
# untouched: TESTBED_DIR (default /tmp/virtmux-testbed-selftest),
# TESTBED_NETNS_PREFIX (default vst).  MIGRATIONS (default 6).
# SELFTEST_P2P=1 migrates with --p2p (source libvirtd connects to the
# destination itself, over qemu+libssh from inside hostA/hostB).
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TB=$HERE/testbed.sh
export TESTBED_DIR=${TESTBED_DIR:-/tmp/virtmux-testbed-selftest}
export TESTBED_NETNS_PREFIX=${TESTBED_NETNS_PREFIX:-vst}
MIGRATIONS=${MIGRATIONS:-6}
P2P=()
[[ ${SELFTEST_P2P:-0} == 1 ]] && P2P=(--p2p)

fails=0
SUMF=$(mktemp /tmp/tb-selftest-times.XXXXXX)
T0=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
die() { bad "$*"; finish; }
timed() {   # LABEL CMD...: run, record the time
    local label=$1 t=$EPOCHREALTIME rc
    shift
    "$@"; rc=$?
    # a file, not an array: timed also runs inside $(...)
    printf '   %-34s %6s s%s\n' "$label" "$(since "$t")" "$( ((rc)) && echo '  (FAILED)')" >>"$SUMF"
    return $rc
}

finish() {
    trap - EXIT INT TERM
    if [[ -z ${DOWN_DONE:-} ]]; then "$TB" down || bad "down (in cleanup)"; fi
    echo
    echo "== timings"
    cat "$SUMF"; rm -f "$SUMF"
    printf '   %-34s %6s s\n' "whole self-test" "$(since "$T0")"
    if (( fails )); then echo "selftest: $fails FAILED"; exit 1; fi
    echo "selftest: all passed"
    exit 0
}
trap finish EXIT
trap 'bad "interrupted"; finish' INT TERM

(( EUID == 0 )) || { echo "selftest: needs root" >&2; trap - EXIT; exit 1; }
"$TB" down >/dev/null 2>&1   # leftovers of an earlier, killed run

# ---------------------------------------------------------------- up ---
echo "== up ($TESTBED_DIR, netns ${TESTBED_NETNS_PREFIX}A/B/client)"
timed "up" "$TB" up || die "testbed.sh up"
eval "$("$TB" env)" || die "testbed.sh env"
ok "up"
"$TB" status >/dev/null || bad "testbed.sh status"

# Everything a test could leave behind, to check after down.
PIDS=$(cat "$TESTBED_DIR"/hosts/*/holder.pid "$TESTBED_DIR"/client/holder.pid \
           "$TESTBED_DIR"/hosts/*/pid/*.pid 2>/dev/null | tr -s ' \n' '  ')
NSIDS=$(cat "$TESTBED_DIR"/hosts/*/mntns "$TESTBED_DIR"/hosts/*/netns \
            "$TESTBED_DIR"/client/mntns "$TESTBED_DIR"/client/netns 2>/dev/null | tr '\n' ' ')

C() { $TESTBED_CLIENT "$@"; }      # run in the client namespace
cvirsh() { C timeout -k 3 60 virsh -q -c "$@" </dev/null; }
lvirsh() { timeout -k 3 30 virsh -q -c "$@" </dev/null; }

# ------------------------------------------------------- reachability ---
echo "== hosts from the client namespace"
for h in A B; do
    uri_var=TESTBED_URI_$h
    if out=$(timed "virsh list host$h (qemu+libssh)" cvirsh "${!uri_var}" list --all 2>&1); then
        ok "qemu+libssh host$h: $(echo "$out" | awk '{print $2 "(" $3 ")"}' | tr '\n' ' ')"
    else
        bad "qemu+libssh host$h: $out"
    fi
done
if out=$(timed "virsh list hostB (qemu+ssh)" cvirsh "$TESTBED_SSHURI_B" list --all 2>&1); then
    ok "qemu+ssh hostB"
else
    bad "qemu+ssh hostB: $out"
fi
auth=$(mktemp /tmp/tb-auth.XXXXXX)
printf '[credentials-tb]\nauthname=%s\npassword=%s\n\n[auth-ssh-%s]\ncredentials=tb\n' \
    "$TESTBED_USER" "$TESTBED_PASSWORD" "$TESTBED_HOST_A" >"$auth"
if out=$(LIBVIRT_AUTH_FILE=$auth cvirsh "$TESTBED_PWURI_A" list --all 2>&1); then
    ok "qemu+libssh hostA as $TESTBED_USER with a password"
else
    bad "password login as $TESTBED_USER on hostA: $out"
fi
rm -f "$auth"
[[ $(C getent hosts hostB | awk '{print $1}') == "$TESTBED_ADDR_B" ]] && ok "client resolves hostB" || bad "client does not resolve hostB"
[[ $($TESTBED_EXEC_A hostname) == hostA ]] && ok "hostA's hostname" || bad "hostA's UTS hostname"
[[ $($TESTBED_EXEC_A getent hosts hostB | awk '{print $1}') == "$TESTBED_ADDR_B" ]] && ok "hostA resolves hostB" || bad "hostA does not resolve hostB"

# ------------------------------------------------------------ guest ---
# serial_say HOST WORD: type "echo WORD" into the guest's serial console (the
# pty libvirt gives virsh console) and wait for WORD in HOST's serial log.
serial_say() {
    local h=$1 word=$2 luri log pty i fd rc=1
    luri=TESTBED_LOCALURI_$h; log=TESTBED_SERIAL_LOG_$h
    pty=$(lvirsh "${!luri}" ttyconsole "$TESTBED_GUEST") || return 1
    [[ -c $pty ]] || return 1
    # Keep the pty open while waiting: QEMU polls (1 s) whether someone has
    # it open and only then passes what was written on to the guest.
    exec {fd}<>"$pty" || return 1
    # the guest echoes the command line ("PROMPT echo WORD"); its output is WORD
    # alone. Said again each second: the guest's shell may not be up yet.
    for ((i = 0; i < 80; i++)); do
        ((i % 10 == 0)) && printf 'echo %s\n' "$word" >&$fd
        if tr -d '\r' <"${!log}" 2>/dev/null | grep -qx "$word"; then rc=0; break; fi
        sleep 0.1
    done
    exec {fd}>&-
    return $rc
}

echo "== guest $TESTBED_GUEST on hostA"
boot() {
    local i
    cvirsh "$TESTBED_URI_A" start "$TESTBED_GUEST" >/dev/null || return 1
    for ((i = 0; i < 600; i++)); do
        grep -qF "virtmux demo guest ready" "$TESTBED_SERIAL_LOG_A" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
if timed "start + boot to 'ready' on hostA" boot; then
    ok "guest booted on hostA (serial log says ready)"
else
    bad "guest did not boot on hostA"; tail -n 5 "$TESTBED_SERIAL_LOG_A" 2>/dev/null
    finish
fi
timed "serial round trip on hostA" serial_say A tbhello0 && ok "guest answers on its serial console on hostA" ||
    bad "no answer on the serial console on hostA"

# -------------------------------------------------------- migrations ---
echo "== $MIGRATIONS live migrations ${P2P[*]}"
src=A dst=B
for ((m = 1; m <= MIGRATIONS; m++)); do
    su=TESTBED_URI_$src; du=TESTBED_URI_$dst
    if out=$(timed "migrate #$m host$src -> host$dst" cvirsh "${!su}" migrate --live "${P2P[@]}" "$TESTBED_GUEST" "${!du}" 2>&1); then
        st=$(cvirsh "${!du}" domstate "$TESTBED_GUEST" 2>&1)
        if [[ $st == running* ]] && serial_say "$dst" "tbmig$m"; then
            ok "migration #$m host$src -> host$dst: running there, answers on serial"
        else
            bad "migration #$m: on host$dst state '$st', serial answer missing"
        fi
    else
        bad "migration #$m host$src -> host$dst: $out"
        break
    fi
    t=$src; src=$dst; dst=$t
done

# -------------------------------------------------------------- down ---
echo "== down"
DOWN_DONE=1
timed "down" "$TB" down && ok "down" || bad "testbed.sh down"
left=""
for p in $PIDS; do   # zombies waiting for init to reap them do not count
    st=$({ cat "/proc/$p/stat"; } 2>/dev/null) && st=${st##*) } && [[ ${st:0:1} != [ZX] ]] && left+=" $p"
done
[[ -z $left ]] && ok "no recorded PID alive" || bad "still alive:$left"
nsleft=0
for n in $NSIDS; do
    kind=${n%%:*}
    pat=${n//[/\\[}; pat=${pat//]/\\]}
    if [[ -n $(find /proc -mindepth 3 -maxdepth 3 -path "/proc/[0-9]*/ns/$kind" -lname "$pat" 2>/dev/null | head -n 1) ]]; then
        bad "a process is still in namespace $n"; nsleft=1
    fi
done
(( nsleft )) || ok "no process left in the testbed's namespaces"
if ip netns list | grep -qE "^${TESTBED_NETNS_PREFIX}(A|B|client)( |$)"; then bad "network namespaces left: $(ip netns list | tr '\n' ' ')"; else ok "no network namespace left"; fi
if mount | grep -qF "$TESTBED_DIR"; then bad "mounts left: $(mount | grep -F "$TESTBED_DIR")"; else ok "no mount under $TESTBED_DIR"; fi
"$TB" down && ok "second down (idempotent)" || bad "second down"
finish
