#!/usr/bin/env python3
"""File transfer throughput and memory (issue 15, docs/performance.md). Prints figures.

Usage: files_bench.py PATH_TO_CHARLA [--size-mb N] [--capped-mb N] [--rss-gb N] [--skip-rss]
                      [--rss-chunk-kib N] [--compare OTHER_CHARLA]

Charla's default chunk (128 KiB) is measured beside 1 MiB chunks (files.chunk_kib), and its
default two reads in flight beside one (files.reads_in_flight), all in the same run.

1. Loopback: A sends an N MB file to B (two real Charlas, TLS between them as users run them);
   the same file uploaded by `curl -T` to a small Python HTTP sink in the same run is the baseline.
   Times are from B accepting the offer to the file under its final name (SHA-256 checked),
   so the sender's hashing before the offer is left out and reported apart.
2. Through tests/faults/faultproxy.py capped at 100 Mbit/s (12.5 MB/s each way): file bytes per
   second as a fraction of the cap. Blob answers (docs/protocol.md) carry the chunks as raw
   bytes; plain XML-RPC's base64 costs 4/3 on the wire (a ceiling of about 75 %).
3. Peak RSS (VmHWM) of both Charlas while a sparse file of M GB goes from A to B.
"""

import argparse
import http.server
import os
import re
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "..", "tests", "faults"),
                os.path.join(HERE, "..", "..", "tests", "support"),
                os.path.join(HERE, "..", "..", "tests", "files")]
from faultproxy import FaultProxy  # noqa: E402
from charla_harness import Charla, _charlas, free_ports, wait_for  # noqa: E402
from files_e2e_test import STATES, transfers  # noqa: E402

MB = 1000 * 1000


class Sink(http.server.BaseHTTPRequestHandler):
    """Takes a PUT/POST body and throws it away (what a receiver without a disk would do)."""

    def do_PUT(self):
        left = int(self.headers.get("Content-Length", 0))
        while left:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT

    def log_message(self, *args):
        pass


def curl_seconds(path):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = time.monotonic()
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-T", path,
                        "http://127.0.0.1:%d/upload" % server.server_address[1]], check=True)
        return time.monotonic() - start
    finally:
        server.shutdown()
        server.server_close()


def hwm_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None


def transfer(binary, workdir, tag, path, proxy_rate=None, tls=True, timeout=600, chunk_kib=1024,
             in_flight=2):
    """Sends `path` from A to B; returns (hash s, transfer s, (A hwm MB, B hwm MB), proxy)."""
    root = os.path.join(workdir, tag)
    pa, pb = free_ports(2)
    proxy = None
    b_peer = pa
    if proxy_rate:
        proxy = FaultProxy(pa).start()
        proxy.set_rate(proxy_rate)
        b_peer = proxy.port  # B's reads go through the proxy; the file bytes come back through it
    opts = lambda who: ["--plugin-option", "files.download_dir=" + os.path.join(root, who, "dl"),  # noqa: E731
                        "--plugin-option", "files.auto_accept_mb=100000",
                        "--plugin-option", "files.chunk_kib=%d" % chunk_kib,
                        "--plugin-option", "files.reads_in_flight=%d" % in_flight]
    a = Charla(binary, root, "Alice", pa, pb, opts("Alice") + ["--send-file", path], tls=tls)
    if proxy:
        _charlas[proxy.port] = a  # B's contact, as the harness presents it over TLS
    b = Charla(binary, root, "Bob", pb, b_peer, opts("Bob"), tls=tls)
    try:
        a.wait_serving()
        b.wait_serving()
        t0 = time.monotonic()
        started = wait_for(lambda: [r for r in transfers(b) if r[1] == 1], 120, 0.01)
        if not started:
            raise RuntimeError("no offer reached B:\n" + a.log()[-2000:] + b.log()[-2000:])
        t1 = time.monotonic()
        target = os.path.join(root, "Bob", "dl", os.path.basename(path))
        done = wait_for(lambda: os.path.exists(target), timeout, 0.01)
        t2 = time.monotonic()
        if not done:
            raise RuntimeError("not received: %s" % transfers(b))
        rss = (hwm_mb(a.process.pid), hwm_mb(b.process.pid))
        os.remove(target)
        return t1 - t0, t2 - t1, rss, proxy
    finally:
        a.stop()
        b.stop()
        if proxy:
            proxy.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("charla")
    p.add_argument("--size-mb", type=int, default=256)
    p.add_argument("--capped-mb", type=int, default=48)
    p.add_argument("--rss-gb", type=float, default=2.0)
    p.add_argument("--skip-rss", action="store_true")
    p.add_argument("--rss-chunk-kib", type=int, default=128)
    p.add_argument("--compare", metavar="OTHER_CHARLA",
                   help="another build's charla (e.g. main's), run beside this one in each "
                        "measurement: a before/after in the same run")
    args = p.parse_args()
    builds = [("", os.path.abspath(args.charla))]
    if args.compare:
        builds = [("[this] ", builds[0][1]), ("[other] ", os.path.abspath(args.compare))]
    with tempfile.TemporaryDirectory(prefix="charla-files-bench-", dir="/tmp") as workdir:
        src = os.path.join(workdir, "payload.bin")
        with open(src, "wb") as f:
            block = os.urandom(1 << 20)
            for _ in range(args.size_mb * MB // (1 << 20)):
                f.write(block)
        size = os.path.getsize(src)
        print("loopback, %.0f MB file" % (size / MB))
        curl = min(curl_seconds(src) for _ in range(3))
        for tls, chunk, n in ((True, 128, 1), (True, 128, 2), (False, 128, 1), (False, 128, 2),
                              (True, 1024, 1), (True, 1024, 2)):
            for label, binary in builds:
                hashed, took, rss, _ = transfer(binary, workdir,
                                                "loop-%s-%d-%d%s" % (tls, chunk, n, label.strip()),
                                                src, tls=tls, chunk_kib=chunk, in_flight=n)
                print("  %scharla %-9s %4d KiB chunks, %d in flight %7.1f MB/s (%.2f s; offer "
                      "after %.2f s of hashing) = %.3fx curl"
                      % (label, "TLS" if tls else "plaintext", chunk, n, size / MB / took, took,
                         hashed, curl / took))
        print("  curl -T (HTTP sink) %7.1f MB/s (%.2f s, best of 3)" % (size / MB / curl, curl))

        capped = os.path.join(workdir, "capped.bin")
        with open(capped, "wb") as f:
            for _ in range(args.capped_mb * MB // (1 << 20)):
                f.write(os.urandom(1 << 20))
        cap = 12_500_000
        csize = os.path.getsize(capped)
        for chunk, n in ((128, 1), (128, 2), (1024, 1), (1024, 2)):
            for label, binary in builds:
                _, took, _, _ = transfer(binary, workdir,
                                         "capped-%d-%d%s" % (chunk, n, label.strip()), capped,
                                         proxy_rate=cap, chunk_kib=chunk, in_flight=n)
                print("%s100 Mbit/s cap (faultproxy, TLS, %.0f MB file, %d KiB chunks, %d in "
                      "flight): %.2f MB/s of file bytes = %.1f %% of the cap (%.2f s)"
                      % (label, csize / MB, chunk, n, csize / MB / took, 100 * csize / took / cap,
                         took))

        if not args.skip_rss:
            sparse = os.path.join(workdir, "sparse.bin")
            with open(sparse, "wb") as f:
                f.truncate(int(args.rss_gb * 1024 ** 3))
            os.remove(src)
            os.remove(capped)
            _, took, rss, _ = transfer(builds[0][1], workdir, "rss", sparse, tls=True, timeout=1800,
                                       chunk_kib=args.rss_chunk_kib)
            print("%.1f GiB sparse file (TLS, %d KiB chunks): %.1f MB/s; peak RSS sender %.0f MB, "
                  "receiver %.0f MB" % (args.rss_gb, args.rss_chunk_kib,
                                        args.rss_gb * 1024 ** 3 / MB / took, rss[0], rss[1]))


if __name__ == "__main__":
    main()
