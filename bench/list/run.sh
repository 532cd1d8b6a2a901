#!/usr/bin/env bash
# bench/list/run.sh — time to first full paint of virtmux vs `virsh list --all`
# on a libvirt test-driver host with 5000 domains, measured in the same run.
#
#   bench/list/run.sh                      (from the repo root, or anywhere)
#
# Environment:
#   BENCH_RUNS=5        timed runs of each side (alternating virtmux, virsh)
#   BENCH_WARMUP=1      untimed runs of each side first (page cache, ld.so)
#   BENCH_DOMAINS=5000  domains in the generated test-driver XML
#   BENCH_TIMEOUT=60    seconds before ptyrun kills a run (counts as an error)
#   BENCH_SIZE=200x60   pty size
#   VIRTMUX=./virtmux   binary under test (built with `make virtmux` when the
#                       default is missing)
#   VIRTMUX_ARGS='--exit-after-paint -c @URI@'
#                       its arguments; @URI@ is replaced by the test URI.
#                       Sanity check with virsh on both sides:
#                         VIRTMUX=virsh VIRTMUX_ARGS='-c @URI@ list --all' bench/list/run.sh
#   VIRSH=virsh         the peer
#   BENCH_MODE=daemon   (default when root) start a private libvirtd that serves
#                       the test driver; both sides connect to it as clients:
#                         test+unix:///TMP/N.xml?socket=TMP/run/libvirt-sock
#               inproc  (default when not root) both sides open test:///TMP/N.xml
#                       themselves, so each client also carries the driver's
#                       parse time and ~88 MiB of domain state.
#   LIBVIRTD=/usr/sbin/libvirtd   the daemon binary for BENCH_MODE=daemon
#
# The private daemon (BENCH_MODE=daemon, root only) runs in its own mount
# namespace (unshare -m) with a tmpfs over /run, so it cannot see or touch a
# system libvirtd's /run/libvirt.  Its config, sockets, pid file and log live in
# the temp dir.  LIBVIRT_DRIVER_DIR points at an empty dir, so it loads no
# stateful driver modules (qemu, network, nwfilter, storage, ...); the test and
# remote drivers are built into libvirt.so.  It is started with an idle timeout
# (-t) as a safety net, and it is stopped by its recorded PID on exit.
#
# Prints the median wall time of each side, the ratio virtmux/virsh, virtmux's
# peak RSS (max over runs) and PASS/FAIL against the targets (ratio <= 1.0,
# RSS <= 50 MiB).  A missed target is printed, not an error: the exit code is
# non-zero only when something breaks (a run exits non-zero or times out).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

RUNS=${BENCH_RUNS:-5}
WARMUP=${BENCH_WARMUP:-1}
NDOM=${BENCH_DOMAINS:-5000}
TIMEOUT=${BENCH_TIMEOUT:-60}
SIZE=${BENCH_SIZE:-200x60}
VIRSH=${VIRSH:-virsh}
VIRTMUX_ARGS=${VIRTMUX_ARGS:---exit-after-paint -c @URI@}
MODE=${BENCH_MODE:-}
LIBVIRTD=${LIBVIRTD:-/usr/sbin/libvirtd}
TARGET_RATIO=1.0
TARGET_RSS_MB=50

die() { echo "bench/list: error: $*" >&2; exit 1; }

for v in RUNS WARMUP NDOM; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( RUNS >= 1 )) || die "BENCH_RUNS must be >= 1"
(( NDOM >= 1 )) || die "BENCH_DOMAINS must be >= 1"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "BENCH_TIMEOUT must be a whole number of seconds (got '$TIMEOUT')"

if [[ -z $MODE ]]; then
    if (( EUID == 0 )); then
        MODE=daemon
    else
        MODE=inproc
        echo "bench/list: not root, so no private libvirtd: using BENCH_MODE=inproc" >&2
    fi
fi
case $MODE in
    daemon)
        (( EUID == 0 )) || die "BENCH_MODE=daemon needs root (for unshare -m); use BENCH_MODE=inproc"
        [[ -x $LIBVIRTD ]] || die "LIBVIRTD '$LIBVIRTD' not found (apt-get install libvirt-daemon)"
        command -v unshare >/dev/null 2>&1 || die "unshare not found (util-linux)"
        ;;
    inproc) ;;
    *) die "BENCH_MODE must be daemon or inproc (got '$MODE')" ;;
esac

# --- tools ------------------------------------------------------------------
PTYRUN=build/bench/ptyrun
if [[ ! -x $PTYRUN || bench/ptyrun.c -nt $PTYRUN ]]; then
    mkdir -p build/bench
    cc -O2 -o "$PTYRUN" bench/ptyrun.c -lutil || die "cannot build $PTYRUN"
fi

if [[ -z ${VIRTMUX:-} ]]; then
    VIRTMUX=./virtmux
    if [[ ! -x $VIRTMUX ]]; then
        echo "bench/list: ./virtmux missing, running make virtmux" >&2
        make virtmux >&2 || die "make virtmux failed"
    fi
fi
command -v "$VIRTMUX" >/dev/null 2>&1 || die "VIRTMUX '$VIRTMUX' is not executable"
command -v "$VIRSH" >/dev/null 2>&1 || die "VIRSH '$VIRSH' not found (apt-get install libvirt-clients)"

# --- data -------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/virtmux-bench-list.XXXXXX")
DAEMON_PIDS=()

cleanup() {
    local pid i alive
    for pid in "${DAEMON_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # libvirtd takes a second or two to shut down; give it up to 10 s.
    for ((i = 0; i < 100; i++)); do
        alive=0
        for pid in "${DAEMON_PIDS[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        (( alive )) || break
        sleep 0.1
    done
    for pid in "${DAEMON_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

XML=$TMP/$NDOM.xml
bench/list/gen-domains.sh "$NDOM" "$XML"

# start_daemon — start the private libvirtd; sets DPID and SOCK.
start_daemon() {
    local d=$TMP/libvirtd i pid probe
    SOCK=$d/run/libvirt-sock
    # The admin socket has the longest path; sun_path holds 107 characters.
    (( ${#SOCK} + 6 <= 107 )) || die "socket path too long ($SOCK); set TMPDIR to a shorter dir"
    [[ $TMP =~ ^[A-Za-z0-9/._+-]+$ ]] || die "temp dir '$TMP' has characters unsafe for a URI/config; set TMPDIR"
    mkdir -p "$d/run" "$d/drivers" "$d/home" "$d/xdg/config" "$d/xdg/cache" "$d/xdg/run"
    chmod 700 "$d" "$d/run" "$d/xdg/run"
    cat >"$d/libvirtd.conf" <<EOF
# private libvirtd for bench/list (generated)
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$d/run"
unix_sock_group = "root"
unix_sock_ro_perms = "0700"
unix_sock_rw_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
host_uuid = "6b1d0e5a-7c3f-4e21-9a4b-000000000000"
log_outputs = "3:file:$d/libvirtd.log"
EOF
    # A simple command started with & is exec'ed by bash's child, and env,
    # unshare (no --fork) and sh -c all exec in turn, so $! is libvirtd's PID.
    # mount -n: do not write /run/mount/utab on the host.
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$d/home" \
        LIBVIRT_DRIVER_DIR="$d/drivers" \
        XDG_CONFIG_HOME="$d/xdg/config" XDG_CACHE_HOME="$d/xdg/cache" \
        XDG_RUNTIME_DIR="$d/xdg/run" \
        unshare --mount --propagation private -- \
        /bin/sh -c 'mount -n -t tmpfs -o mode=0755,size=16m vmxbench-run /run || exit 97
                    exec "$0" "$@"' \
        "$LIBVIRTD" -t $((TIMEOUT + 60)) --config "$d/libvirtd.conf" --pid-file "$d/libvirtd.pid" \
        </dev/null >"$d/stdout" 2>&1 &
    DPID=$!
    DAEMON_PIDS+=("$DPID")

    # Wait (<= 10 s) until it answers on the socket.  The probe opens the
    # built-in test:///default, which costs the daemon nothing.
    probe="test+unix:///default?socket=$SOCK"
    for ((i = 0; ; i++)); do
        if ! kill -0 "$DPID" 2>/dev/null; then
            {
                echo "bench/list: error: private libvirtd (pid $DPID) exited during startup"
                cat "$d/stdout" "$d/libvirtd.log" 2>/dev/null | tail -n 40 | sed 's/^/  | /'
            } >&2
            exit 1
        fi
        if [[ -S $SOCK ]] && "$VIRSH" -q -c "$probe" uri >/dev/null 2>&1; then
            break
        fi
        (( i < 100 )) || {
            echo "bench/list: error: private libvirtd did not answer on $SOCK within 10 s" >&2
            tail -n 40 "$d/libvirtd.log" 2>/dev/null | sed 's/^/  | /' >&2
            exit 1
        }
        sleep 0.1
    done
    pid=$(cat "$d/libvirtd.pid" 2>/dev/null || true)
    if [[ -n $pid && $pid != "$DPID" ]]; then
        DAEMON_PIDS+=("$pid")
        die "libvirtd pid file says $pid but it was started as $DPID"
    fi
}

# daemon_rss — "VmHWM VmRSS" of the private libvirtd in KiB.
daemon_rss() {
    awk '/^VmHWM:/ {h = $2} /^VmRSS:/ {r = $2} END {print h + 0, r + 0}' \
        "/proc/$DPID/status" 2>/dev/null || echo "0 0"
}

if [[ $MODE == daemon ]]; then
    start_daemon
    URI="test+unix://$XML?socket=$SOCK"   # test+unix:///tmp/...xml?socket=...
else
    URI=test://$XML            # test:///tmp/... (path is absolute)
fi

read -r -a vm_args <<<"${VIRTMUX_ARGS//@URI@/$URI}"
VM_CMD=("$VIRTMUX" "${vm_args[@]}")
VS_CMD=("$VIRSH" -c "$URI" list --all)

# --- one run ----------------------------------------------------------------
# run NAME CMD... — sets WALL RSS OUT; dies loudly on a non-zero status.
run() {
    local name=$1; shift
    local log=$TMP/$name.out line rc=0 kv status=
    line=$("$PTYRUN" -s "$SIZE" -t "$TIMEOUT" -o "$log" -- "$@") || rc=$?
    WALL='' RSS='' OUT=''
    for kv in $line; do
        case $kv in
            wall_ms=*)   WALL=${kv#*=} ;;
            maxrss_kb=*) RSS=${kv#*=} ;;
            out_bytes=*) OUT=${kv#*=} ;;
            status=*)    status=${kv#*=} ;;
        esac
    done
    if [[ $status != 0 || -z $WALL || -z $RSS ]]; then
        {
            echo "bench/list: error: $name run failed (ptyrun rc=$rc)"
            echo "  command: $*"
            echo "  ptyrun:  ${line:-<no output>}"
            echo "  --- last 40 lines of its terminal output (escape sequences stripped) ---"
            if [[ -s $log ]]; then
                sed -e 's/\x1b\[[0-9;?<=>]*[ -\/]*[@-~]//g' -e 's/\x1b[()][0-9A-Za-z]//g' \
                    -e 's/\x1b[=>78MDEHc]//g' -e 's/\r$//' -e 's/\r/\n/g' "$log" |
                    grep -v '^[[:space:]]*$' | tail -n 40 | sed 's/^/  | /'
            else
                echo "  | <nothing>"
            fi
        } >&2
        exit 1
    fi
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {
    if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# --- measure ----------------------------------------------------------------
echo "bench/list: $NDOM test-driver domains, pty $SIZE, $RUNS runs each (+$WARMUP warm-up)"
if [[ $MODE == daemon ]]; then
    echo "  mode:    daemon (private $LIBVIRTD, pid $DPID; the test driver runs in the daemon)"
else
    echo "  mode:    inproc (the test driver runs inside each client)"
fi
echo "  uri:     $URI"
echo "  virtmux: ${VM_CMD[*]}"
echo "  virsh:   ${VS_CMD[*]}"

for ((i = 1; i <= WARMUP; i++)); do
    run virtmux "${VM_CMD[@]}"
    run virsh "${VS_CMD[@]}"
done

vm_wall=() vm_rss=() vs_wall=() vs_rss=()
for ((i = 1; i <= RUNS; i++)); do
    run virtmux "${VM_CMD[@]}"
    vm_wall+=("$WALL") vm_rss+=("$RSS")
    printf '  run %d/%d  virtmux %9.1f ms %7.1f MiB %8d B' "$i" "$RUNS" \
        "$WALL" "$(awk -v k="$RSS" 'BEGIN{print k/1024}')" "$OUT"
    run virsh "${VS_CMD[@]}"
    vs_wall+=("$WALL") vs_rss+=("$RSS")
    printf '  |  virsh %9.1f ms %7.1f MiB %8d B\n' \
        "$WALL" "$(awk -v k="$RSS" 'BEGIN{print k/1024}')" "$OUT"
done

# The peer must really have listed every domain, or the comparison is void.
n=$(grep -c ' vm-[0-9]' "$TMP/virsh.out" || true)
(( n == NDOM )) || die "virsh listed $n domains, expected $NDOM"

# --- report -----------------------------------------------------------------
d_hwm=0 d_rss=0
[[ $MODE == daemon ]] && read -r d_hwm d_rss < <(daemon_rss)
vm_med=$(median "${vm_wall[@]}")
vs_med=$(median "${vs_wall[@]}")
vm_peak=$(max "${vm_rss[@]}")
vs_peak=$(max "${vs_rss[@]}")

awk -v vm="$vm_med" -v vs="$vs_med" -v vmr="$vm_peak" -v vsr="$vs_peak" \
    -v tr="$TARGET_RATIO" -v tm="$TARGET_RSS_MB" -v mode="$MODE" \
    -v dh="$d_hwm" -v dr="$d_rss" 'BEGIN {
    ratio = vm / vs; mb = vmr / 1024
    rok = (ratio <= tr) ? "PASS" : "FAIL"
    mok = (mb <= tm) ? "PASS" : "FAIL"
    printf "virtmux  median %9.1f ms   peak RSS %6.1f MiB\n", vm, mb
    printf "virsh    median %9.1f ms   peak RSS %6.1f MiB\n", vs, vsr / 1024
    if (mode == "daemon")
        printf "libvirtd (private, info only)  peak RSS %.1f MiB, now %.1f MiB\n", dh / 1024, dr / 1024
    printf "ratio virtmux/virsh  %.3fx   (target <= %.1fx)   %s\n", ratio, tr, rok
    printf "virtmux peak RSS     %.1f MiB (target <= %d MiB)   %s\n", mb, tm, mok
    printf "RESULT list mode=%s ratio=%.3f virtmux_ms=%.1f virsh_ms=%.1f virtmux_rss_mb=%.1f virsh_rss_mb=%.1f libvirtd_rss_mb=%.1f time=%s rss=%s\n",
        mode, ratio, vm, vs, mb, vsr / 1024, dh / 1024, rok, mok
}'
