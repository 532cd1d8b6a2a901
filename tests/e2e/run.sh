#!/bin/bash
# tests/e2e/run.sh [TEST...]: run the end-to-end tests named (t_foo.sh, t_foo
# or a path to one; all of them without names), one line each and a summary.
cd "$(dirname "$0")" || exit 1
passed=0 failed=0 skipped=0
tests=()
for t in "$@"; do
    t=$(basename "$t" .sh).sh
    [ -f "$t" ] || { echo "e2e: no test $t"; exit 2; }
    tests+=("$t")
done
[ ${#tests[@]} -gt 0 ] || tests=(t_*.sh)
for t in "${tests[@]}"; do
    start=$(date +%s%N)
    out=$(timeout "${E2E_TIMEOUT:-300}" bash "$t" 2>&1)
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    secs="$((ms / 1000)).$((ms % 1000 / 100))"
    case $rc in
    0) passed=$((passed + 1)); echo "e2e: ok    $t (${secs}s)" ;;
    77) skipped=$((skipped + 1)); echo "e2e: skip  $t — $(echo "$out" | grep '^SKIP' | head -1)" ;;
    *) failed=$((failed + 1)); echo "e2e: FAIL  $t (exit $rc, ${secs}s)"; echo "$out" | sed 's/^/    /' ;;
    esac
done
echo "e2e: $passed passed, $failed failed, $skipped skipped"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
