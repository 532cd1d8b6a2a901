# backends/ssh.c against a real sshd on the real event loop: the Criterion
# program tests/unit/test_ssh_tunnel.c, pointed at a private sshd on
# 127.0.0.1 (tests/lib/sshd.sh): unknown host key asked with its SHA256
# fingerprint and saved to the test's own known_hosts, a changed key refused
# with FILE:LINE, direct-tcpip tunnels to a loopback echo service (1 MB and
# 300 KB at once, both ways), close and failure paths.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (sshd and a root login on the private sshd)"
[ -x /usr/sbin/sshd ] || skip "sshd is not installed (openssh-server)"
. "$ROOT/tests/lib/sshd.sh"
BIN=$ROOT/build/asan/tests/test_ssh_tunnel
[ -x "$BIN" ] || make -C "$ROOT" -s build/asan/tests/test_ssh_tunnel >/dev/null || fail "cannot build $BIN"

S=$T/sshd
down_sshd() { sshd_down "$S"; }
on_cleanup down_sshd
sshd_setup "$S" || fail "sshd setup"
sshd_up "$S" || fail "private sshd did not start"

out=$(HOME=$T/home SSH_AUTH_SOCK= VMX_SSH_PORT=$(sshd_port "$S") VMX_SSH_KEY=$(sshd_client_key "$S") \
      VMX_SSH_HOSTPUB="$(sshd_host_pub "$S")" ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 \
      LSAN_OPTIONS=suppressions=$ROOT/tests/unit/lsan.supp:print_suppressions=0 \
      timeout 120 "$BIN" 2>&1)
echo "$out" | grep -q 'Synthesis: Tested: 6 | Passing: 6 | Failing: 0 | Crashing: 0' ||
    { echo "$out"; echo "--- sshd log ---"; tail -20 "$S/sshd.log"; fail "tunnel tests did not all pass"; }
echo "$out" | grep -q "LeakSanitizer" && { echo "$out"; fail "leaks"; }
pass
