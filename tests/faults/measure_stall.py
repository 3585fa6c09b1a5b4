#!/usr/bin/env python3
"""Measures what network faults do to Charla's video: latency over time during and after a stall,
sporadic "loss" (short stalls: what a lost TCP segment costs), added delay and a bandwidth cap.
A benchmark that prints figures, not a test (docs/network-faults.md has a run's results).

Usage: measure_stall.py PATH_TO_CHARLA [--out DIR] [--scenarios a,b,...] [--svg FILE]

A (--call --camera test, 640x480@30 JPEG) reaches B (--auto-answer --camera test) through the
fault proxy (tests/faults/faultproxy.py); B talks to A directly. Recorded per scenario:
  - B's video.stats every 50 ms (received, displayed, latency_in_ms: a 1 s mean of
    capture -> hand-off to the GUI);
  - every frame the proxy forwards to B: its capture time `ts` and when it reached B's socket,
    i.e. the per-frame network latency including what a fault held back;
  - A's video.stats at the end (sent, send_failures: timeouts of the 500 ms call, send_stale).
Scenarios:
  stall2000     the video connection stalled 2 s at t = 2 s
  linkstall2000 every connection stalled 2 s (presence pings too)
  loss          sporadic "loss": 16 stalls of 250 ms on the video connection, 1 every ~0.7 s
                (Linux's minimum RTO is 200 ms: one lost segment stalls a TCP stream >= ~200 ms)
  delay         one-way delay 0, 10, 25, 50, 100 ms, 4 s each
  rate          bandwidth caps 2000, 500, 250, 125 kB/s, 4 s each
Writes DIR/<scenario>-samples.csv and -frames.csv, prints a table, and with --svg plots the
stall2000 (and linkstall2000) latency over time as an SVG (hand-written: no plotting package).
"""

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "support")]
from faultproxy import FaultProxy  # noqa: E402
from charla_harness import Charla, free_ports, rpc, wait_for  # noqa: E402


class Pair:
    def __init__(self, binary, workdir):
        self.port_a, self.port_b = free_ports(2)
        self.proxy = FaultProxy(self.port_b).start()
        self.b = Charla(binary, workdir, "Bob", self.port_b, self.port_a,
                        ["--auto-answer", "--camera", "test"])
        self.b.wait_serving()
        self.a = Charla(binary, workdir, "Alice", self.port_a, self.proxy.port,
                        ["--call", "--camera", "test"])
        self.a.wait_serving()
        if not wait_for(lambda: self.b.call_state()[1] == "active" and
                        self.a.call_state()[1] == "active", 15):
            raise RuntimeError("no call: %r %r" % (self.a.call_events(), self.b.call_events()))
        wait_for(lambda: rpc(self.port_b).video.stats()["fps_in"] > 20, 10)

    def close(self):
        self.proxy.stop()
        self.a.stop()
        self.b.stop()


class Recorder:
    """Polls B's video.stats every 50 ms in a thread."""

    def __init__(self, pair):
        self.pair = pair
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.t0 = time.time() * 1000.0
        self.frames_from = len(self.pair.proxy.video_frames)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        server = rpc(self.pair.port_b, 2.0)
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                s = server.video.stats()
                self.samples.append((time.time() * 1000.0, s["received"], s["displayed"],
                                     s["latency_in_ms"], s["fps_in"], s["call_active"]))
            except OSError:
                pass
            self._stop.wait(max(0.0, 0.05 - (time.monotonic() - started)))

    def frames(self):
        """[(arrival ms since t0, seq, latency ms)]."""
        return [(at - self.t0, seq, at - ts)
                for at, seq, ts in self.pair.proxy.video_frames[self.frames_from:]]

    def rel_samples(self):
        return [(s[0] - self.t0,) + tuple(s[1:]) for s in self.samples]


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def summarize(name, frames, seconds, extra=""):
    lat = [f[2] for f in frames]
    row = {"scenario": name, "frames/s": len(frames) / seconds if seconds else 0,
           "p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat) if lat else float("nan"),
           "over100": 100.0 * sum(1 for x in lat if x > 100) / len(lat) if lat else 0.0,
           "extra": extra}
    return row


def save(out, name, rec):
    with open(os.path.join(out, name + "-samples.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t_ms", "received", "displayed", "latency_in_ms_1s_mean", "fps_in",
                    "call_active"])
        w.writerows([[round(r[0], 1)] + list(r[1:]) for r in rec.rel_samples()])
    with open(os.path.join(out, name + "-frames.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arrival_ms", "seq", "latency_ms"])
        w.writerows([[round(a, 1), s, round(l, 1)] for a, s, l in rec.frames()])


def a_counters(pair):
    s = rpc(pair.port_a).video.stats()
    return {k: int(s[k]) for k in ("captured", "sent", "send_failures", "send_stale",
                                   "send_queue_drops")}


def delta(after, before):
    return {k: after[k] - before[k] for k in after}


# --- scenarios --------------------------------------------------------------------------------

def scenario_stall(pair, out, streams, name):
    before = a_counters(pair)
    with Recorder(pair) as rec:
        time.sleep(2.0)
        stall_at = time.time() * 1000.0 - rec.t0
        pair.proxy.stall(2000, streams)
        time.sleep(6.0)
    save(out, name, rec)
    frames = rec.frames()
    stall_end = stall_at + 2000
    after = [f for f in frames if f[0] >= stall_end]
    first = after[0] if after else None
    fresh = next((f for f in after if f[2] < 100), None)
    samples = rec.rel_samples()
    mean_ok = next((s for s in samples if s[0] >= stall_end and 0 < s[3] < 100), None)
    lost = sum(1 for s in samples if s[0] >= stall_end and not s[5])
    result = {
        "stall_at_ms": stall_at,
        "stale_frames_released_after_stall": [round(f[2]) for f in after
                                              if f[0] < stall_end + 50 and f[2] > 100],
        "first_frame_after_stall": first and {"after_ms": round(first[0] - stall_end, 1),
                                              "latency_ms": round(first[2], 1)},
        "first_fresh_frame_after_stall_ms": fresh and round(fresh[0] - stall_end, 1),
        "mean_latency_under_100_after_ms": mean_ok and round(mean_ok[0] - stall_end, 1),
        "call_active_at_end_on_B": samples[-1][5] if samples else None,
        "samples_without_call_after_stall": lost,
        "A": delta(a_counters(pair), before),
        "A_call": pair.a.call_state()[1], "B_call": pair.b.call_state()[1],
        "_frames": frames, "_samples": samples,
    }
    base = [f for f in frames if f[0] < stall_at]
    return [summarize(name + " (before)", base, stall_at / 1000.0),
            summarize(name + " (stall +4 s)", [f for f in frames if f[0] >= stall_at],
                      6.0)], result


def scenario_loss(pair, out):
    rng = random.Random(7)
    before = a_counters(pair)
    with Recorder(pair) as rec:
        time.sleep(2.0)
        t_start = time.time() * 1000.0 - rec.t0
        for _ in range(16):
            pair.proxy.stall(250, {"video"})
            time.sleep(0.25 + rng.expovariate(1 / 0.45))
        t_end = time.time() * 1000.0 - rec.t0
        time.sleep(1.0)
    save(out, "loss", rec)
    frames = rec.frames()
    base = [f for f in frames if f[0] < t_start]
    lossy = [f for f in frames if t_start <= f[0] < t_end]
    stalls = [(start - rec.t0, end - start) for start, end, _ in pair.proxy.stall_log]
    return [summarize("no fault", base, t_start / 1000.0),
            summarize("250 ms stalls, ~1.4/s", lossy, (t_end - t_start) / 1000.0)], \
        {"A": delta(a_counters(pair), before), "_frames": frames,
         "_samples": rec.rel_samples(), "_stalls": stalls}


def scenario_steps(pair, out, name, values, apply, label):
    rows = []
    counters = {}
    with Recorder(pair) as rec:
        marks = []
        for v in values:
            apply(v)
            time.sleep(1.0)  # settle
            before = a_counters(pair)
            start = time.time() * 1000.0 - rec.t0
            time.sleep(3.0)
            marks.append((v, start, time.time() * 1000.0 - rec.t0))
            counters[v] = delta(a_counters(pair), before)
        apply(0)
    save(out, name, rec)
    frames = rec.frames()
    for v, start, end in marks:
        seg = [f for f in frames if start <= f[0] < end]
        rows.append(summarize(label % v, seg, (end - start) / 1000.0,
                              "A: failures %d, stale %d" % (counters[v]["send_failures"],
                                                            counters[v]["send_stale"])))
    return rows, counters


# --- the plot -----------------------------------------------------------------------------------

def svg_plot(path, panels):
    """panels: [(title, frames, samples, x0, x1, ymax, stalls, origin)] -> one SVG, a panel each.
    Times in ms since the recording started; stalls [(start, ms)]; the x axis counts seconds
    from `origin`."""
    W, H, L, R, T, B = 860, 300, 70, 20, 40, 50
    total_h = H * len(panels) + 40
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (W, total_h),
           '<rect width="100%" height="100%" fill="white"/>']
    for i, (title, frames, samples, x0, x1, ymax, stalls, origin) in enumerate(panels):
        oy = 20 + i * H
        pw, ph = W - L - R, H - T - B

        def X(t):
            return L + (t - x0) / (x1 - x0) * pw

        def Y(ms):
            return oy + T + ph - min(ms, ymax) / ymax * ph

        out.append('<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>'
                   % (L, oy + 20, title))
        for stall_at, stall_ms in stalls:
            out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#fde0dc"/>'
                       % (X(stall_at), oy + T, X(stall_at + stall_ms) - X(stall_at), ph))
        if len(stalls) == 1:
            out.append('<text x="%.1f" y="%d" fill="#b71c1c">stall %d ms</text>'
                       % (X(stalls[0][0]) + 4, oy + T + 14, stalls[0][1]))
        step = 500 if ymax > 1000 else 50
        for ms in range(0, int(ymax) + 1, step):
            out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                       % (L, W - R, Y(ms), Y(ms)))
            out.append('<text x="%d" y="%.1f" text-anchor="end">%d</text>'
                       % (L - 6, Y(ms) + 4, ms))
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#2e7d32" '
                   'stroke-dasharray="4 3"/>' % (L, W - R, Y(100), Y(100)))
        out.append('<text x="%d" y="%.1f" fill="#2e7d32">100 ms</text>' % (W - R - 50, Y(100) - 4))
        t = origin + (int((x0 - origin) / 1000)) * 1000
        while t < x1:
            if t < x0:
                t += 1000
                continue
            out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#999"/>'
                       % (X(t), X(t), oy + T + ph, oy + T + ph + 5))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%+.0f</text>'
                       % (X(t), oy + T + ph + 18, (t - origin) / 1000.0))
            t += 1000
        out.append('<text x="%.1f" y="%d" text-anchor="middle">seconds from the start of the '
                   '%s</text>' % (L + pw / 2, oy + T + ph + 34,
                                  "stall" if len(stalls) == 1 else "first stall"))
        out.append('<text x="16" y="%.1f" transform="rotate(-90 16 %.1f)" text-anchor="middle">'
                   'latency (ms)</text>' % (oy + T + ph / 2, oy + T + ph / 2))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>'
                   % (L, oy + T, pw, ph))
        pts = [(X(s[0]), Y(s[3])) for s in samples if x0 <= s[0] <= x1]
        if pts:
            out.append('<polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="%s"/>'
                       % " ".join("%.1f,%.1f" % p for p in pts))
        for f in frames:
            if x0 <= f[0] <= x1:
                out.append('<circle cx="%.1f" cy="%.1f" r="2.2" fill="#e65100"/>'
                           % (X(f[0]), Y(f[2])))
        # the received frame rate, scaled: 30 fps = 300 on the axis
        rate = []
        for s0, s1 in zip(samples, samples[4:]):
            if x0 <= s1[0] <= x1 and s1[0] > s0[0]:
                fps = (s1[1] - s0[1]) / (s1[0] - s0[0]) * 1000.0
                rate.append((X(s1[0]), Y(fps * (10 if ymax > 1000 else 1))))
        if rate:
            out.append('<polyline fill="none" stroke="#7b1fa2" stroke-width="1" '
                       'stroke-dasharray="2 2" points="%s"/>'
                       % " ".join("%.1f,%.1f" % p for p in rate))
        lx, ly = W - R - 300, oy + T + 12
        out.append('<rect x="%d" y="%d" width="290" height="46" fill="white" '
                   'fill-opacity="0.85"/>' % (lx - 8, ly - 9))
        out.append('<circle cx="%d" cy="%d" r="3" fill="#e65100"/><text x="%d" y="%d">'
                   'each frame: capture -> B\'s socket</text>' % (lx, ly, lx + 8, ly + 4))
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#1565c0" stroke-width="1.5"/>'
                   '<text x="%d" y="%d">B video.stats latency_in_ms (1 s mean)</text>'
                   % (lx - 4, lx + 4, ly + 16, ly + 16, lx + 8, ly + 20))
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#7b1fa2" '
                   'stroke-dasharray="2 2"/><text x="%d" y="%d">%s</text>'
                   % (lx - 4, lx + 4, ly + 32, ly + 32, lx + 8, ly + 36,
                      "frames/s received x10 (30 fps = 300)" if ymax > 1000 else
                      "frames/s received (30 fps = 30)"))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("charla")
    ap.add_argument("--out", default=None)
    ap.add_argument("--scenarios", default="stall2000,linkstall2000,loss,delay,rate")
    ap.add_argument("--svg", default=None)
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="charla-measure-")
    os.makedirs(out, exist_ok=True)
    binary = os.path.abspath(args.charla)
    rows, details, panels = [], {}, []
    for name in args.scenarios.split(","):
        workdir = os.path.join(out, "run-%s-%s" % (name, uuid.uuid4().hex[:6]))
        pair = Pair(binary, workdir)  # a fresh call per scenario
        try:
            if name in ("stall2000", "linkstall2000"):
                r, d = scenario_stall(pair, out, {"video"} if name == "stall2000" else None,
                                      name)
                panels.append(("%s: %s stalled 2 s" % (
                    name, "the video connection" if name == "stall2000" else "every connection"),
                    d.pop("_frames"), d.pop("_samples"), d["stall_at_ms"] - 1500,
                    d["stall_at_ms"] + 4500, 2200.0, [(d["stall_at_ms"], 2000)],
                    d["stall_at_ms"]))
            elif name == "loss":
                r, d = scenario_loss(pair, out)
                stalls = d.pop("_stalls")
                panels.append(("loss: 250 ms stalls of the video connection (what one lost "
                               "segment costs TCP)", d.pop("_frames"), d.pop("_samples"),
                               stalls[0][0] - 1000, stalls[-1][0] + 1500, 300.0, stalls,
                               stalls[0][0]))
            elif name == "delay":
                r, d = scenario_steps(pair, out, "delay", [0, 10, 25, 50, 100],
                                      pair.proxy.set_delay, "one-way delay %d ms")
            elif name == "rate":
                r, d = scenario_steps(pair, out, "rate", [2000, 500, 250, 125],
                                      lambda v: pair.proxy.set_rate(v * 1000),
                                      "cap %d kB/s")
            else:
                print("unknown scenario %s" % name, file=sys.stderr)
                continue
            rows += r
            details[name] = d
        finally:
            pair.close()
    print("\n| scenario | frames/s at B | p50 ms | p95 ms | max ms | > 100 ms | sender |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %.1f | %.0f | %.0f | %.0f | %.1f %% | %s |"
              % (r["scenario"], r["frames/s"], r["p50"], r["p95"], r["max"], r["over100"],
                 r["extra"]))
    print()
    for k, v in details.items():
        print("%s: %s" % (k, v))
    if args.svg and panels:
        svg_plot(args.svg, panels)
        print("plot: %s" % args.svg)
    print("data: %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
