#!/bin/sh
# bench/vnc/run.sh: virtmux's VNC text recogniser vs tesseract OCR on a real QEMU VGA text frame: time and character accuracy.
#
#   bench/vnc/run.sh              (from the repo root)
#
# The frame: a live capture (bench/vnc/capture.sh: plain QEMU boots a busybox
# guest that writes a known page to its VGA console, then `screendump`) when
# this user can boot one (root, a readable /boot/vmlinuz-*, qemu-system-x86_64),
# else the same kind of frame kept in tests/unit/data/vgatext/. BENCH_FRAME=fixture
# forces the kept one, BENCH_FRAME=live the capture.
#
# virtmux: bench/vnc/vgatext_bench.c (links backends/vgatext.c and
# backends/vgafont.c only) re-reads the whole frame BENCH_ITER times (default
# 2000): median time per frame. tesseract: `tesseract FRAME.ppm OUT --psm 6`
# (one uniform block of text), BENCH_OCR_RUNS times (default 3): median wall
# time, single-threaded like virtmux (OMP_THREAD_LIMIT=1, tesseract's own advice
# for throughput; its OpenMP threads only spin on a busy 2-core machine).
# Both texts are scored against the truth the same way: lines trimmed, runs of
# blanks made one, empty lines dropped; accuracy = 1 - edit distance / length.
#
# Targets: virtmux >= 1000x faster than tesseract; virtmux 100% of characters
# right. Printed as PASS/FAIL; never a timed assertion: exit 0 unless something broke.
set -eu

cd "$(dirname "$0")/../.."
ITER=${BENCH_ITER:-2000}
OCR_RUNS=${BENCH_OCR_RUNS:-3}
CC=${CC:-cc}
TESSERACT=${TESSERACT:-tesseract}
FIX=tests/unit/data/vgatext

TMP=$(mktemp -d "${TMPDIR:-/tmp}/virtmux-bench-vnc.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

command -v "$TESSERACT" >/dev/null 2>&1 || { echo "bench/vnc: $TESSERACT not found: apt-get install -y tesseract-ocr" >&2; exit 1; }
mkdir -p build/bench
$CC -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -I. -o build/bench/vgatext_bench \
    bench/vnc/vgatext_bench.c backends/vgatext.c backends/vgafont.c -lz

# The frame and its truth.
mode=${BENCH_FRAME:-auto}
kernel=$(ls -1v /boot/vmlinuz-* 2>/dev/null | tail -n 1 || true)
if [ "$mode" = auto ]; then
    if [ -n "$kernel" ] && [ -r "$kernel" ] && command -v qemu-system-x86_64 >/dev/null 2>&1; then
        mode=live
    else
        mode=fixture
    fi
fi
if [ "$mode" = live ]; then
    sh bench/vnc/capture.sh "$TMP/cap" >/dev/null
    cp "$TMP/cap/frame.ppm" "$TMP/frame.ppm"
    cp "$TMP/cap/page.txt" "$TMP/truth.txt"
    src="live capture (QEMU $(qemu-system-x86_64 --version | head -n 1 | awk '{ print $4 }'), $(basename "$kernel"))"
else
    gzip -dc "$FIX/qemu-vga-text.ppm.gz" > "$TMP/frame.ppm"
    cp "$FIX/qemu-vga-text.txt" "$TMP/truth.txt"
    src="kept frame $FIX/qemu-vga-text.ppm.gz"
fi
geom=$(head -c 20 "$TMP/frame.ppm" | sed -n 2p | tr ' ' x)

# tesseract: median wall time of OCR_RUNS runs; its text from the last.
i=0
: > "$TMP/ocr_ms"
while [ $i -lt "$OCR_RUNS" ]; do
    t0=$(date +%s%N)
    OMP_THREAD_LIMIT=${OMP_THREAD_LIMIT:-1} "$TESSERACT" "$TMP/frame.ppm" "$TMP/ocr" --psm 6 >/dev/null 2>&1 ||
        { echo "bench/vnc: tesseract failed" >&2; exit 1; }
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) >> "$TMP/ocr_ms"
    i=$((i + 1))
done
ocr_us=$(sort -n "$TMP/ocr_ms" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')

build/bench/vgatext_bench "$TMP/frame.ppm" "$TMP/truth.txt" --iterations "$ITER" \
    --ocr "$TMP/ocr.txt" --dump "$TMP/virtmux.txt" > "$TMP/result"
get() { sed -n "s/^$1=//p" "$TMP/result"; }

echo "frame: $src, ${geom:-?} -> $(get mode)"
echo "font:  $(get font)"
awk -v vus="$(get frame_us_median)" -v ous="$ocr_us" -v va="$(get virtmux_accuracy)" -v oa="$(get ocr_accuracy)" \
    -v ve="$(get virtmux_errors)" -v oe="$(get ocr_errors)" -v n="$(get truth_chars)" \
    -v it="$ITER" -v oruns="$OCR_RUNS" -v unk="$(get unknown_cells)" '
function pf(ok) { return ok ? "PASS" : "FAIL" }
function row(m, a, b, r) { printf "%-30s | %14s | %14s | %s\n", m, a, b, r }
BEGIN {
    ratio = vus > 0 ? ous / vus : 0
    row("metric", "virtmux", "tesseract", "ratio")
    printf "-------------------------------+----------------+----------------+----------\n"
    row("time per frame (median)", sprintf("%.1f us", vus), sprintf("%.1f ms", ous / 1000), sprintf("%.0fx faster", ratio))
    row("runs", it, oruns, "")
    row("character accuracy", sprintf("%.2f%%", va * 100), sprintf("%.2f%%", oa * 100), "")
    row("character errors (of " n ")", ve, oe, "")
    row("unrecognised cells", unk, "-", "")
    printf "%s: virtmux >= 1000x faster than tesseract (%.0fx)\n", pf(ratio >= 1000), ratio
    printf "%s: virtmux reads 100%% of the characters right (%d errors)\n", pf(ve == 0 && n > 0), ve
    printf "RESULT vnc ratio=%.1f virtmux_us=%.2f tesseract_ms=%.1f virtmux_accuracy=%.4f tesseract_accuracy=%.4f speed=%s accuracy=%s\n",
        ratio, vus, ous / 1000, va, oa, pf(ratio >= 1000), pf(ve == 0 && n > 0)
}'
if [ -n "${BENCH_SHOW:-}" ]; then
    echo "--- virtmux read:"; cat "$TMP/virtmux.txt"
    echo "--- tesseract read:"; cat "$TMP/ocr.txt"
fi
