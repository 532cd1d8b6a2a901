#!/bin/sh
# Install (or check for) the Debian packages virtmux needs.
#   deps.sh install PKG...  install every package that is missing (root), else print the line
#   deps.sh check PKG...    same, but do nothing at all when everything is there
set -e
mode=$1; shift
missing=""
for p in "$@"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "virtmux needs these Debian packages:$missing"
    echo "run as root:  apt-get update && apt-get install -y$missing"
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
