#!/usr/bin/env python3
"""faults.video_recovery: during a call with the test pattern on both sides, video resumes after
network faults on A's connection to B and its latency returns to normal.

Usage: video_faults_test.py PATH_TO_CHARLA [WORKDIR]

A (--call --camera test) reaches B (--auto-answer --camera test) through a fault proxy; B's
`video.stats` (A's frames as B receives them) is polled every 50 ms. Faults:
  - the video connection stalled 2 s (what a lost segment does to TCP, exaggerated);
  - the whole link stalled 2 s (a presence ping is lost, but the contact is shown offline only
    after two in a row: the call must survive);
  - the video connection reset (RST) mid-call; then every connection reset.
After each: frames arrive again and, within RECOVERY_LIMIT_S of the fault's end, the frame rate
(from the `received` counter over 250 ms) is back to >= 10 fps and the latency (`latency_in_ms`,
a 1 s mean) under 100 ms. The call stays active on both sides with the same id.
Thresholds are loose on purpose (shared, loaded machines); the printed figures are the result.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "support")]
from faultproxy import FaultProxy  # noqa: E402
from charla_harness import (Charla, expect, free_ports, rpc, run_scenario,  # noqa: E402
                            script_arguments, video_available, wait_for)

RECOVERY_LIMIT_S = 3.0
LATENCY_OK_MS = 100.0
FPS_OK = 10.0


class Sampler:
    """Samples B's video.stats; fps from the received counter over the last 250 ms."""

    def __init__(self, port):
        self.port = port
        self.history = []  # (monotonic, received, latency_in_ms)

    def sample(self):
        s = rpc(self.port, 2.0).video.stats()
        now = time.monotonic()
        self.history.append((now, s["received"], s["latency_in_ms"]))
        old = [h for h in self.history if now - h[0] >= 0.25]
        base = old[-1] if old else self.history[0]
        span = now - base[0]
        fps = (s["received"] - base[1]) / span if span > 0 else 0.0
        return {"t": now, "received": s["received"], "fps": fps,
                "latency_ms": s["latency_in_ms"], "call_active": s["call_active"]}

    def wait_healthy(self, timeout):
        """Seconds until fps >= FPS_OK and latency < LATENCY_OK_MS (None if never)."""
        t0 = time.monotonic()
        self.history = []
        while time.monotonic() - t0 < timeout:
            s = self.sample()
            if s["fps"] >= FPS_OK and 0 < s["latency_ms"] < LATENCY_OK_MS and \
                    time.monotonic() - t0 >= 0.25:
                return time.monotonic() - t0, s
            time.sleep(0.05)
        return None, self.sample()


def main():
    binary, workdir, cleanup = script_arguments(__doc__, "charla-faults-video-")
    if not video_available(binary):
        cleanup()
        print("SKIP: the video plugin is not built next to %s" % binary)
        return 77

    port_a, port_b = free_ports(2)
    proxy = FaultProxy(port_b).start()
    st = {"a": None, "b": None, "call": None}
    figures = {}
    sampler = Sampler(port_b)

    def call_up():
        st["b"] = Charla(binary, workdir, "Bob", port_b, port_a,
                         ["--auto-answer", "--camera", "test"])
        st["b"].wait_serving()
        st["a"] = Charla(binary, workdir, "Alice", port_a, proxy.port,
                         ["--call", "--camera", "test"])
        st["a"].wait_serving()
        expect(wait_for(lambda: st["b"].call_state()[1] == "active" and
                        st["a"].call_state()[1] == "active", 15),
               "no call: A %r B %r" % (st["a"].call_events(), st["b"].call_events()))
        st["call"] = st["a"].call_state()[0]
        stats = rpc(port_b).video.stats()
        if stats.get("rejected_by"):
            print("note: B rejected frames: %r" % stats["rejected_by"])
        took, s = sampler.wait_healthy(10)
        expect(took is not None, "video never healthy before any fault: %r" % s)
        time.sleep(1.0)  # a clean 1 s window for the baseline
        s = sampler.sample()
        figures["baseline"] = {"fps": round(s["fps"], 1), "latency_ms": round(s["latency_ms"], 1)}

    def recovered(name, fault_end):
        took, s = sampler.wait_healthy(RECOVERY_LIMIT_S + 2)
        after = None if took is None else round(max(0.0, s["t"] - fault_end), 2)
        figures[name] = {"healthy_after_fault_end_s": after, "fps": round(s["fps"], 1),
                         "latency_ms": round(s["latency_ms"], 1)}
        expect(after is not None and after <= RECOVERY_LIMIT_S,
               "%s: not healthy %.0f s after the fault: %r" % (name, RECOVERY_LIMIT_S, s))

    def settle():
        time.sleep(1.2)  # each fault starts with a clean 1 s latency window

    def stalled(ms, streams):
        settle()
        before = rpc(port_b).video.stats()["received"]
        proxy.stall(ms, streams)
        end = time.monotonic() + ms / 1000.0
        time.sleep(ms / 1000.0 * 0.8)
        during = rpc(port_b).video.stats()["received"]
        # a frame or two can land right at the start of the stall
        expect(during - before <= 2, "frames flowed through a stall: %d" % (during - before))
        while time.monotonic() < end:
            time.sleep(0.01)
        return end

    def video_stall_2s():
        end = stalled(2000, {"video"})
        recovered("video_stall_2000ms", end)

    def link_stall_2000ms():
        end = stalled(2000, None)
        recovered("link_stall_2000ms", end)

    def video_reset():
        settle()
        n = proxy.reset(streams={"video"})
        expect(n >= 1, "no video connection to reset")
        recovered("video_reset", time.monotonic())

    def link_reset():
        settle()
        n = proxy.reset()
        expect(n >= 2, "expected several connections to reset, got %d" % n)
        recovered("link_reset", time.monotonic())

    def same_call_still_active():
        time.sleep(0.5)
        for c in (st["a"], st["b"]):
            expect(c.running(), "%s died" % c.name)
            expect(c.call_state() == (st["call"], "active"),
                   "%s: the call did not survive: %r" % (c.name, c.call_events()))
        stats = rpc(port_b).video.stats()
        figures["b_run_latency_p50_p95_p99_ms"] = [round(stats[k], 1) for k in
                                                   ("latency_p50_ms", "latency_p95_ms",
                                                    "latency_p99_ms")]

    checks = [
        ("call with the test pattern both ways, video healthy", call_up),
        ("video connection stalled 2 s: healthy within %.0f s" % RECOVERY_LIMIT_S, video_stall_2s),
        ("whole link stalled 2 s: healthy within %.0f s" % RECOVERY_LIMIT_S, link_stall_2000ms),
        ("video connection reset: healthy within %.0f s" % RECOVERY_LIMIT_S, video_reset),
        ("every connection reset: healthy within %.0f s" % RECOVERY_LIMIT_S, link_reset),
        ("the same call is still active on both sides", same_call_still_active),
    ]
    def report():
        print("figures: %s" % figures, flush=True)
        print("proxy: %s" % proxy.status()["counters"], flush=True)

    return run_scenario("faults.video_recovery", checks, lambda: (st["a"], st["b"]), report,
                        cleanups=(proxy.stop, cleanup))


if __name__ == "__main__":
    sys.exit(main())
