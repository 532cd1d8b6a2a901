#!/bin/sh
# bench/vnc/page.sh: the known page the benchmark guest writes to its VGA console.
#
#   page.sh truth   the 25 lines as they should read back (UTF-8, no colours)
#   page.sh bytes   what the guest writes to /dev/tty1: hide the cursor, clear,
#                   the lines with colour escapes, no newline after the last
# Colour markers in the text: {Y} bright yellow on blue, {K} black on grey,
# {R} bright white on red, {G} green, {0} back to normal.
set -eu

body() {
    echo "virtmux vgatext page: QEMU VGA text mode, 80x25 cells of 9x16, SeaBIOS font"
    awk 'BEGIN { s = ""; for (i = 33; i < 80; i++) s = s sprintf("%c", i); print "ASCII1 " s }'
    awk 'BEGIN { s = ""; for (i = 80; i < 127; i++) s = s sprintf("%c", i); print "ASCII2 " s }'
    cat <<'EOF'
demo1:~# uname -a
Linux demo1 6.1.0-56-amd64 #1 SMP Debian 6.1.140-1 x86_64 GNU/Linux
demo1:~# ip -br addr
lo               UNKNOWN        127.0.0.1/8 ::1/128
eth0             DOWN           192.168.122.17/24 fe80::5054:ff:fe12:3456/64
demo1:~# ls -l /etc | head -4
-rw-r--r--    1 root     root          3040 Nov 22 23:59 adduser.conf
drwxr-xr-x    2 root     root          4096 Nov 22 23:59 alternatives
lrwxrwxrwx    1 root     root            21 Nov 22 23:59 os-release -> ../lib
demo1:~# cat /proc/loadavg; echo $((6 * 7)) [ok] {braces} (parens) <angle>
0.08 0.03 0.01 1/57 1234 42 [ok] {braces} (parens) <angle>
{Y} Bright yellow on blue {0} {K} black on grey {0} {R} white on red {0} {G}green{0} done.
Il1| O0o 5S 8B 2Z rn m cl d vv w ,. ;: '" `~ ^ _- += |\/ ?! @# $% &*
The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX 0123456789
0x7f3a_9c00: 48 8b 05 d9 2f 00 00 48 85 c0 74 02 ff e0 c3 90  H.../..H..t.....
kernel: [    3.141592] virtio_net virtio0 eth0: renamed from eth0, MTU 1500
grep -E '^(root|daemon):' /etc/passwd | cut -d: -f1,7 && echo "exit=$?"
┌──────┬─────┐ ░▒▓█ ▀▄▌▐ ═║╔╗╚╝ é è à ç ñ ü ß ½ ¼ ± ° ÷ ≈ π Σ µ √ ² ¿ ¡ £ ¥
└──────┴─────┘ ☺ ♥ ♦ ♣ ♠ • ○ ◘ ♂ ♀ ♪ ☼ ► ◄ ↕ ‼ ¶ § ▬ ↑ ↓ → ← ∟ ↔ ▲ ▼ ⌂
end of page: 24 lines, the last one has no newline.
EOF
    printf 'demo1:~# '
}

case ${1:-} in
truth)
    body | sed 's/{[YKRG0]}//g'
    echo
    ;;
bytes)
    e=$(printf '\033')
    printf '\033[?25l\033[H\033[J'
    body | sed -e "s/{Y}/$e[1;33;44m/g" -e "s/{K}/$e[30;47m/g" -e "s/{R}/$e[1;37;41m/g" \
               -e "s/{G}/$e[32m/g" -e "s/{0}/$e[0m/g" | sed 's/$/\r/' | head -c -1
    ;;
*)
    echo "usage: page.sh truth|bytes" >&2
    exit 2
    ;;
esac
