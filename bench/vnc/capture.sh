#!/bin/sh
# bench/vnc/capture.sh: boot a tiny guest in plain QEMU, write a known page to its VGA text console, screendump it.
#
#   capture.sh OUTDIR [vga|fbcon]
#
# vga (default): the VGA text mode the BIOS left (vgacon, 720x400, 9x16 cells).
# fbcon: the guest loads bochs-drm from the host's /lib/modules/<kernel version>
# and writes to the Linux framebuffer console instead (1280x800, 160x50 cells of 8x16).
#
# CAPTURE_FONT=PSF[.gz]: the guest loads this console font
# (busybox loadfont) before writing, as Debian's setupcon would (e.g. Lat15-Fixed16).
# CAPTURE_PAGE=FILE: the guest writes these bytes instead of page.sh's page
# (page.txt is then not written); capture-font.sh's glyph page.
#
# Writes into OUTDIR:
#   page.txt         the ground truth: 24 lines, UTF-8, as the guest wrote them
#   frame.ppm        QEMU's screendump (P6) of that page, cursor hidden
#   cursor.ppm       the same page with the cursor shown, in its visible blink phase,
#                    on row 5, column 10 (0-based x 9, y 4), over a glyph
# Needs root (Debian's /boot/vmlinuz-* is readable by root only), qemu-system-x86,
# busybox-static, cpio, gzip. Every wait is bounded; QEMU is stopped by its PID.
set -eu

OUT=${1:?usage: capture.sh OUTDIR [vga|fbcon]}
CONSOLE=${2:-vga}
QEMU=${QEMU:-qemu-system-x86_64}
KERNEL=${KERNEL:-$(ls -1v /boot/vmlinuz-* 2>/dev/null | tail -n 1)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
HERE=$(cd "$(dirname "$0")" && pwd)

[ -r "$KERNEL" ] || { echo "capture: cannot read a kernel (${KERNEL:-none}); run as root" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vgatext-capture.XXXXXX")
QPID=""
cleanup() {
    if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
        kill "$QPID" 2>/dev/null || true
        n=0; while kill -0 "$QPID" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
        kill -9 "$QPID" 2>/dev/null || true
    fi
    [ -n "${CATPID:-}" ] && kill "$CATPID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# The page: printable ASCII, a shell session, numbers, colours, CP437 graphics.
if [ -n "${CAPTURE_PAGE:-}" ]; then
    cp "$CAPTURE_PAGE" "$TMP/page.bin"
else
    sh "$HERE/page.sh" truth > "$OUT/page.txt"
    sh "$HERE/page.sh" bytes > "$TMP/page.bin"
fi

# The guest: busybox, an /init that writes the page to tty1 and says so on ttyS0.
stage=$TMP/root
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc"
cp "$BUSYBOX" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$TMP/page.bin" "$stage/page.bin"
: > "$stage/modules"
if [ -n "${CAPTURE_FONT:-}" ]; then
    gzip -dcf "$CAPTURE_FONT" > "$stage/font.psf"
fi
if [ "$CONSOLE" = fbcon ]; then
    # bochs-drm and what it needs, in load order (modules.dep of this kernel)
    mods=/lib/modules/${KERNEL##*/vmlinuz-}/kernel/drivers/gpu/drm
    mkdir -p "$stage/lib"
    for m in drm.ko drm_kms_helper.ko ttm/ttm.ko drm_ttm_helper.ko drm_vram_helper.ko tiny/bochs.ko; do
        [ -r "$mods/$m" ] || { echo "capture: $mods/$m missing (fbcon needs the kernel's modules)" >&2; exit 1; }
        cp "$mods/$m" "$stage/lib/"
        echo "/lib/${m##*/}" >> "$stage/modules"
    done
fi
cat > "$stage/init" <<'EOF'
#!/bin/busybox sh
B=/bin/busybox
$B mount -t devtmpfs devtmpfs /dev
$B mount -t proc proc /proc
echo 0 > /proc/sys/kernel/printk
for m in $($B cat /modules); do $B insmod $m; done
# fbcon: wait (bounded) for the framebuffer console to take tty1 over
n=0; while [ -s /modules ] && [ ! -e /dev/fb0 ] && [ $n -lt 100 ]; do $B sleep 0.1; n=$((n + 1)); done
[ -s /modules ] && $B sleep 1
[ -s /font.psf ] && $B loadfont < /font.psf 2> /dev/ttyS0
$B cat /page.bin > /dev/tty1
echo PAGE1-READY > /dev/ttyS0
$B sleep 2
# the cursor on row 5, column 10 (over a glyph), visible
$B printf '\033[5;10H\033[?25h' > /dev/tty1
echo PAGE2-READY > /dev/ttyS0
while :; do $B sleep 1000; done
EOF
chmod 755 "$stage/init"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1n > "$TMP/initrd.gz"

mkfifo "$TMP/mon.in" "$TMP/mon.out"
"$QEMU" -machine accel=tcg -m 128 -kernel "$KERNEL" -initrd "$TMP/initrd.gz" \
    -append 'console=tty0 console=ttyS0 quiet loglevel=0 consoleblank=0' \
    -vga std -display none -no-reboot -nic none \
    -serial "file:$TMP/serial.log" -monitor "pipe:$TMP/mon" &
QPID=$!
cat "$TMP/mon.out" > "$TMP/monitor.log" &
CATPID=$!
exec 3<> "$TMP/mon.in"       # read-write: never blocks, even if QEMU never opens it

# wait_for TEXT SECONDS: TEXT in the guest's serial output.
wait_for() {
    n=0
    while ! grep -q "$1" "$TMP/serial.log" 2>/dev/null; do
        kill -0 "$QPID" 2>/dev/null || { echo "capture: QEMU exited" >&2; exit 1; }
        n=$((n + 1))
        [ $n -le $(($2 * 10)) ] || { echo "capture: no '$1' from the guest in $2 s" >&2; exit 1; }
        sleep 0.1
    done
}
# dump FILE: a screendump, waited for until its size is complete (720x400 P6).
dump() {
    rm -f "$1"
    echo "screendump $1" >&3
    n=0
    # complete when the size stops changing (P6: 720x400 is 864015 bytes)
    last=-1
    while [ $n -lt 100 ]; do
        sleep 0.05; n=$((n + 1))
        size=$(stat -c %s "$1" 2>/dev/null || echo 0)
        [ "$size" -gt 15 ] && [ "$size" = "$last" ] && break
        last=$size
    done
    [ -s "$1" ] || { echo "capture: no screendump $1" >&2; exit 1; }
}

wait_for PAGE1-READY 120
sleep 0.5
dump "$OUT/frame.ppm"
wait_for PAGE2-READY 30
sleep 0.3
# the cursor blinks: dumps 130 ms apart until one differs from the page
found=""
for i in 1 2 3 4 5 6 7 8; do
    dump "$TMP/cursor.ppm"
    if ! cmp -s "$TMP/cursor.ppm" "$OUT/frame.ppm"; then
        mv "$TMP/cursor.ppm" "$OUT/cursor.ppm"; found=1; break
    fi
    sleep 0.13
done
[ -n "$found" ] || { echo "capture: never saw the cursor" >&2; exit 1; }
echo quit >&3
exec 3>&-
n=0; while kill -0 "$QPID" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
echo "capture: $(head -c 20 "$OUT/frame.ppm" | head -n 2 | tr '\n' ' ')-> $OUT"
