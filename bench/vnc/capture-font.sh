#!/bin/sh
# bench/vnc/capture-font.sh: capture the Linux kernel's built-in console font (VGA8x16) from a real guest's framebuffer console into a PSF2 file.
#
#   bench/vnc/capture-font.sh [OUT.psf]     (default backends/fonts/linux-vga8x16.psf)
#
# The font fbcon draws before anything runs setfont (early boot, initramfs,
# distros that load no console font) is compiled into the kernel
# (lib/fonts/font_8x16.c) and shipped by no Debian package as a file. So it
# is captured, not typed in: capture.sh boots the busybox guest with plain
# QEMU in fbcon mode (bochs-drm, 1280x800, no font loaded), the guest prints
# fontcap's glyph page (every glyph index 0..255 through the console's
# "direct to font" range U+F000+g, plus ASCII bytes and CP437 graphics as
# cross-checks), QEMU screendumps it and fontcap cuts the 8x16 cells out into
# a PSF2 with a Unicode table (the standard CP437 code point of each glyph).
# The kernel and QEMU versions are printed; backends/fonts/README.md records
# which ones made the committed file.
#
# Needs what capture.sh needs (root, qemu-system-x86, busybox-static, the
# kernel's modules, cpio, gzip) and a C compiler. Every wait is bounded (in
# capture.sh); QEMU is stopped by its PID; the temp dir is removed.
set -eu

cd "$(dirname "$0")/../.."
OUT=${1:-backends/fonts/linux-vga8x16.psf}
CC=${CC:-cc}
KERNEL=${KERNEL:-$(ls -1v /boot/vmlinuz-* 2>/dev/null | tail -n 1)}
export KERNEL
TMP=$(mktemp -d "${TMPDIR:-/tmp}/virtmux-capture-font.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

mkdir -p build/bench
$CC -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I. -o build/bench/fontcap \
    bench/vnc/fontcap.c backends/vgafont.c -lz
build/bench/fontcap page > "$TMP/page.bin"
unset CAPTURE_FONT
CAPTURE_PAGE="$TMP/page.bin" sh bench/vnc/capture.sh "$TMP/cap" fbcon >/dev/null
mkdir -p "$(dirname "$OUT")"
build/bench/fontcap cut "$TMP/cap/frame.ppm" "$TMP/font.psf"
mv "$TMP/font.psf" "$OUT"
echo "capture-font: $OUT from kernel ${KERNEL##*/vmlinuz-}," \
     "$(qemu-system-x86_64 --version | head -n 1), sha256 $(sha256sum "$OUT" | cut -c1-16)"
