#!/bin/sh
# tests/rig/rig-ns.sh — the launcher tests/rig/lxc.sh execs into: puts itself
# in the rig's cgroups, enters new cgroup and mount namespaces, lays out the
# private mounts, and execs the daemon (so the PID stays the daemon's).
#
#     rig-ns.sh CGROUPS_FILE DIR "CTRLS" COMMAND [ARGS...]
#
# CGROUPS_FILE lists the rig's cgroup directories (one per v1 hierarchy);
# CTRLS the controllers to mount inside.  Not for use on its own.
set -u

if [ "${1:-}" != --inside ]; then
    cgs=$1
    while read -r cg; do
        echo $$ >"$cg/cgroup.procs" || { echo "rig-ns.sh: cannot join $cg" >&2; exit 97; }
    done <"$cgs"
    shift
    # The cgroup namespace is rooted at the cgroups just joined.
    exec unshare --cgroup --mount --propagation private -- "$0" --inside "$@"
fi
shift
d=$1 ctrls=$2
shift 2

m() { mount -n "$@" || { echo "rig-ns.sh: mount $* failed" >&2; exit 97; }; }

# The host's cgroup mounts go (in this namespace only).  A v1-only tree with
# the rig's controllers, rooted at the rig's cgroup by the cgroup namespace,
# replaces them, and no cgroup2: libvirt 9.0's LXC driver cannot set up a
# container on the hybrid layout (see lxc.sh).
umount -n -l /sys/fs/cgroup || { echo "rig-ns.sh: umount /sys/fs/cgroup failed" >&2; exit 97; }
m -t tmpfs -o mode=0755,size=64k rig-cgroup /sys/fs/cgroup
for c in $ctrls; do
    mkdir "/sys/fs/cgroup/$c" || exit 97
    m -t cgroup -o "$c" "rig-$c" "/sys/fs/cgroup/$c"
done

# Mounts below the host's /run (other sessions' /run/netns/NAME, ...) are
# detached in this namespace, so it does not keep them alive.
awk '$5 ~ /^\/run\// { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r mp; do umount -n -l "$mp" 2>/dev/null || true; done
m -t tmpfs -o mode=0755,size=16m rig-run /run
mkdir -p /run/libvirt /run/lock && chmod 1777 /run/lock || exit 97
m --bind "$d/state/run" /run/libvirt
m --bind "$d/state/lib" /var/lib/libvirt
m --bind "$d/state/cache" /var/cache/libvirt
m --bind "$d/state/log" /var/log/libvirt
m --bind "$d/etc" /etc/libvirt
exec "$@"
