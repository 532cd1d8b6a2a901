#!/bin/sh
# Prepare the root directory of libvirt's embedded QEMU driver
# (qemu:///embed?root=ROOT) so the demo guest can run without any daemon.
#
#   embed-root.sh ROOT
#
# Writes ROOT/etc/qemu.conf (libvirt reads it from there in embed mode):
#   stdio_handler = "file"   QEMU's stdout/stderr go straight to
#                            ROOT/log/qemu/NAME.log instead of virtlogd,
#                            which is not running (and must not be needed)
#   security_driver = "none" no AppArmor/SELinux labelling (virt-aa-helper
#                            would load system-wide profiles); the DAC
#                            driver stays active
#   user/group = "root"      only when run as root: by default a root embed
#                            driver runs QEMU as libvirt-qemu, which cannot
#                            reach a ROOT under /root (mode 0700).  As a
#                            normal user these keys must NOT be set (QEMU
#                            runs as the caller; "root" there breaks startup)
#   remember_owner = 0       no trusted.libvirt.security.* xattrs on the
#                            kernel/initrd, no "Invalid XATTR timestamp" noise
#
# Idempotent: the file is rewritten only when its content would change.
# Also checks ROOT's length: QEMU's monitor socket lives at
#   ROOT/lib/qemu/domain-ID-NAME/monitor.sock
# and a UNIX socket path must be at most 107 bytes.  NAME is cut to 20
# characters by libvirt, so a ROOT of up to 50 bytes is always safe.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 ROOT" >&2; exit 2; }
ROOT=$1
case $ROOT in
    /*) ;;
    *) echo "$0: ROOT must be an absolute path" >&2; exit 2 ;;
esac
ROOT=${ROOT%/}

MAXLEN=50
if [ ${#ROOT} -gt $MAXLEN ]; then
    echo "$0: embed root '$ROOT' is ${#ROOT} bytes; keep it at most $MAXLEN" >&2
    echo "$0: (QEMU's monitor socket path under it must stay below 108 bytes)" >&2
    exit 1
fi

mkdir -p "$ROOT/etc"

conf=$ROOT/etc/qemu.conf
new=$(mktemp "$ROOT/etc/.qemu.conf.XXXXXX")
trap 'rm -f "$new"' EXIT INT TERM
{
    echo '# Written by virtmux demo/embed-root.sh for qemu:///embed?root='"$ROOT"
    echo 'stdio_handler = "file"'
    echo 'security_driver = "none"'
    echo 'remember_owner = 0'
    if [ "$(id -u)" = 0 ]; then
        echo 'user = "root"'
        echo 'group = "root"'
    fi
} > "$new"
if [ -f "$conf" ] && cmp -s "$new" "$conf"; then
    rm -f "$new"
else
    chmod 644 "$new"
    mv -f "$new" "$conf"
fi
trap - EXIT INT TERM
echo "$ROOT"
