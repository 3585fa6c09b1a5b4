#!/usr/bin/env python3
"""bench.connections.flood_bench: how the contact's host.ping latency behaves while Charla's
XML-RPC server is flooded by idle and slowloris connections; several binaries in the same run.

Usage: flood_bench.py [options] [LABEL=]CHARLA [[LABEL=]CHARLA...]
e.g.   flood_bench.py old=/work/wt-old/build/bin/charla new=build/bin/charla

For each binary in turn: a real charla (headless, local mode, its own XDG directories, as in
tests/support/charla_harness.py; plugins disabled so that every binary runs the same host) is
started, then
  idle   host.ping every 100 ms for 3 s, a fresh connection each (like the contact's client);
  flood  from 127.0.0.1: 500 idle TCP connections (connect, send nothing) and 100 slowloris
         connections (a partial HTTP request header, then one more header byte every 5 s, never
         the blank line). Connections are non-blocking, so a full accept queue does not stall the
         bench. A flood connection the server closes is opened again 1 s later (--no-reopen to
         leave it closed): the flood is held, as an attacker would hold it.
         While it is held, host.ping every 100 ms for 10 s (open loop: each ping in its own
         thread, a fresh connection, per-call socket timeout 70 s), then the pings still waiting
         get until 90 s after the binary's start; a ping not answered by then counts as failed.
  exit   SIGTERM with the flood still held; the time until the process is gone (SIGKILL after
         20 s).
Printed: ping latency p50/p95/max (answered pings only) idle and under flood, pings answered /
failed (and why), the process's VmRSS and thread count idle and under flood (the largest sample),
the flood connections' fate as the client saw it, and the exit time. Standard library only; the
flood needs ~700 descriptors, the fd limit is raised to its hard limit.
"""

import argparse
import errno
import os
import resource
import selectors
import socket
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "support"))
from charla_harness import (Charla, Failure, free_ports, make_workdir,  # noqa: E402
                            memory_and_threads, rpc)

PING_INTERVAL = 0.1
IDLE_SECONDS = 3.0
FLOOD_SECONDS = 10.0
PING_TIMEOUT = 70.0
CAP_SECONDS = 90.0      # from the binary's start to the last ping given up
EXIT_WAIT = 20.0
SETTLE_SECONDS = 2.0    # between opening the flood and the first flood ping
REOPEN_DELAY = 1.0
SLOW_INTERVAL = 5.0
SLOW_HEAD = b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
SLOW_DRIP = b"X-Slowloris: 1\r\n"
NO_PLUGINS = ["--disable", "audio", "--disable", "text", "--disable", "video"]


def ping_once(port, timeout):
    """Returns (seconds, None) or (seconds, error kind)."""
    t0 = time.monotonic()
    try:
        with rpc(port, timeout) as proxy:
            proxy.host.ping()
        return time.monotonic() - t0, None
    except socket.timeout:
        return time.monotonic() - t0, "timeout"
    except Exception as e:  # noqa: BLE001 - the kind of failure is the finding
        if isinstance(e, OSError) and e.errno:
            kind = errno.errorcode.get(e.errno, str(e.errno))
        else:
            kind = type(e).__name__
        return time.monotonic() - t0, kind


class Flood:
    """Holds `idle` + `slow` connections to 127.0.0.1:port from one selector thread."""

    def __init__(self, port, idle, slow, reopen):
        self.port = port
        self.reopen = reopen
        self.sel = selectors.DefaultSelector()
        self.kinds = ["idle"] * idle + ["slow"] * slow
        # per slot: socket or None, state, next action time, drip position
        self.slots = [{"sock": None, "state": "closed", "due": 0.0, "pos": 0}
                      for _ in self.kinds]
        self.counts = {"opened": 0, "connected": 0, "closed_by_server": 0, "connect_failed": 0,
                       "bytes_from_server": 0, "drip_failed": 0}
        self.started = None
        self.first_close = None  # seconds from the flood's start to the server's first close
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="flood", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stop_event.set()
        self.thread.join(10)
        for slot in self.slots:
            if slot["sock"] is not None:
                slot["sock"].close()
        self.sel.close()

    def snapshot(self):
        states = {}
        for slot in self.slots:
            states[slot["state"]] = states.get(slot["state"], 0) + 1
        counts = dict(self.counts)
        counts["first_close_s"] = (None if self.first_close is None
                                   else round(self.first_close, 1))
        return counts, states

    def _open(self, i, now):
        slot = self.slots[i]
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        self.counts["opened"] += 1
        err = s.connect_ex(("127.0.0.1", self.port))
        slot.update(sock=s, pos=0)
        if err in (0, errno.EINPROGRESS):
            slot["state"] = "connecting"
            self.sel.register(s, selectors.EVENT_WRITE, i)
        else:
            self._lost(i, now, "connect_failed")

    def _lost(self, i, now, why):
        slot = self.slots[i]
        self.counts[why] += 1
        if why == "closed_by_server" and self.first_close is None:
            self.first_close = now - self.started
        if slot["sock"] is not None:
            try:
                self.sel.unregister(slot["sock"])
            except (KeyError, ValueError):
                pass
            slot["sock"].close()
        slot.update(sock=None, state="closed", due=now + REOPEN_DELAY)

    def _connected(self, i, now):
        slot = self.slots[i]
        self.counts["connected"] += 1
        slot["state"] = "open"
        self.sel.modify(slot["sock"], selectors.EVENT_READ, i)
        if self.kinds[i] == "slow":
            try:
                slot["sock"].send(SLOW_HEAD)
            except OSError:
                self._lost(i, now, "drip_failed")
                return
            # staggered, so that the drips do not all come in one burst
            slot["due"] = now + SLOW_INTERVAL * (1 + (i % 50) / 50.0)

    def _run(self):
        now = self.started = time.monotonic()
        for i in range(len(self.slots)):
            self._open(i, now)
        while not self.stop_event.is_set():
            for key, _ in self.sel.select(0.05):
                i = key.data
                slot = self.slots[i]
                now = time.monotonic()
                if slot["state"] == "connecting":
                    err = slot["sock"].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        self._lost(i, now, "connect_failed")
                    else:
                        self._connected(i, now)
                elif slot["state"] == "open":
                    try:
                        data = slot["sock"].recv(65536)
                    except OSError:
                        data = b""
                    if data:
                        self.counts["bytes_from_server"] += len(data)
                    else:
                        self._lost(i, now, "closed_by_server")
            now = time.monotonic()
            for i, slot in enumerate(self.slots):
                if now < slot["due"]:
                    continue
                if slot["state"] == "closed" and self.reopen and slot["due"] > 0:
                    self._open(i, now)
                elif slot["state"] == "open" and self.kinds[i] == "slow":
                    byte = SLOW_DRIP[slot["pos"] % len(SLOW_DRIP):][:1]
                    try:
                        slot["sock"].send(byte)
                        slot["pos"] += 1
                        slot["due"] = now + SLOW_INTERVAL
                    except OSError:
                        self._lost(i, now, "drip_failed")


def percentiles(seconds):
    if not seconds:
        return None, None, None
    ms = sorted(s * 1000.0 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return statistics.median(ms), p95, ms[-1]


def bench_one(label, binary, args, workdir):
    print("== %s: %s" % (label, binary), flush=True)
    port, peer_port = free_ports(2)
    extra = [] if args.with_plugins else NO_PLUGINS
    started = time.monotonic()
    cap = started + CAP_SECONDS
    charla = Charla(binary, workdir, label, port, peer_port, extra)
    result = {"label": label}
    flood = None
    try:
        charla.wait_serving()
        pid = charla.process.pid
        time.sleep(0.5)
        result["rss_idle"], result["threads_idle"] = memory_and_threads(pid)

        # idle: closed loop on a 100 ms grid
        idle = []
        idle_fail = 0
        end = time.monotonic() + IDLE_SECONDS
        tick = time.monotonic()
        while tick < end:
            seconds, error = ping_once(port, 5.0)
            if error:
                idle_fail += 1
            else:
                idle.append(seconds)
            tick += PING_INTERVAL
            time.sleep(max(0.0, tick - time.monotonic()))
        result["idle"] = percentiles(idle)
        result["idle_fail"] = idle_fail
        rss, threads = memory_and_threads(pid)
        result["rss_idle"] = max(result["rss_idle"] or 0, rss or 0)
        result["threads_idle"] = max(result["threads_idle"] or 0, threads or 0)
        print("   idle: %d pings answered, %d failed" % (len(idle), idle_fail), flush=True)

        # flood
        flood = Flood(port, args.idle, args.slow, not args.no_reopen).start()
        samples = []
        settle_end = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < settle_end:
            samples.append(memory_and_threads(pid))
            time.sleep(0.25)
        counts, states = flood.snapshot()
        print("   flood opened: %s; slots %s" % (counts, states), flush=True)

        pings = []  # [seconds, error] filled by the threads
        lock = threading.Lock()

        def one_ping():
            timeout = max(1.0, min(PING_TIMEOUT, cap - time.monotonic()))
            seconds, error = ping_once(port, timeout)
            with lock:
                pings.append((seconds, error))

        threads = []
        end = time.monotonic() + FLOOD_SECONDS
        tick = time.monotonic()
        next_sample = tick
        while tick < end:
            t = threading.Thread(target=one_ping, daemon=True)
            t.start()
            threads.append(t)
            if time.monotonic() >= next_sample:
                samples.append(memory_and_threads(pid))
                next_sample += 0.5
            tick += PING_INTERVAL
            time.sleep(max(0.0, tick - time.monotonic()))
        with lock:
            answered_in_window = sum(1 for _, e in pings if e is None)
        print("   flood: %d pings sent in %.0f s, %d answered so far; waiting for the rest "
              "(until %.0f s after start)" % (len(threads), FLOOD_SECONDS, answered_in_window,
                                               CAP_SECONDS), flush=True)
        while any(t.is_alive() for t in threads) and time.monotonic() < cap:
            samples.append(memory_and_threads(pid))
            time.sleep(0.5)
        samples.append(memory_and_threads(pid))
        with lock:
            done = list(pings)
        answered = [s for s, e in done if e is None]
        errors = {}
        for s, e in done:
            if e is not None:
                errors[e] = errors.get(e, 0) + 1
        unfinished = len(threads) - len(done)
        if unfinished:
            errors["no answer by cap"] = unfinished
        result["flood"] = percentiles(answered)
        result["answered"] = len(answered)
        result["failed"] = len(threads) - len(answered)
        result["errors"] = errors
        result["slow_answers"] = sum(1 for s in answered if s > 1.0)
        result["rss_flood"] = max((r for r, _ in samples if r is not None), default=None)
        result["threads_flood"] = max((t for _, t in samples if t is not None), default=None)
        result["flood_counts"], result["flood_states"] = flood.snapshot()
        result["flood_elapsed"] = time.monotonic() - started

        # exit, with the flood still held
        t0 = time.monotonic()
        charla.process.terminate()
        try:
            charla.process.wait(timeout=EXIT_WAIT)
            result["exit"] = "%.2f s" % (time.monotonic() - t0)
        except Exception:  # noqa: BLE001 - TimeoutExpired
            charla.process.kill()
            charla.process.wait(timeout=10)
            result["exit"] = ">%.0f s (killed)" % EXIT_WAIT
        result["exit_code"] = charla.process.returncode
    except Failure as e:
        result["error"] = str(e)
    finally:
        if flood is not None:
            flood.stop()
        charla.stop()
    print("   done in %.0f s" % (time.monotonic() - started), flush=True)
    return result


def fmt(value, spec="%.1f"):
    return "-" if value is None else spec % value


def print_table(results, args):
    print()
    print("flood: %d idle + %d slowloris connections from 127.0.0.1%s; ping every %.0f ms, "
          "idle %.0f s, under flood %.0f s (timeout %.0f s, cap %.0f s per binary); "
          "latencies of answered pings" % (args.idle, args.slow,
                                           "" if not args.no_reopen else " (not reopened)",
                                           PING_INTERVAL * 1000, IDLE_SECONDS, FLOOD_SECONDS,
                                           PING_TIMEOUT, CAP_SECONDS))
    head = ("%-8s %24s %30s %9s %7s %15s %9s %18s" %
            ("label", "idle ms p50/p95/max", "flood ms p50/p95/max", "answered", "failed",
             "RSS MB idle/fl", "threads", "exit after TERM"))
    print(head)
    print("-" * len(head))
    for r in results:
        if "error" in r:
            print("%-8s did not run: %s" % (r["label"], r["error"]))
            continue
        idle = "/".join(fmt(v, "%.2f") for v in r["idle"])
        flood = "/".join(fmt(v, "%.1f") for v in r["flood"])
        print("%-8s %24s %30s %9d %7d %15s %9s %18s" % (
            r["label"], idle, flood, r["answered"], r["failed"],
            "%s/%s" % (fmt(r["rss_idle"]), fmt(r["rss_flood"])),
            "%s/%s" % (r["threads_idle"], r["threads_flood"]), r["exit"]))
    print()
    for r in results:
        if "error" in r:
            continue
        print("%s: idle pings failed %d; flood pings failed by kind %s; answered after > 1 s: %d;"
              " exit code %s" % (r["label"], r["idle_fail"], r["errors"] or "{}",
                                 r["slow_answers"], r["exit_code"]))
        print("%s: flood connections (client's view) %s; slots at the end %s"
              % (r["label"], r["flood_counts"], r["flood_states"]))
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+", metavar="[LABEL=]CHARLA")
    parser.add_argument("--idle", type=int, default=500, help="idle connections (500)")
    parser.add_argument("--slow", type=int, default=100, help="slowloris connections (100)")
    parser.add_argument("--no-reopen", action="store_true",
                        help="do not reopen the flood connections the server closes")
    parser.add_argument("--with-plugins", action="store_true",
                        help="let charla enable its plugins (default: all disabled)")
    parser.add_argument("--workdir", help="keep the charla directories and logs here")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.idle + args.slow + 400
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    if soft != resource.RLIM_INFINITY and soft < need:
        print("fd limit %d < %d needed" % (soft, need), file=sys.stderr)
        return 2

    targets = []
    for n, item in enumerate(args.binaries):
        label, sep, path = item.partition("=")
        if not sep:
            label, path = "bin%d" % (n + 1), item
        path = os.path.abspath(path)
        if not os.access(path, os.X_OK):
            print("not an executable: %s" % path, file=sys.stderr)
            return 2
        targets.append((label, path))

    workdir, cleanup = make_workdir(args.workdir, "charla-flood-bench-")
    try:
        results = [bench_one(label, path, args, workdir) for label, path in targets]
    finally:
        cleanup()
    print_table(results, args)
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
