#!/usr/bin/env python3
"""files.e2e: two real Charlas (and, where a foreign or hostile peer is needed, a Python peer
speaking docs/protocol-files.md) exchange files: both ways, decline, cancel, resume after a cut
and after a SIGKILL of the receiver, and every hostile case of issue 15 gets a clear refusal that
changes nothing.

Usage: files_e2e_test.py PATH_TO_CHARLA [WORKDIR] [--only NAME]

A sends with `--send-file PATH`; receivers accept automatically (`files.auto_accept_mb`) unless a
check says otherwise. Files land in `files.download_dir` (one scenario uses $XDG_DOWNLOAD_DIR).
The receivers' SQLite stores are read to see transfer states.
"""

import base64
import glob
import hashlib
import os
import random
import re
import socketserver
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import xmlrpc.client
import xmlrpc.server

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "faults"), os.path.join(HERE, "..", "support")]
from faultproxy import FaultProxy  # noqa: E402
from charla_harness import (Charla, Skipped, expect, expect_fault, free_ports,  # noqa: E402
                            run_scenario, wait_for)

MiB = 1 << 20
ONLY = None
if "--only" in sys.argv:
    i = sys.argv.index("--only")
    ONLY = sys.argv[i + 1]
    del sys.argv[i:i + 2]


def make_file(path, size, seed):
    rnd = random.Random(seed)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, MiB)
            f.write(rnd.randbytes(n))
            left -= n
    return sha256_of(path)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


def downloads(c):
    return os.path.join(c.root, "downloads")


def files_in(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def transfers(c):
    """[(id, direction, name, size, state, reason, offset)] from c's transfer store."""
    paths = glob.glob(os.path.join(glob.escape(c.root), "data", "charla", "plugin-data", "files",
                                   "transfers-*.sqlite"))
    if not paths:
        return []
    try:
        db = sqlite3.connect("file:%s?mode=ro" % paths[0], uri=True, timeout=2.0)
        try:
            return db.execute("SELECT id, direction, name, size, state, reason, offset FROM "
                              "transfers ORDER BY seq").fetchall()
        finally:
            db.close()
    except sqlite3.OperationalError:
        return []


STATES = ["hashing", "offering", "offered", "transferring", "paused", "done", "declined",
          "cancelled", "failed"]


def state_of(c, direction):
    rows = [r for r in transfers(c) if r[1] == direction]
    return (STATES[rows[-1][4]], rows[-1][5]) if rows else (None, None)


OUT, IN = 0, 1


def nice_by_thread_name(pid):
    """{thread name: [the nice value of each thread of that name]} of a running process."""
    found = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        found.setdefault(name, []).append(int(stat[stat.rindex(")") + 2:].split()[16]))
    return found


def charla(binary, workdir, name, port, peer, auto_mb=100, extra=()):
    root = os.path.join(workdir, name)
    args = ["--plugin-option", "files.download_dir=" + os.path.join(root, "downloads"),
            "--plugin-option", "files.auto_accept_mb=%d" % auto_mb] + list(extra)
    c = Charla(binary, workdir, name, port, peer, args)
    c.wait_serving()
    return c


class PyPeer:
    """A foreign Charla contact in Python: serves files.* (and stubs of host.*) on its port, and
    records what the Charla under test called. `serve_file` makes it a sender."""

    def __init__(self, port):
        self.calls = []
        self.file = None  # (id, bytes) served by files.read
        self.corrupt_offset = False
        self.read_delay = 0.0  # seconds each files.read takes (reads overlap if asked so)
        self.offer_gate = None  # a threading.Event files.offer waits for before it answers
        self.short_at = None  # offset whose read answers half the bytes asked
        self.files_off = False  # its Files plugin switched off: files.* are unknown methods
        self.reading = 0
        self.most_reading = 0  # the most files.read calls served at once
        self.lock = threading.Lock()
        outer = self

        class Server(socketserver.ThreadingMixIn, xmlrpc.server.SimpleXMLRPCServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", port), logRequests=False, allow_none=True)

        def record(name):
            def handler(*args):
                outer.calls.append((name, args))
                if outer.files_off and name.startswith("files."):
                    raise xmlrpc.client.Fault(-32601, "unknown method '%s'" % name)
                if name == "files.read":
                    return outer.read(args[0])
                if name == "files.offer" and outer.offer_gate:
                    outer.offer_gate.wait(20)  # its answer still on its way
                if name in ("host.hello", "host.ping"):
                    return {"app": "pypeer", "version": "1", "protocol": 1, "user": "Py",
                            "plugins": []}
                return {"status": "ok", "state": "offered"}
            return handler

        for name in ("files.offer", "files.answer", "files.read", "files.pause", "files.cancel",
                     "files.done", "host.hello", "host.ping"):
            self.server.register_function(record(name), name)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def read(self, args):
        tid, data = self.file
        if args["id"] != tid:
            raise xmlrpc.client.Fault(481, "no such transfer")
        offset = int(args["offset"])
        with self.lock:
            self.reading += 1
            self.most_reading = max(self.most_reading, self.reading)
        time.sleep(self.read_delay)
        with self.lock:
            self.reading -= 1
        length = args["length"] // 2 if offset == self.short_at else args["length"]
        chunk = data[offset:offset + length]
        if self.corrupt_offset:
            offset += 1
        return {"offset": float(offset), "data": xmlrpc.client.Binary(chunk)}

    def called(self, name):
        return [a for n, a in self.calls if n == name]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def main():
    binary = os.path.abspath(sys.argv[1])
    base = sys.argv[2] if len(sys.argv) > 2 else None
    from charla_harness import make_workdir
    workdir, cleanup = make_workdir(base, "charla-files-")
    os.makedirs(workdir, exist_ok=True)
    started = []  # every Charla made, for stopping and log dumps
    peers = []

    def new(*args, **kw):
        c = charla(binary, *args, **kw)
        started.append(c)
        return c

    def fresh(tag):
        d = os.path.join(workdir, tag)
        os.makedirs(d, exist_ok=True)
        return d

    def with_python_peer(d, extra=(), offer_gate=None, files_off=False):
        """Alice, a Charla in directory d, whose contact is a Python peer: (Alice, peer)."""
        pa, pb = free_ports(2)
        peer = PyPeer(pb)
        peer.offer_gate = offer_gate
        peer.files_off = files_off
        peers.append(peer)
        return new(d, "Alice", pa, pb, extra=list(extra)), peer

    def offering_to_python_peer(tag, name, size, seed, offer_gate=None):
        """Alice offers a new file to a Python peer: (the file, Alice, peer, the offer)."""
        d = fresh(tag)
        src = os.path.join(d, name)
        make_file(src, size, seed)
        a, peer = with_python_peer(d, extra=["--send-file", src], offer_gate=offer_gate)
        expect(wait_for(lambda: peer.called("files.offer"), 10), "no offer reached the peer")
        if not offer_gate:  # and Alice has its answer (her control thread runs at nice 10)
            expect(wait_for(lambda: state_of(a, OUT)[0] != "offering", 10),
                   "Alice did not take the offer's answer: %s" % (state_of(a, OUT),))
        return src, a, peer, peer.called("files.offer")[0][0]

    def both_ways():
        d = fresh("both")
        pa, pb = free_ports(2)
        src_a = os.path.join(d, "report.bin")
        sha_a = make_file(src_a, 3 * MiB + 12345, 1)
        # A real PNG picture from B to A.
        src_b = os.path.join(d, "picture.png")
        with open(src_b, "wb") as f:
            f.write(base64.b64decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="))
        sha_b = sha256_of(src_b)
        # B finds its download directory through $XDG_DOWNLOAD_DIR (+ "Charla").
        xdg = os.path.join(d, "xdg-downloads")
        a = new(d, "Alice", pa, pb, extra=["--send-file", src_a])
        os.environ["XDG_DOWNLOAD_DIR"] = xdg
        try:
            b = Charla(binary, d, "Bob", pb, pa,
                       ["--plugin-option", "files.auto_accept_mb=100", "--send-file", src_b])
            started.append(b)
            b.wait_serving()
        finally:
            del os.environ["XDG_DOWNLOAD_DIR"]
        got_b = os.path.join(xdg, "Charla", "report.bin")
        got_a = os.path.join(downloads(a), "picture.png")
        expect(wait_for(lambda: os.path.exists(got_b) and os.path.exists(got_a), 20),
               "files did not arrive: B has %s, A has %s; states A %s B %s" %
               (files_in(os.path.join(xdg, "Charla")), files_in(downloads(a)), transfers(a),
                transfers(b)))
        expect(sha256_of(got_b) == sha_a, "B's copy differs from A's file")
        expect(sha256_of(got_a) == sha_b, "A's copy of the picture differs")
        expect(files_in(os.path.join(xdg, "Charla")) == ["report.bin"],
               "B's download directory holds %s" % files_in(os.path.join(xdg, "Charla")))
        # Both senders hear the result.
        expect(wait_for(lambda: state_of(a, OUT)[0] == "done" and state_of(b, OUT)[0] == "done",
                        10), "senders not told: A %s, B %s" % (state_of(a, OUT), state_of(b, OUT)))

    def collision_and_sanitizing():
        # A foreign sender offers hostile names; the files land sanitized, never overwriting.
        d = fresh("names")
        a, peer = with_python_peer(d)
        rpc = a.rpc_as_contact()
        os.makedirs(downloads(a), exist_ok=True)
        with open(os.path.join(downloads(a), "passwd"), "wb") as f:
            f.write(b"already here")
        data = b"hello world\n"
        sha = hashlib.sha256(data).hexdigest()
        for n, name in enumerate(["../../passwd", "passwd", ".hidden", "CON.txt",
                                   "a\tb\u202egnp.exe"]):
            tid = "name-%d" % n
            peer.file = (tid, data)
            r = rpc.files.offer({"id": tid, "name": name, "size": len(data), "sha256": sha})
            expect(r["status"] == "offered", "offer %r: %r" % (name, r))
            expect(wait_for(lambda: [t for t in transfers(a) if t[0] == tid and t[4] == 5], 10),
                   "offer %r not received: %s" % (name, transfers(a)))
        got = files_in(downloads(a))
        expect(got == sorted(["passwd", "_.._passwd", "passwd (2)", "hidden", "_CON.txt",
                             "a bgnp.exe"]),
               "download directory holds %r" % got)
        expect(open(os.path.join(downloads(a), "passwd"), "rb").read() == b"already here",
               "an existing file was overwritten")
        expect(not os.path.exists(os.path.join(d, "passwd")), "a name escaped the directory")

    def decline_and_hostile_reads():
        # Charla sends to a Python receiver, which declines; reads afterwards are refused.
        src, a, peer, offer = offering_to_python_peer("decline", "secret.bin", 2 * MiB, 2)
        expect(offer["name"] == "secret.bin" and offer["size"] == 2 * MiB and
               offer["sha256"] == sha256_of(src), "offer %r" % offer)
        rpc = a.rpc_as_contact()
        tid = offer["id"]
        # Hostile reads while offered: bad offsets and lengths, unknown ids.
        expect_fault(-32602, lambda: rpc.files.read({"id": tid, "offset": -1.0, "length": 10}),
                     "negative offset")
        expect_fault(-32602, lambda: rpc.files.read({"id": tid, "offset": 2.0 * MiB + 1,
                                                     "length": 10}), "offset past the end")
        expect_fault(-32602, lambda: rpc.files.read({"id": tid, "offset": 0.5, "length": 10}),
                     "fractional offset")
        expect_fault(-32602, lambda: rpc.files.read({"id": tid, "offset": 0, "length": 0}),
                     "zero length")
        expect_fault(-32602, lambda: rpc.files.read({"id": tid, "offset": 0,
                                                     "length": 2 * MiB}), "length over 1 MiB")
        expect_fault(481, lambda: rpc.files.read({"id": "nope", "offset": 0, "length": 10}),
                     "unknown id")
        expect_fault(-32602, lambda: rpc.files.read({"id": "../x", "offset": 0, "length": 10}),
                     "bad id")
        expect(state_of(a, OUT)[0] == "offered", "hostile reads changed the state: %s" %
               (state_of(a, OUT),))
        rpc.files.answer({"id": tid, "accept": False})
        expect(state_of(a, OUT)[0] == "declined", "not declined: %s" % (state_of(a, OUT),))
        f = expect_fault(481, lambda: rpc.files.read({"id": tid, "offset": 0, "length": 10}),
                         "read after decline")
        expect("declined" in f.faultString, "fault says %r" % f.faultString)

    def pause_by_receiver_then_read():
        # A receiver's reads may overtake its notices (each travels on a connection of its own)
        # and must be served, not refused. A read before the answer to the offer is back is an
        # acceptance: Charla's own receiver, accepting automatically, starts reading at once
        # (a fresh-root CI run failed "files.read: no transfer ... here" that way). Then the
        # receiver pauses (A hears files.pause) and resumes: its next read overtakes the resume.
        gate = threading.Event()
        src, a, peer, offer = offering_to_python_peer("pause", "notes.bin", 1 * MiB, 6,
                                                      offer_gate=gate)
        tid = offer["id"]
        rpc = a.rpc_as_contact()
        try:
            r = rpc.files.read({"id": tid, "offset": 0, "length": 1000})
            expect(r["data"].data == open(src, "rb").read(1000), "wrong bytes before the answer")
            expect(state_of(a, OUT)[0] == "transferring", "A: %s" % (state_of(a, OUT),))
        finally:
            gate.set()
        rpc.files.answer({"id": tid, "accept": True})  # late: changes nothing
        expect(state_of(a, OUT)[0] == "transferring", "A: %s" % (state_of(a, OUT),))
        rpc.files.pause({"id": tid, "paused": True})
        expect(state_of(a, OUT)[0] == "paused", "A: %s" % (state_of(a, OUT),))
        r = rpc.files.read({"id": tid, "offset": 0, "length": 1000})
        expect(r["data"].data == open(src, "rb").read(1000), "wrong bytes after the resume")
        expect(state_of(a, OUT)[0] == "transferring", "A: %s" % (state_of(a, OUT),))

    def hostile_offers():
        a, peer = with_python_peer(fresh("offers"))
        rpc = a.rpc_as_contact()
        good = {"id": "x1", "name": "a.txt", "size": 10, "sha256": "0" * 64}

        def offer(**changes):
            o = dict(good)
            o.update(changes)
            return lambda: rpc.files.offer(o)
        expect_fault(-32602, offer(size=-1), "negative size")
        expect_fault(-32602, offer(size=2.0 ** 50), "absurd size")
        f = expect_fault(413, offer(size=2.0 ** 39), "larger than the free disk")
        expect("free" in f.faultString, "413 says %r" % f.faultString)
        expect_fault(-32602, offer(sha256="zz" * 32), "bad hash")
        expect_fault(-32602, offer(name=""), "empty name")
        expect_fault(-32602, offer(id=""), "empty id")
        expect_fault(-32602, offer(name="x" * 2000), "long name")
        expect_fault(-32602, lambda: rpc.files.offer("not a struct"), "not a struct")
        expect(transfers(a) == [], "refused offers left rows: %s" % transfers(a))
        for method, args in (("files.answer", {"id": "ghost", "accept": True}),
                             ("files.pause", {"id": "ghost", "paused": True}),
                             ("files.cancel", {"id": "ghost"}),
                             ("files.done", {"id": "ghost", "status": "received"})):
            expect_fault(481, lambda: getattr(rpc, method)(args), method + " for an unknown id")
        expect(files_in(downloads(a)) == [], "refusals left files: %s" % files_in(downloads(a)))

    def damaged_and_malformed():
        # A foreign sender whose bytes do not match the offered hash: the transfer fails, the
        # .part is removed, nothing appears, the sender is told.
        a, peer = with_python_peer(fresh("damaged"))
        rpc = a.rpc_as_contact()
        data = os.urandom(3 * MiB)
        peer.file = ("bad1", data)
        rpc.files.offer({"id": "bad1", "name": "bad.bin", "size": float(len(data)),
                         "sha256": hashlib.sha256(b"other").hexdigest()})
        expect(wait_for(lambda: state_of(a, IN)[0] == "failed", 15),
               "a damaged file was not failed: %s" % (state_of(a, IN),))
        expect("SHA-256" in state_of(a, IN)[1], "reason %r" % state_of(a, IN)[1])
        expect(files_in(downloads(a)) == [], "left %s" % files_in(downloads(a)))
        expect(wait_for(lambda: [c for c in peer.called("files.done")
                                 if c[0]["id"] == "bad1" and c[0]["status"] == "failed"], 10),
               "the sender was not told of the failure: %s" % peer.calls[-3:])
        # Chunks at another offset than asked: failed as malformed, nothing kept.
        peer.file = ("bad2", data)
        peer.corrupt_offset = True
        rpc.files.offer({"id": "bad2", "name": "shifted.bin", "size": float(len(data)),
                         "sha256": hashlib.sha256(data).hexdigest()})
        expect(wait_for(lambda: state_of(a, IN)[0] == "failed" and transfers(a)[-1][0] == "bad2",
                        15), "shifted chunks not failed: %s" % transfers(a))
        expect("malformed" in state_of(a, IN)[1], "reason %r" % state_of(a, IN)[1])
        expect(files_in(downloads(a)) == [], "left %s" % files_in(downloads(a)))
        expect(a.running(), "Charla died")

    def two_reads_in_flight():
        # The receiver keeps two files.read outstanding (each on a connection of its own) and
        # writes in offset order; a short answer mid-file (allowed) is followed by a read from
        # where it ended. The file arrives whole, its hash checked.
        a, peer = with_python_peer(fresh("inflight"))
        rpc = a.rpc_as_contact()
        data = os.urandom(2 * MiB + 12345)
        peer.file = ("two1", data)
        peer.read_delay = 0.05  # long enough for the second read to arrive during the first
        peer.short_at = 4 * 128 * 1024
        rpc.files.offer({"id": "two1", "name": "two.bin", "size": float(len(data)),
                         "sha256": hashlib.sha256(data).hexdigest()})
        # Transfer work runs at a lower CPU priority, the rest of Charla (a call) does not:
        # the worker, its two read threads, the control worker.
        expect(wait_for(lambda: peer.called("files.read"), 10), "no read: %s" % (transfers(a),))
        nice = nice_by_thread_name(a.process.pid)
        expect(len(nice.get("files-receiver", [])) == 3 and
               set(nice["files-receiver"] + nice.get("files-control", [])) == {10},
               "transfer threads not at nice 10 (charla/sdk/background_thread.h): %s" % nice)
        expect(set(nice.get("charla", [])) == {0}, "Charla's main thread reniced: %s" % nice)
        target = os.path.join(downloads(a), "two.bin")
        expect(wait_for(lambda: os.path.exists(target), 30),
               "not received: %s" % (transfers(a),))
        expect(sha256_of(target) == hashlib.sha256(data).hexdigest(), "received damaged")
        expect(peer.most_reading == 2,
               "reads in flight at most %d, expected 2" % peer.most_reading)
        offsets = [int(c[0]["offset"]) for c in peer.called("files.read")]
        expect(peer.short_at + 64 * 1024 in offsets,
               "no read from where the short answer ended: %s" % offsets)

    def contact_plugin_off():
        # The contact switches its Files plugin off and on again: meanwhile files.* are unknown
        # methods there (-32601). Alice's offer waits for the plugin instead of failing, and a
        # file she is receiving keeps its .part and goes on from there.
        d = fresh("plugin-off")
        src = os.path.join(d, "mine.bin")
        make_file(src, 100000, 7)
        # Her offer meets the plugin off.
        a, peer = with_python_peer(d, extra=["--send-file", src], files_off=True)
        expect(wait_for(lambda: len(peer.called("files.offer")) >= 2, 10),
               "the offer was not tried again: %s" % (transfers(a),))
        expect(state_of(a, OUT)[0] == "offering", "Alice's offer: %s" % (state_of(a, OUT),))
        peer.files_off = False
        expect(wait_for(lambda: state_of(a, OUT)[0] == "offered", 10),
               "the offer did not arrive once the plugin was on: %s" % (state_of(a, OUT),))

        data = os.urandom(4 * MiB)
        peer.file = ("off1", data)
        peer.read_delay = 0.1
        a.rpc_as_contact().files.offer({"id": "off1", "name": "off.bin",
                                        "size": float(len(data)),
                                        "sha256": hashlib.sha256(data).hexdigest()})
        expect(wait_for(lambda: len(peer.called("files.read")) >= 4, 10),
               "no reads: %s" % (transfers(a),))
        peer.files_off = True
        reads = len(peer.called("files.read"))
        expect(wait_for(lambda: len(peer.called("files.read")) >= reads + 3, 10),
               "reads not asked again while the plugin was off: %s" % (transfers(a),))
        parts = [n for n in files_in(downloads(a)) if n.endswith(".part")]
        expect(state_of(a, IN)[0] == "transferring" and len(parts) == 1,
               "while the contact's plugin was off: %s, downloads %s" %
               (state_of(a, IN), files_in(downloads(a))))
        peer.files_off = False
        target = os.path.join(downloads(a), "off.bin")
        expect(wait_for(lambda: os.path.exists(target), 30),
               "not received once the plugin was on: %s" % (state_of(a, IN),))
        expect(sha256_of(target) == hashlib.sha256(data).hexdigest(), "received damaged")

    def cancel_by_sender():
        d = fresh("cancel")
        pa, pb = free_ports(2)
        # B pulls from A: B's calls (and the file bytes coming back) go through the proxy.
        proxy = FaultProxy(pa).start()
        proxy.set_rate(2_000_000)
        src = os.path.join(d, "big.bin")
        make_file(src, 24 * MiB, 3)
        b = new(d, "Bob", pb, proxy.port)
        a = new(d, "Alice", pa, pb, extra=["--send-file", src])
        has_part = lambda: any(n.endswith(".part") for n in files_in(downloads(b)))  # noqa: E731
        expect(wait_for(has_part, 15),
               "no transfer started: %s %s" % (transfers(a), transfers(b)))
        tid = transfers(a)[-1][0]
        # What A's Cancel button sends B: B stops and removes the .part at once.
        b.rpc_as_contact().files.cancel({"id": tid, "reason": "wrong file"})
        expect(state_of(b, IN)[0] == "cancelled", "B: %s" % (state_of(b, IN),))
        expect(not has_part(), "B kept %s after the cancel" % files_in(downloads(b)))
        # A second file, cancelled by B's Cancel button as it reaches A: A stops serving it and
        # B's next read ends it there too.
        src2 = os.path.join(d, "big2.bin")
        make_file(src2, 24 * MiB, 5)
        a.kill()
        a.start(["--plugin-option", "files.download_dir=" + downloads(a),
                 "--plugin-option", "files.auto_accept_mb=100", "--send-file", src2])
        a.wait_serving()
        expect(wait_for(lambda: has_part() and len(transfers(a)) == 2, 15),
               "the second transfer did not start: %s %s" % (transfers(a), transfers(b)))
        tid2 = transfers(a)[-1][0]
        a.rpc_as_contact().files.cancel({"id": tid2, "reason": "changed my mind"})
        expect(state_of(a, OUT)[0] == "cancelled", "A: %s" % (state_of(a, OUT),))
        expect(wait_for(lambda: state_of(b, IN)[0] == "failed", 10), "B: %s" % (state_of(b, IN),))
        expect("cancelled" in state_of(b, IN)[1], "B's reason: %r" % state_of(b, IN)[1])
        expect(wait_for(lambda: files_in(downloads(b)) == [], 5),
               "B kept %s" % files_in(downloads(b)))
        proxy.stop()

    def resume_after_cut_and_kill():
        d = fresh("resume")
        pa, pb = free_ports(2)
        proxy = FaultProxy(pa).start()  # B pulls from A through it
        proxy.set_rate(3_000_000)  # ~2.2 MB/s of file bytes: 20 MiB take ~9 s
        src = os.path.join(d, "movie.bin")
        sha = make_file(src, 20 * MiB, 4)
        b = new(d, "Bob", pb, proxy.port)
        a = new(d, "Alice", pa, pb, extra=["--send-file", src])
        part = lambda: [n for n in files_in(downloads(b)) if n.endswith(".part")]  # noqa: E731

        def part_size():
            p = part()
            return os.path.getsize(os.path.join(downloads(b), p[0])) if p else 0
        expect(wait_for(lambda: part_size() > 4 * MiB, 20), "no progress: %s" % transfers(b))
        # Every connection RST mid-transfer: a network cut. A read cut before its answer began
        # is sent again by libcurl on a new connection (reads are idempotent); one cut mid-answer
        # fails, and B asks again from its synced offset ("resuming ... at N", never 0).
        cut = proxy.reset()
        expect(cut > 0, "there was no connection to cut")
        expect(wait_for(lambda: part_size() > 10 * MiB, 20), "no progress after the cut")
        resumed = re.search(r"resuming \S+ at (\d+) of", b.log())
        expect(not resumed or int(resumed.group(1)) > 0, "B started over after the cut")
        b.kill()  # SIGKILL mid-transfer
        killed_at = part_size()
        b.start(["--plugin-option", "files.download_dir=" + downloads(b),
                 "--plugin-option", "files.auto_accept_mb=100"])
        b.wait_serving()
        target = os.path.join(downloads(b), "movie.bin")
        expect(wait_for(lambda: os.path.exists(target), 25),
               "not finished after the restart: %s" % transfers(b))
        expect(sha256_of(target) == sha, "the resumed file differs")
        log = b.log().split("=== start Bob")[-1]
        m = re.search(r"resuming \S+ at (\d+) of", log)
        expect(m and int(m.group(1)) > 0, "B restarted from 0 after the SIGKILL (killed with "
               "%d bytes in the .part):\n%s" % (killed_at, log[-2000:]))
        expect(part() == [], "a .part is left")
        proxy.stop()

    def disk_full():
        if os.geteuid() != 0:
            raise Skipped("needs root to mount a small tmpfs")
        d = fresh("diskfull")
        mnt = os.path.join(d, "small")
        os.makedirs(mnt)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mnt]).returncode:
            raise Skipped("mount -t tmpfs refused")
        try:
            a, peer = with_python_peer(d, extra=["--plugin-option", "files.download_dir=" + mnt])
            rpc = a.rpc_as_contact()
            data = os.urandom(4 * MiB)
            sha = hashlib.sha256(data).hexdigest()
            # Something else fills the disk after the offer was checked against free space.
            with open(os.path.join(mnt, "junk"), "wb") as f:
                f.write(b"\0" * (3 * MiB))
            peer.file = ("full1", data)
            expect_fault(413, lambda: rpc.files.offer(
                {"id": "full0", "name": "big.bin", "size": float(len(data)), "sha256": sha}),
                "an offer larger than the free space")
            os.remove(os.path.join(mnt, "junk"))
            rpc.files.offer({"id": "full1", "name": "big.bin", "size": float(len(data)),
                             "sha256": sha})
            with open(os.path.join(mnt, "junk"), "wb") as f:
                f.write(b"\0" * (3 * MiB))
            expect(wait_for(lambda: state_of(a, IN)[0] == "paused", 15),
                   "not paused on a full disk: %s" % (state_of(a, IN),))
            expect(state_of(a, IN)[1] == "disk full", "reason %r" % state_of(a, IN)[1])
            expect(wait_for(lambda: peer.called("files.pause"), 10), "the sender was not told")
            expect(a.running() and a.rpc_as_contact().host.ping(), "Charla is not serving")
            os.remove(os.path.join(mnt, "junk"))
            rpc.files.pause({"id": "full1", "paused": False})  # the contact resumes it
            target = os.path.join(mnt, "big.bin")
            expect(wait_for(lambda: os.path.exists(target), 15),
                   "not finished after space was freed: %s" % (state_of(a, IN),))
            expect(sha256_of(target) == sha, "the file differs")
        finally:
            for c in started:
                c.stop()
            subprocess.run(["umount", "-l", mnt])

    checks = [("both_ways", both_ways), ("collision_and_sanitizing", collision_and_sanitizing),
              ("decline_and_hostile_reads", decline_and_hostile_reads),
              ("pause_by_receiver_then_read", pause_by_receiver_then_read),
              ("hostile_offers", hostile_offers), ("damaged_and_malformed", damaged_and_malformed),
              ("two_reads_in_flight", two_reads_in_flight),
              ("contact_plugin_off", contact_plugin_off), ("cancel_by_sender", cancel_by_sender),
              ("resume_after_cut_and_kill", resume_after_cut_and_kill), ("disk_full", disk_full)]
    if ONLY:
        checks = [c for c in checks if c[0] == ONLY]

    def stop_between(fn):
        def run():
            try:
                fn()
            finally:
                if sys.exc_info()[0] is not None:
                    from charla_harness import dump_logs
                    dump_logs(*started)
                for c in started:
                    c.stop()
                started.clear()
                for p in peers:
                    p.stop()
                peers.clear()
        return run

    return run_scenario("files.e2e", [(n, stop_between(f)) for n, f in checks],
                        lambda: list(started), cleanups=[cleanup])


if __name__ == "__main__":
    sys.exit(main())
