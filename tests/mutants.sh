#!/bin/bash
# tests/mutants.sh [NAME...]: show that the tests bite. Each mutant of
# tests/mutants.list (all, or those NAMEd) is applied alone to a scratch copy
# of the tree, which is rebuilt; the tests named for it run in order until
# one fails. Prints the table: mutant -> the test that caught it, or
# SURVIVED (exit 1). The real tree is never changed.
#
# The named tests must pass on the unmutated copy first (else catching
# proves nothing): MUTANTS_NO_BASELINE=1 skips that. MUTANTS_KEEP=1 keeps the
# scratch copy and the logs.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIST=${MUTANTS_LIST:-$ROOT/tests/mutants.list}
S=$(mktemp -d /tmp/vmx-mutants.XXXXXX)
LOGS=$S/logs
cleanup() {
    if [ -n "${MUTANTS_KEEP:-}" ]; then echo "kept $S"; else rm -rf "$S"; fi
}
trap cleanup EXIT
mkdir -p "$S/tree" "$LOGS"

# The list, one mutant a line: NAME FILE FIND REPLACE TESTS, split by " @@ ",
# with \n \t \\ decoded; written as NUL-separated records for bash to read.
parse() {
    python3 - "$LIST" "$@" <<'PY'
import sys
path, want = sys.argv[1], set(sys.argv[2:])
def dec(s):
    return s.replace('\\\\', '\0').replace('\\n', '\n').replace('\\t', '\t').replace('\0', '\\')
seen = set()
for no, line in enumerate(open(path), 1):
    line = line.rstrip('\n')
    if not line.strip() or line.lstrip().startswith('#'):
        continue
    f = line.split(' @@ ')
    if len(f) != 5:
        sys.exit("%s:%d: want NAME @@ FILE @@ FIND @@ REPLACE @@ TESTS" % (path, no))
    name = f[0].strip()
    if want and name not in want:
        continue
    seen.add(name)
    for v in (name, f[1].strip(), dec(f[2]), dec(f[3]), f[4].strip()):
        sys.stdout.write(v + '\0')
missing = want - seen
if missing:
    sys.exit("no mutant named " + " ".join(sorted(missing)))
PY
}

# apply FILE FIND REPLACE: FIND must be there exactly once.
apply() {
    python3 - "$S/tree/$1" "$2" "$3" <<'PY'
import sys
path, find, repl = sys.argv[1:4]
src = open(path).read()
n = src.count(find)
if n != 1:
    sys.exit("found %d times, not once" % n)
open(path, 'w').write(src.replace(find, repl))
PY
}

# build_for TESTS: what those tests run.
build_for() {
    local targets="virtmux virtmux-asan build/hostile_server build/ttyidle" t
    for t in $1; do
        case $t in unit/*) targets="$targets build/asan/tests/${t#unit/}" ;; esac
    done
    # shellcheck disable=SC2086
    nice make -C "$S/tree" -s -j2 $targets
}

# run_test TEST LOG: 0 when it passed.
run_test() {
    case $1 in
    unit/*) (cd "$S/tree" && tests/run-unit.sh "build/asan/tests/${1#unit/}") > "$2" 2>&1 ;;
    e2e/*) (cd "$S/tree" && tests/e2e/run.sh "${1#e2e/}") > "$2" 2>&1 ;;
    *) echo "unknown test kind: $1" > "$2"; return 2 ;;
    esac
}

mapfile -d '' F < <(parse "$@") || exit 2
[ $(( ${#F[@]} % 5 )) = 0 ] && [ ${#F[@]} -gt 0 ] || { echo "mutants: nothing to run"; exit 2; }

echo "mutants: copying the tree to $S/tree"
tar -C "$ROOT" --exclude=./.git -cf - . | tar -C "$S/tree" -xf - || exit 2

# Every test named, on the unmutated copy.
if [ -z "${MUTANTS_NO_BASELINE:-}" ]; then
    all=$(for ((i = 4; i < ${#F[@]}; i += 5)); do echo "${F[i]}"; done | tr ' ' '\n' | awk 'NF && !s[$0]++')
    build_for "$all" > "$LOGS/baseline-build.log" 2>&1 || { cat "$LOGS/baseline-build.log"; echo "mutants: the unmutated tree does not build"; exit 2; }
    for t in $all; do
        if ! run_test "$t" "$LOGS/baseline-${t//\//_}.log"; then
            tail -30 "$LOGS/baseline-${t//\//_}.log"
            echo "mutants: $t fails without any mutant: fix it first"
            exit 2
        fi
        echo "mutants: baseline ok  $t"
    done
fi

rows=() survived=0
for ((i = 0; i < ${#F[@]}; i += 5)); do
    name=${F[i]} file=${F[i + 1]} find=${F[i + 2]} repl=${F[i + 3]} tests=${F[i + 4]}
    log=$LOGS/$name
    start=$SECONDS
    result=""
    if ! err=$(apply "$file" "$find" "$repl" 2>&1); then
        result="BAD MUTANT ($file: $err)"
    elif ! build_for "$tests" > "$log.build" 2>&1; then
        result="BAD MUTANT (does not build: see $log.build)"
    else
        for t in $tests; do
            if ! run_test "$t" "$log.${t//\//_}"; then
                result="caught by $t"
                break
            fi
        done
        [ -n "$result" ] || result="SURVIVED ($tests passed)"
    fi
    cp "$ROOT/$file" "$S/tree/$file"   # a new mtime: make rebuilds it
    case $result in caught*) ;; *) survived=$((survived + 1)) ;; esac
    rows+=("$(printf '%-32s %-24s %s (%ds)' "$name" "$file" "$result" $((SECONDS - start)))")
    echo "mutants: ${rows[-1]}"
done

echo
printf '%-32s %-24s %s\n' MUTANT FILE RESULT
printf '%s\n' "${rows[@]}"
echo "mutants: $(( ${#rows[@]} - survived )) of ${#rows[@]} caught"
[ "$survived" = 0 ]
