#!/bin/sh
# tests/run-unit.sh: run Criterion unit-test binaries (built with ASan+UBSan) and
# sum their results.
#
#   tests/run-unit.sh build/asan/tests/test_*
#
# Prints each binary's Criterion summary (and the details of what failed), then
# one line "N passed, N failed". Crashing tests count as failed. Criterion
# counts a test that passed and then leaked as passing (LeakSanitizer reports
# at process exit, after the result is sent), so every LeakSanitizer report
# printed before a binary's summary moves one test from passed to failed; a
# report after the summary (the runner itself leaked) counts as one failure.
# Exits 1 when anything failed.
#
# Environment: UNIT_TIMEOUT (seconds per binary, default 600); extra Criterion
# options in CRITERION_ARGS (e.g. "--verbose" or "-j1").

here=$(cd "$(dirname "$0")" && pwd)
supp="$here/unit/lsan.supp"

# fast_unwind_on_malloc=0: libcriterion has no frame pointers, and the
# suppression needs the runner's real stack.
ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
LSAN_OPTIONS="suppressions=$supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS

timeout_s=${UNIT_TIMEOUT:-600}
passed=0
failed=0
out=$(mktemp /tmp/virtmux-unit-XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT INT TERM

if [ $# -eq 0 ]; then
    echo "usage: $0 TEST_BINARY..." >&2
    exit 2
fi

for t in "$@"; do
    name=$(basename "$t")
    if [ ! -x "$t" ]; then
        echo "$name: not an executable test binary"
        failed=$((failed + 1))
        continue
    fi
    # shellcheck disable=SC2086
    timeout -k 10 "$timeout_s" "$t" $CRITERION_ARGS >"$out" 2>&1
    rc=$?
    synth=$(grep -a 'Synthesis: Tested:' "$out" | tail -n 1 | sed 's/^.*\(Synthesis:\)/\1/; s/[[:space:]]*$//')
    if [ -z "$synth" ]; then
        cat "$out"
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            echo "$name: timed out after ${timeout_s}s"
        else
            echo "$name: no Criterion summary (exit status $rc)"
        fi
        failed=$((failed + 1))
        continue
    fi
    num() { echo "$synth" | sed -n "s/.*$1: *\([0-9][0-9]*\).*/\1/p"; }
    tested=$(num Tested); pass=$(num Passing); fail=$(num Failing); crash=$(num Crashing)
    : "${tested:=0}" "${pass:=0}" "${fail:=0}" "${crash:=0}"
    # LeakSanitizer reports of test processes come before the summary line,
    # the runner's own after it. A report whose stack runs through the body of
    # a test that already failed or crashed (suite_name_impl) is that test's
    # and not counted twice.
    counts=$(awk '
        function impl(n) { sub("::", "_", n); return n "_impl" }
        /Synthesis: Tested:/ { summary = 1; next }
        summary && /ERROR: LeakSanitizer/ { after++; next }
        summary { next }
        /\[FAIL\]|CRASH!|[Tt]imed out/ {
            if (match($0, /[A-Za-z0-9_]+::[A-Za-z0-9_]+/))
                failed[impl(substr($0, RSTART, RLENGTH))] = 1
        }
        /ERROR: LeakSanitizer/ { nrep++; inrep = 1; next }
        inrep && /^SUMMARY:/ { inrep = 0; next }
        inrep && / in [A-Za-z0-9_]+_impl / {
            if (match($0, / in [A-Za-z0-9_]+_impl /))
                frames[nrep] = frames[nrep] " " substr($0, RSTART + 4, RLENGTH - 5)
        }
        END {
            for (i = 1; i <= nrep; i++) {
                own = 0
                n = split(frames[i], f, " ")
                for (k = 1; k <= n; k++)
                    if (f[k] in failed)
                        own = 1
                if (!own) {
                    leaks++
                    who = n ? f[1] : "?"
                    sub("_impl$", "", who)
                    names = names " " who
                }
            }
            print leaks + 0, after + 0 names
        }' "$out")
    leaks_in_tests=$(echo "$counts" | cut -d' ' -f1)
    leaks_after=$(echo "$counts" | cut -d' ' -f2)
    leakers=$(echo "$counts" | cut -d' ' -f3- | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/^ *//; s/ *$//')
    moved=$leaks_in_tests
    [ "$moved" -gt "$pass" ] && moved=$pass
    pass=$((pass - moved))
    bad=$((fail + crash + leaks_in_tests + leaks_after))
    if [ "$bad" -gt 0 ]; then
        # The details: Criterion's failure lines and the sanitizer reports.
        grep -av 'Synthesis: Tested:' "$out"
    fi
    note=""
    [ "$leaks_in_tests" -gt 0 ] && note="$note, $leaks_in_tests leaked (LeakSanitizer: $leakers)"
    [ "$leaks_after" -gt 0 ] && note="$note, the runner leaked"
    echo "$name: $synth$note"
    passed=$((passed + pass))
    failed=$((failed + fail + crash + leaks_in_tests + leaks_after))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
