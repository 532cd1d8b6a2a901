#!/bin/sh
# Build the tiny virtmux demo/test guest.
#
#   mkguest.sh OUTDIR [NAME]
#
# Writes, into OUTDIR:
#   initrd.img   gzip'd newc cpio: static busybox + an /init that mounts
#                proc/sys/devtmpfs, prints "virtmux demo guest ready" and runs
#                a respawning root shell on ttyS0 (serial console) and tty1 (VGA)
#   vmlinuz      copy of the newest /boot/vmlinuz-*
#   NAME.xml     libvirt domain (NAME defaults to demo1): TCG, 128 MiB, 1 vCPU,
#                direct kernel boot, pty serial console, VNC on 127.0.0.1,
#                no disks, no network
#
# Idempotent: a file is only rebuilt when it is missing or older than its
# inputs (this script, busybox, the kernel). Needs no root except for reading
# /boot/vmlinuz-*, which Debian makes readable by root only.
# Prints the path of NAME.xml on success.
# Environment overrides: BUSYBOX (static busybox), KERNEL (bzImage),
# QEMU (emulator path, default /usr/bin/qemu-system-x86_64).
set -eu

usage() {
    echo "usage: $0 OUTDIR [NAME]" >&2
    exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
OUTDIR=$1
NAME=${2:-demo1}
case $NAME in
    ''|*[!A-Za-z0-9_.-]*) echo "$0: bad guest name '$NAME' (use A-Z a-z 0-9 _ . -)" >&2; exit 2 ;;
esac

SELF=$0
BUSYBOX=${BUSYBOX:-}
KERNEL=${KERNEL:-}
QEMU=${QEMU:-/usr/bin/qemu-system-x86_64}

# up_to_date TARGET INPUT...: TARGET exists and no INPUT is newer than it.
up_to_date() {
    t=$1; shift
    [ -s "$t" ] || return 1
    for i in "$@"; do
        [ -z "$(find "$i" -prune -newer "$t")" ] || return 1
    done
    return 0
}

find_busybox() {
    if [ -n "$BUSYBOX" ]; then :
    elif [ -x /bin/busybox ]; then BUSYBOX=/bin/busybox
    elif [ -x /usr/bin/busybox ]; then BUSYBOX=/usr/bin/busybox
    else
        echo "$0: busybox not found; install busybox-static" >&2
        exit 1
    fi
    # A dynamically linked busybox would need its libraries in the initramfs.
    if command -v file >/dev/null 2>&1; then
        case $(file -L "$BUSYBOX") in
            *"dynamically linked"*)
                echo "$0: $BUSYBOX is dynamically linked; install busybox-static" >&2
                exit 1 ;;
        esac
    fi
}

find_kernel() {
    # $KERNEL overrides; else the newest by version order (ls -v is GNU,
    # but this is Debian anyway).
    # shellcheck disable=SC2012
    [ -n "$KERNEL" ] || KERNEL=$(ls -1v /boot/vmlinuz-* 2>/dev/null | tail -n 1 || true)
    if [ -z "$KERNEL" ] || [ ! -e "$KERNEL" ]; then
        echo "$0: no /boot/vmlinuz-* found; install linux-image-amd64" >&2
        exit 1
    fi
    if [ ! -r "$KERNEL" ]; then
        echo "$0: cannot read $KERNEL (Debian makes it readable by root only)." >&2
        echo "$0: run this as root, or use:  sudo make demo" >&2
        exit 1
    fi
}

write_init() {
    # $1 = path of the /init to write
    cat > "$1" <<EOF
#!/bin/busybox sh
# virtmux demo guest init
/bin/busybox mkdir -p /proc /sys /dev /tmp /root /etc /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
hostname $NAME
echo "root:x:0:0:root:/root:/bin/sh" > /etc/passwd
echo "root:x:0:" > /etc/group
cat > /etc/profile <<'PROF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
PS1='$NAME:\w# '
cd /root
PROF
export ENV=/etc/profile
# keep kernel messages on the consoles, but not too chatty
echo 4 > /proc/sys/kernel/printk 2>/dev/null || true

# respawn TTY TERM: a root shell on /dev/TTY, with TTY as its controlling tty
respawn() {
    while :; do
        getty -n -L -l /bin/sh 0 "\$1" "\$2"
        sleep 1
    done
}
for t in /dev/ttyS0 /dev/tty1; do
    echo "virtmux demo guest ready" > \$t 2>/dev/null || true
done

respawn ttyS0 vt100 &
respawn tty1 linux &

# pid 1 must not exit; reap orphans
while :; do wait; sleep 60; done
EOF
}

build_initrd() {
    out=$OUTDIR/initrd.img
    if up_to_date "$out" "$SELF" "$BUSYBOX"; then
        return 0
    fi
    stage=$(mktemp -d "${TMPDIR:-/tmp}/virtmux-guest.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$stage'" EXIT INT TERM
    mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/root"
    cp "$BUSYBOX" "$stage/bin/busybox"
    chmod 755 "$stage/bin/busybox"
    ln -s busybox "$stage/bin/sh"
    write_init "$stage/init"
    chmod 755 "$stage/init"
    (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) \
        | gzip -9n > "$out.tmp"
    chmod 644 "$out.tmp"
    mv -f "$out.tmp" "$out"
    rm -rf "$stage"
    trap - EXIT INT TERM
}

copy_kernel() {
    out=$OUTDIR/vmlinuz
    if up_to_date "$out" "$KERNEL"; then
        return 0
    fi
    cp "$KERNEL" "$out.tmp"
    chmod 644 "$out.tmp"
    mv -f "$out.tmp" "$out"
}

write_xml() {
    out=$OUTDIR/$NAME.xml
    if up_to_date "$out" "$SELF"; then
        return 0
    fi
    # A fixed UUID per name, so defining the XML again updates the domain
    # instead of failing with "domain 'NAME' already exists with uuid ...".
    h=$(printf 'virtmux-demo-%s' "$NAME" | md5sum | cut -c1-32)
    UUID=$(echo "$h" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/')
    cat > "$out.tmp" <<EOF
<domain type='qemu'>
  <name>$NAME</name>
  <uuid>$UUID</uuid>
  <description>virtmux demo guest</description>
  <memory unit='MiB'>128</memory>
  <currentMemory unit='MiB'>128</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$ABSDIR/vmlinuz</kernel>
    <initrd>$ABSDIR/initrd.img</initrd>
    <cmdline>console=tty0 console=ttyS0</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$QEMU</emulator>
    <serial type='pty'>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>
    <video>
      <model type='vga'/>
    </video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
    chmod 644 "$out.tmp"
    mv -f "$out.tmp" "$out"
}

find_busybox
find_kernel
if [ ! -d "$OUTDIR" ]; then
    # QEMU may run as another user (libvirt-qemu): keep the new dir searchable
    mkdir -p "$OUTDIR"
    chmod 755 "$OUTDIR"
fi
ABSDIR=$(cd "$OUTDIR" && pwd -P)
case $ABSDIR in
    *[\'\&\<\>]*) echo "$0: OUTDIR path must not contain ' & < >" >&2; exit 2 ;;
esac
build_initrd
copy_kernel
write_xml
echo "$ABSDIR/$NAME.xml"
