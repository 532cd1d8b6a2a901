# A domain migrates to a host virtmux does not know: virtmux says so and offers
# to add it; once added, the console follows there (tests/testbed).
. "$(dirname "$0")/lib.sh"
need_qemu
command -v nsenter >/dev/null && command -v ip >/dev/null && [ -x /usr/sbin/sshd ] ||
    skip "needs nsenter, ip and sshd for the testbed"

TB=${TESTBED_SH:-$ROOT/tests/testbed/testbed.sh}
export TESTBED_DIR=/tmp/vmx-tbunk TESTBED_NETNS_PREFIX=vmxu TESTBED_SUBNET=10.78.9
tb_down() { "$TB" down >/dev/null 2>&1; }
on_cleanup tb_down
"$TB" up > "$T/tb-up.log" 2>&1 || { cat "$T/tb-up.log"; fail "testbed up"; }
eval "$("$TB" env)"
"$TB" guest-up A 120 > "$T/tb-guest.log" 2>&1 || { cat "$T/tb-guest.log"; fail "guest did not boot on hostA"; }

mkdir -p "$XDG_CONFIG_HOME/virtmux"
printf 'host A "%s"\n' "$TESTBED_URI_A" > "$XDG_CONFIG_HOME/virtmux/config"
SHELL_WRAP="$TESTBED_CLIENT" start_virtmux 140x40 attach "$TESTBED_GUEST"
wait_for "A/$TESTBED_GUEST  serial" 60
keys Enter
wait_for "$TESTBED_GUEST:~#" 30
type_line 'echo before-$((2*3))'
wait_for "before-6" 20

$TESTBED_CLIENT virsh -c "$TESTBED_URI_A" migrate --live "$TESTBED_GUEST" "$TESTBED_URI_B" > "$T/mig.log" 2>&1 ||
    { cat "$T/mig.log"; fail "virsh migrate A -> B"; }
wait_for "migrated to an unknown host" 30
screen | grep -q "migrated away from A" || fail "the dialog does not name the source"
tm send-keys -t vm -l "B $TESTBED_URI_B"
tm send-keys -t vm Enter
wait_for "B/$TESTBED_GUEST  serial" 60
wait_for "[virtmux: migrated A" 30
keys Enter
type_line 'echo followed-$((6*7))'
wait_for "followed-42" 30

keys C-] q
wait_pid_exit
pass
