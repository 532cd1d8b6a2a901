#!/usr/bin/env python3
"""bench/migrate/analyze.py: reads what bench/migrate/run.sh recorded.

  analyze.py payload FILE             the bytes of a raw console log / recording
  analyze.py attached REC HOST T0MS   exit 0 if, after T0MS, the peer loop said
                                      "@@attach HOST" and guest output followed
  analyze.py report DIR SIDE...       the table and the RESULT line
  analyze.py watch OUT STOP A=FILE B=FILE   until STOP exists: every ~2 ms, the
                                      sizes of the hosts' serial logs (virtlogd
                                      writes what QEMU's serial says); a line
                                      "MS HOST SIZE" each time one grows

Raw logs (virtmux's log-dir *.raw, conrec's recording) are records
"TS LEN\\n<LEN bytes>\\n" and, in virtmux's, "TS marker TEXT\\n" lines;
TS is UTC, ISO 8601, milliseconds. Event files are `virsh event --loop
--timestamp` output: "2026-11-23 01:45:34.448+0000: event 'lifecycle' for
domain 'tb1': Resumed Migrated".
"""
import datetime
import hashlib
import math
import os
import re
import sys


def ts_ms(s):
    s = s.strip()
    if s.endswith("Z"):
        d = datetime.datetime.strptime(s[:-1], "%Y-%m-%dT%H:%M:%S.%f")
    else:  # "2026-11-23 01:45:34.448+0000"
        d = datetime.datetime.strptime(s[:23], "%Y-%m-%d %H:%M:%S.%f")
    d = d.replace(tzinfo=datetime.timezone.utc)
    return int(round(d.timestamp() * 1000))


def records(path):
    """[(ts_ms, kind, bytes_or_text)], kind 'data' or 'marker', in file order."""
    out = []
    try:
        d = open(path, "rb").read()
    except OSError:
        return out
    i = 0
    while i < len(d):
        nl = d.find(b"\n", i)
        if nl < 0:
            break
        head = d[i:nl].split(b" ", 2)
        if len(head) >= 2 and head[1] == b"marker":
            out.append((ts_ms(head[0].decode()), "marker", head[2].decode("utf-8", "replace") if len(head) > 2 else ""))
            i = nl + 1
            continue
        if len(head) != 2 or not head[1].isdigit():
            i = nl + 1   # not a record head (should not happen): skip the line
            continue
        n = int(head[1])
        if nl + 1 + n > len(d):
            break        # a record still being written
        out.append((ts_ms(head[0].decode()), "data", d[nl + 1:nl + 1 + n]))
        i = nl + 1 + n + 1
    return out


def payload(recs):
    return b"".join(r[2] for r in recs if r[1] == "data")


# What the peer loop and virsh print themselves (not the guest).
NOISE = re.compile(rb"@@(attach|detached) [AB]|Connected to domain[^\n]*|Escape character is[^\n]*|"
                   rb"error:[^\n]*|Authorization not available[^\n]*")


def guest_bytes(b):
    return NOISE.sub(b"", b).strip(b"\r\n \t") != b""


def attach_index(recs, host, t0):
    """Index of the first record at or after t0 saying "@@attach HOST", or None."""
    tag = b"@@attach " + host.encode()
    for k, r in enumerate(recs):
        if r[1] == "data" and r[0] >= t0 and tag in r[2]:
            return k
    return None


def first_guest_after(recs, k, host):
    """(ts) of the first guest output at/after record k (the attach record itself
    counts only for what follows the tag)."""
    tag = b"@@attach " + host.encode()
    r = recs[k]
    rest = r[2][r[2].find(tag) + len(tag):]
    if guest_bytes(rest):
        return r[0]
    for r in recs[k + 1:]:
        if r[1] == "data" and guest_bytes(r[2]):
            return r[0]
    return None


def events(path):
    """[(ts_ms, text)]"""
    out = []
    try:
        for line in open(path, errors="replace"):
            m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+\d{4}): event 'lifecycle' for domain '[^']*': (.*)", line)
            if m:
                out.append((ts_ms(m.group(1)), m.group(2).strip()))
    except OSError:
        pass
    return out


def first_event(evs, what, lo, hi):
    for t, e in evs:
        if e == what and lo <= t <= hi:
            return t
    return None


def median(v):
    v = sorted(v)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def p99(v):
    v = sorted(v)
    if not v:
        return None
    return v[max(0, math.ceil(0.99 * len(v)) - 1)]


def lines_lost(recs, prefix, end_ms):
    """Numbered lines PREFIX<n> as whole lines in what was shown up to end_ms:
    (seen, missing, duplicated, out of order, highest)."""
    data = b"".join(r[2] for r in recs if r[1] == "data" and r[0] <= end_ms)
    seq = [int(m.group(1)) for m in re.finditer(rb"(?m)^" + prefix.encode() + rb"(\d+)$", data.replace(b"\r", b""))]
    if not seq:
        return 0, 0, 0, 0, -1
    top = max(seq)
    uniq = set(seq)
    missing = sum(1 for n in range(0, top + 1) if n not in uniq)
    dup = len(seq) - len(uniq)
    disorder = sum(1 for a, b in zip(seq, seq[1:]) if b <= a)
    return len(seq), missing, dup, disorder, top


def keys_result(recs, sent):
    """The guest's dump between KEYS-BEGIN and KEYS-END, against the tokens sent."""
    data = payload(recs).replace(b"\r", b"")
    m = re.search(rb"(?m)^KEYS-BEGIN\n(.*?)^KEYS-END$", data, re.S)
    md5 = re.findall(rb"(?m)^([0-9a-f]{32})  /tmp/keys\.", data)
    if not m:
        return None
    got = [ln.decode("latin1") for ln in m.group(1).split(b"\n") if ln != b""]
    sent_toks = [t for _, t in sent]
    gotset = set(got)
    lost = sum(1 for t in sent_toks if t not in gotset)
    sentset = set(sent_toks)
    garbled = sum(1 for g in got if g not in sentset)
    dup = sum(1 for g in got if g in sentset) - len(gotset & sentset)
    want_md5 = hashlib.md5("".join(t + "\n" for t in sent_toks).encode()).hexdigest()
    guest_md5 = md5[-1].decode() if md5 else "?"
    span = (sent[-1][0] - sent[0][0]) / 1000 if len(sent) > 1 else 0
    return {"rate": len(sent) / span if span > 0 else 0, "sent": len(sent_toks), "got": len(got), "lost": lost, "garbled": garbled, "dup": dup,
            "md5_ok": guest_md5 == want_md5, "exact": got == sent_toks}


def read_migs(path):
    out = []
    for line in open(path):
        f = line.split()
        if len(f) == 5:
            out.append((int(f[0]), f[1], f[2], int(f[3]), int(f[4])))
    return out


def read_keys(path):
    out = []
    try:
        for line in open(path):
            f = line.split()
            if len(f) == 2:
                out.append((int(f[0]), f[1]))
    except OSError:
        pass
    return out


def read_ms(path):
    return int(open(path).read().strip())


GOUT = []
MARK = re.compile(r"\[virtmux: migrated (\S+) \S+ (\S+), console gap (\d+) ms(?:, keys held (\d+) ms)?\]")


def side_virtmux(d, evs):
    recs = records(os.path.join(d, "virtmux.raw"))
    migs = read_migs(os.path.join(d, "virtmux.migs"))
    sent = read_keys(os.path.join(d, "virtmux.keys"))
    end = read_ms(os.path.join(d, "virtmux.end"))
    marks = [(k, r) for k, r in enumerate(recs) if r[1] == "marker" and MARK.search(r[2])]
    other = [r[2] for r in recs if r[1] == "marker" and not MARK.search(r[2])]
    res = {"gap": [], "switch": [], "mgap": [], "held": [], "srcstop": [], "mig_s": [], "notes": [], "qemu": [], "own": [],
           "srclast": []}
    if len(marks) != len(migs):
        res["notes"].append("%d 'migrated' markers for %d migrations" % (len(marks), len(migs)))
    for (i, src, dst, t0, t1), (k, mr) in zip(migs, marks):
        m = MARK.search(mr[2])
        if (m.group(1), m.group(2)) != (src, dst):
            res["notes"].append("marker %d says %s -> %s, migration was %s -> %s" % (i, m.group(1), m.group(2), src, dst))
        resumed = first_event(evs[dst], "Resumed Migrated", t0, t1 + 10000)
        stopped = first_event(evs[src], "Stopped Migrated", t0, t1 + 10000)
        mts, mgap = mr[0], int(m.group(3))
        # First new byte shown: the destination's output buffered before the
        # switch is fed (and logged) right before the marker, in the same ms;
        # if nothing was buffered, it is the first record after the marker.
        shown = None
        if k > 0 and recs[k - 1][1] == "data" and recs[k - 1][0] == mts:
            shown = mts
        else:
            for r in recs[k + 1:]:
                if r[1] == "data":
                    shown = r[0]
                    break
        res["mig_s"].append((t1 - t0) / 1000)
        res["mgap"].append(mgap)
        # Keys are held from the incoming copy's appearance (the marker's
        # "keys held" span), not only over the console gap.
        hold_ms = int(m.group(4)) if m.group(4) else mgap
        res["held"].append(sum(1 for t, _ in sent if mts - hold_ms <= t <= mts))
        if resumed is None:
            res["notes"].append("migration %d: no 'Resumed Migrated' event on %s" % (i, dst))
            continue
        res["switch"].append(mts - resumed)
        fo = first_out(GOUT, dst, resumed)
        if fo is not None:
            res["qemu"].append(fo - resumed)
            if shown is not None:
                res["own"].append(shown - fo)
        lo = last_out(GOUT, src, t0, resumed)
        if lo is not None:
            res["srclast"].append(resumed - lo)
        if shown is not None:
            res["gap"].append(shown - resumed)
        if stopped is not None:
            res["srcstop"].append(stopped - resumed)
    res["lines"] = lines_lost(recs, "L", end)
    res["keys"] = keys_result(recs, sent)
    res["other_markers"] = other
    return res


def side_peer(d, evs):
    recs = records(os.path.join(d, "peer.rec"))
    migs = read_migs(os.path.join(d, "peer.migs"))
    sent = read_keys(os.path.join(d, "peer.keys"))
    end = read_ms(os.path.join(d, "peer.end"))
    res = {"gap": [], "detach": [], "srcstop": [], "mig_s": [], "notes": [], "qemu": [], "own": []}
    for i, src, dst, t0, t1 in migs:
        resumed = first_event(evs[dst], "Resumed Migrated", t0, t1 + 10000)
        stopped = first_event(evs[src], "Stopped Migrated", t0, t1 + 10000)
        res["mig_s"].append((t1 - t0) / 1000)
        k = attach_index(recs, dst, t0)
        shown = first_guest_after(recs, k, dst) if k is not None else None
        det = None
        tag = b"@@detached " + src.encode()
        for r in recs:
            if r[1] == "data" and r[0] >= t0 and tag in r[2]:
                det = r[0]
                break
        if resumed is None or shown is None:
            res["notes"].append("migration %d: resumed=%s shown=%s" % (i, resumed, shown))
            continue
        res["gap"].append(shown - resumed)
        fo = first_out(GOUT, dst, resumed)
        if fo is not None:
            res["qemu"].append(fo - resumed)
            res["own"].append(shown - fo)
        if det is not None:
            res["detach"].append(det - resumed)
        if stopped is not None:
            res["srcstop"].append(stopped - resumed)
    res["lines"] = lines_lost(recs, "P", end)
    res["keys"] = keys_result(recs, sent)
    return res


def fmt(v, nd=0):
    if v is None:
        return "-"
    return ("%." + str(nd) + "f") % v


def report(d, sides):
    evs = {h: events(os.path.join(d, "events." + h)) for h in "AB"}
    global GOUT
    GOUT = guest_out(d)
    R = {}
    if "virtmux" in sides:
        R["virtmux"] = side_virtmux(d, evs)
    if "peer" in sides:
        R["peer"] = side_peer(d, evs)
    v, p = R.get("virtmux"), R.get("peer")

    def stat(r, key, f):
        return f(r[key]) if r and r[key] else None

    def ratio(a, b):
        return "%.3fx" % (a / b) if a is not None and b not in (None, 0) else "-"

    def row(m, a, b, r="", t="", ok=""):
        print("%-50s | %10s | %10s | %8s | %-10s | %s" % (m, a, b, r, t, ok))

    def pf(ok):
        return "PASS" if ok else "FAIL"

    row("metric (per migration unless said)", "virtmux", "peer", "ratio", "target", "")
    print("-" * 51 + "+" + "-" * 12 + "+" + "-" * 12 + "+" + "-" * 10 + "+" + "-" * 12 + "+-----")
    gv_med, gp_med = stat(v, "gap", median), stat(p, "gap", median)
    gv_p99, gp_p99 = stat(v, "gap", p99), stat(p, "gap", p99)
    ok_gap = gv_med is not None and gv_med <= 100
    row("console gap: dest resumed -> new byte, median ms", fmt(gv_med), fmt(gp_med), ratio(gv_med, gp_med),
        "<= 100 ms", pf(ok_gap) if v else "")
    row("console gap p99 ms", fmt(gv_p99), fmt(gp_p99), ratio(gv_p99, gp_p99), "info")
    row("console gap max ms", fmt(stat(v, "gap", max)), fmt(stat(p, "gap", max)), "", "info")
    row("  gaps measured", str(len(v["gap"])) if v else "-", str(len(p["gap"])) if p else "-", "", "info")
    if v:
        row("virtmux: resumed -> switch (marker), median ms", fmt(stat(v, "switch", median)), "", "", "info")
        row("virtmux: marker's 'console gap' (resumed ->", fmt(stat(v, "mgap", median)), "", "", "info")
        row("  switch), median / p99 ms", fmt(stat(v, "mgap", p99)), "", "", "info")
    row("guest's first output on dest after resumed, ms", fmt(stat(v, "qemu", median)), fmt(stat(p, "qemu", median)),
        "", "info")
    row("  (dest's serial log, virtlogd) p99", fmt(stat(v, "qemu", p99)), fmt(stat(p, "qemu", p99)), "", "info")
    row("that first output -> shown, median ms", fmt(stat(v, "own", median)), fmt(stat(p, "own", median)),
        ratio(stat(v, "own", median), stat(p, "own", median)), "info")
    row("  p99 ms", fmt(stat(v, "own", p99)), fmt(stat(p, "own", p99)), "", "info")
    if v and v["own"]:
        waited = [x for x in v["own"] if x > 20]
        row("virtmux: dest output waited > 20 ms for the switch", "%d of %d" % (len(waited), len(v["own"])), "", "", "info")
        row("  by (median ms)", fmt(median(waited)), "", "", "info")
        row("source's last output before dest resumed, median", fmt(stat(v, "srclast", median)), "", "", "info")
        row("  (its serial log) min ms", fmt(stat(v, "srclast", min)), "", "", "info")
    row("source 'Stopped Migrated' after dest resumed, ms", fmt(stat(v, "srcstop", median)),
        fmt(stat(p, "srcstop", median)), "", "info")
    if p:
        row("peer: source's virsh console ended after resume", "", fmt(stat(p, "detach", median)), "", "info")
    row("virsh migrate wall time, median s", fmt(stat(v, "mig_s", median), 2), fmt(stat(p, "mig_s", median), 2), "", "info")
    lost_lines = {}
    for name, r in (("virtmux", v), ("peer", p)):
        if r:
            seen, miss, dup, dis, top = r["lines"]
            lost_lines[name] = miss + dup
    row("lost lines (missing + duplicated), whole run", str(lost_lines.get("virtmux", "-")), str(lost_lines.get("peer", "-")),
        "", "0", pf(lost_lines.get("virtmux", 1) == 0) if v else "")
    for name, r in (("virtmux", v), ("peer", p)):
        if r:
            seen, miss, dup, dis, top = r["lines"]
            print("  %s: lines 0..%d: %d shown whole, %d missing, %d duplicated, %d out of order"
                  % (name, top, seen, miss, dup, dis))
    kv = v["keys"] if v else None
    kp = p["keys"] if p else None
    lk = {"virtmux": kv["lost"] + kv["garbled"] + kv["dup"] if kv else None,
          "peer": kp["lost"] + kp["garbled"] + kp["dup"] if kp else None}
    ok_keys = kv is not None and lk["virtmux"] == 0 and kv["md5_ok"]
    row("lost keys (lost + garbled + duplicated), run", fmt(lk["virtmux"]), fmt(lk["peer"]), "", "0",
        pf(ok_keys) if v else "")
    for name, k in (("virtmux", kv), ("peer", kp)):
        if k:
            print("  %s: %d tokens sent (%.1f/s), %d lines in the guest: %d lost, %d garbled, %d duplicated; md5 %s; in order: %s"
                  % (name, k["sent"], k["rate"], k["got"], k["lost"], k["garbled"], k["dup"], "same" if k["md5_ok"] else "differs",
                     "yes" if k["exact"] else "no"))
        elif (name == "virtmux" and v) or (name == "peer" and p):
            print("  %s: the guest's key dump was not found" % name)
    if v:
        row("virtmux: keys held per migration, median", fmt(median(v["held"])), "", "", "info")
        row("virtmux: keys held, max / total", "%s / %d" % (fmt(max(v["held"]) if v["held"] else None), sum(v["held"])), "", "", "info")
        if v["other_markers"]:
            print("  virtmux's other markers: " + "; ".join(sorted(set(v["other_markers"]))))
    for name, r in (("virtmux", v), ("peer", p)):
        if r:
            for n in r["notes"][:10]:
                print("  note (%s): %s" % (name, n))
    if v:
        print("  virtmux gaps (ms): " + " ".join(str(g) for g in v["gap"]))
    if p:
        print("  peer gaps (ms):    " + " ".join(str(g) for g in p["gap"]))
    ok_lines = lost_lines.get("virtmux", 1) == 0
    print("RESULT migrate migrations=%d gap_med_virtmux_ms=%s gap_p99_virtmux_ms=%s gap_med_peer_ms=%s gap_p99_peer_ms=%s "
          "gap_ratio=%s switch_med_virtmux_ms=%s marker_gap_med_ms=%s keys_held=%s lost_keys_virtmux=%s lost_keys_peer=%s "
          "lost_lines_virtmux=%s lost_lines_peer=%s gap=%s lost_keys=%s lost_lines=%s"
          % (len(v["mig_s"]) if v else len(p["mig_s"]) if p else 0, fmt(gv_med), fmt(gv_p99), fmt(gp_med), fmt(gp_p99),
             ratio(gv_med, gp_med).rstrip("x"), fmt(stat(v, "switch", median)), fmt(stat(v, "mgap", median)),
             sum(v["held"]) if v else "-", fmt(lk["virtmux"]), fmt(lk["peer"]),
             lost_lines.get("virtmux", "-"), lost_lines.get("peer", "-"),
             pf(ok_gap) if v else "-", pf(ok_keys) if v else "-", pf(ok_lines) if v else "-"))
    return 0


def watch(out, stop, files):
    import time
    last = {h: None for h in files}
    with open(out, "w") as f:
        while not os.path.exists(stop):
            for h, path in files.items():
                try:
                    n = os.stat(path).st_size
                except OSError:
                    n = None
                if n != last[h]:
                    if last[h] is not None and n is not None and n > last[h]:
                        f.write("%d %s %d\n" % (int(time.time() * 1000), h, n))
                        f.flush()
                    last[h] = n
            time.sleep(0.002)
    return 0


def guest_out(d):
    """[(ms, host)] when a host's serial log grew."""
    out = []
    try:
        for line in open(os.path.join(d, "serial.watch")):
            f = line.split()
            if len(f) == 3:
                out.append((int(f[0]), f[1]))
    except OSError:
        pass
    return out


def first_out(gout, host, lo):
    for t, h in gout:
        if h == host and t >= lo:
            return t
    return None


def last_out(gout, host, lo, hi):
    t = None
    for u, h in gout:
        if h == host and lo <= u <= hi:
            t = u
    return t


def main():
    a = sys.argv[1:]
    if a[:1] == ["watch"] and len(a) >= 4:
        return watch(a[1], a[2], dict(x.split("=", 1) for x in a[3:]))
    if a[:1] == ["payload"] and len(a) == 2:
        sys.stdout.buffer.write(payload(records(a[1])))
        return 0
    if a[:1] == ["attached"] and len(a) == 4:
        recs = records(a[1])
        k = attach_index(recs, a[2], int(a[3]))
        return 0 if k is not None and first_guest_after(recs, k, a[2]) is not None else 1
    if a[:1] == ["report"] and len(a) >= 3:
        return report(a[1], a[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
