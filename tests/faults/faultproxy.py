#!/usr/bin/env python3
"""A small TCP fault proxy for Charla's network-fault tests (standard library only).

The kernel of the test machines has no netem qdisc, so faults are injected here, between two
charla processes: A's --peer is the proxy's port and the proxy forwards every connection to B.

    proxy = FaultProxy(target_port=port_b)      # listens on 127.0.0.1:<proxy.port>
    proxy.start()
    proxy.stall(2000)                           # hold every byte, both directions, for 2 s
    proxy.stall(2000, streams={"video"})        # ... only on the video connection
    proxy.set_delay(50)                         # +50 ms on every chunk (a delay line, no
                                                #   throughput limit)
    proxy.set_rate(200_000)                     # bandwidth cap: bytes/s per direction, shared by
                                                #   all connections (one link)
    proxy.reset()                               # RST on every open connection (SO_LINGER 0)
    proxy.reset(streams={"video"})
    proxy.reset_responses(1, streams={"text"})  # the next response is not forwarded: both
                                                #   sides get an RST instead (a lost ack)
    proxy.set_refuse(True)                      # new connections are reset at once
    proxy.stop()

Each connection is classified by the first XML-RPC method it carries: "video.frame" -> "video",
"audio.frame" -> "audio", "text.send" -> "text", "host.ping"/"host.hello" -> "host", "call.*" ->
"call" (Charla keeps one connection per stream, docs/protocol.md). Faults with `streams=` apply to
those connections only.

It counts the text.send receipts it carries back ("text_delivered", "text_duplicate" in
`counters`), so a test can tell a first delivery from a deduplicated retry.

For measurements the proxy also reads the capture time `ts` of every `video.frame` it forwards
and records (forward time, seq, ts) in `video_frames` (epoch milliseconds): the per-frame latency
at the receiver's socket, including what a stall held back.

Run standalone: faultproxy.py LISTEN_PORT TARGET_PORT, then type commands on stdin:
`stall MS [stream...]`, `delay MS`, `rate BYTES_PER_S` (0 = no cap), `reset [stream...]`,
`refuse on|off`, `status`, `quit`.
"""

import collections
import queue
import re
import socket
import struct
import sys
import threading
import time

CHUNK = 65536
_METHOD_RE = re.compile(rb"<methodName>\s*([A-Za-z0-9_.]+)\s*</methodName>")
_SEQ_RE = re.compile(rb"<name>seq</name>\s*<value>\s*<(?:i4|int)>(-?\d+)</(?:i4|int)>")
_RECEIPT_RE = re.compile(rb"<string>(delivered|duplicate)</string>")
_TS_RE = re.compile(rb"<name>ts</name>\s*<value>\s*<double>([-0-9.eE+]+)</double>")


def stream_of(method):
    if method.startswith("call."):
        return "call"
    head = method.split(".", 1)[0]
    return {"video": "video", "audio": "audio", "text": "text", "host": "host",
            "system": "host"}.get(head, head)


def _abort(sock):
    """Closes a socket with an RST instead of a FIN (SO_LINGER on, 0 s)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RD)  # wakes a thread blocked in recv; sends nothing
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class _Bucket:
    """A token bucket shared by all connections of one direction (one link)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rate = 0  # bytes/s, 0 = unlimited
        self.tokens = 0.0
        self.last = time.monotonic()

    def set_rate(self, rate):
        with self.lock:
            self.rate = rate
            self.tokens = 0.0
            self.last = time.monotonic()

    def take(self, n, alive):
        """Blocks until n bytes may be sent (n <= a few KiB)."""
        while alive():
            with self.lock:
                if self.rate <= 0:
                    return
                now = time.monotonic()
                # at most 20 ms of burst
                self.tokens = min(self.tokens + (now - self.last) * self.rate,
                                  max(self.rate * 0.02, n))
                self.last = now
                if self.tokens >= n:
                    self.tokens -= n
                    return
                wait = (n - self.tokens) / self.rate
            time.sleep(min(wait, 0.05))


class _Pump:
    """One direction of one connection: a reader thread and a writer thread with a delay line."""

    def __init__(self, proxy, conn, src, dst, upstream):
        self.proxy = proxy
        self.conn = conn
        self.src = src
        self.dst = dst
        self.upstream = upstream  # True: client -> target (requests)
        self.queue = queue.Queue()
        self.tail = b""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.writer = threading.Thread(target=self._write, daemon=True)

    def start(self):
        self.reader.start()
        self.writer.start()

    def _read(self):
        while not self.conn.dead:
            try:
                data = self.src.recv(CHUNK)
            except OSError:
                data = b""
            if not data:
                self.queue.put(None)  # orderly end: pass the FIN on after the queued bytes
                return
            now = time.monotonic()
            frame = None
            if self.upstream:
                scan = self.tail + data
                if self.conn.stream is None:
                    m = _METHOD_RE.search(scan)
                    if m:
                        self.conn.set_stream(stream_of(m.group(1).decode("ascii", "replace")))
                if self.conn.stream == "video":
                    m = _TS_RE.search(scan)
                    if m:
                        seqs = _SEQ_RE.findall(scan)
                        frame = (int(seqs[-1]) if seqs else -1, float(m.group(1)))
                        scan = scan[m.end():]
                self.tail = scan[-256:]
            elif self.conn.stream == "text":
                # text.send receipts, to tell a first delivery from a deduplicated retry
                scan = self.tail + data
                for status in _RECEIPT_RE.findall(scan):
                    self.proxy.count("text_" + status.decode("ascii"))
                self.tail = scan[-64:] if not _RECEIPT_RE.search(scan[-64:]) else b""
            self.queue.put((now + self.proxy.delay_s, data, frame))

    def _write(self):
        bucket = self.proxy.buckets[0 if self.upstream else 1]
        alive = lambda: not self.conn.dead
        while not self.conn.dead:
            try:
                item = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if item is None:
                try:
                    self.dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                self.conn.half_closed()
                return
            due, data, frame = item
            while not self.conn.dead:  # the delay line, then any stall
                now = time.monotonic()
                hold = max(due, self.proxy.stalled_until(self.conn.stream)) - now
                if hold <= 0:
                    break
                time.sleep(min(hold, 0.01))
            if self.conn.dead:
                return
            if not self.upstream and self.proxy.take_response_reset(self.conn.stream):
                self.conn.abort("lost response")
                return
            view = memoryview(data)
            try:
                while view:
                    piece = view[:4096] if bucket.rate > 0 else view
                    bucket.take(len(piece), alive)
                    sent = self.dst.send(piece)
                    view = view[sent:]
            except OSError:
                self.conn.abort(None)
                return
            if frame is not None:
                self.proxy.record_frame(frame)


class _Connection:
    def __init__(self, proxy, client, target):
        self.proxy = proxy
        self.client = client
        self.target = target
        self.stream = None
        self.dead = False
        self.lock = threading.Lock()
        self.closing = 0
        self.up = _Pump(proxy, self, client, target, True)
        self.down = _Pump(proxy, self, target, client, False)

    def set_stream(self, stream):
        self.stream = stream
        self.proxy.count("connections_" + stream)

    def start(self):
        self.up.start()
        self.down.start()

    def half_closed(self):
        with self.lock:
            self.closing += 1
            done = self.closing >= 2
        if done:
            self.close()

    def close(self):
        with self.lock:
            if self.dead:
                return
            self.dead = True
        for s in (self.client, self.target):
            try:
                s.close()
            except OSError:
                pass
        self.proxy.forget(self)

    def abort(self, why):
        with self.lock:
            if self.dead:
                return
            self.dead = True
        if why:
            self.proxy.count("resets")
        _abort(self.client)
        _abort(self.target)
        self.proxy.forget(self)


class FaultProxy:
    def __init__(self, target_port, target_host="127.0.0.1", listen_port=0):
        self.target = (target_host, target_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", listen_port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.delay_s = 0.0
        self.buckets = (_Bucket(), _Bucket())
        self.refuse = False
        self._lock = threading.Lock()
        self._stalls = {}  # stream or None (all) -> monotonic end
        self._response_resets = collections.Counter()
        self._connections = set()
        self._running = False
        self.counters = collections.Counter()
        self.video_frames = []  # (forwarded at epoch ms, seq, ts epoch ms)
        self.stall_log = []  # (start epoch ms, end epoch ms, streams)

    # --- control ----------------------------------------------------------------------------
    def start(self):
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        self._running = False
        try:
            self.listener.close()
        except OSError:
            pass
        for conn in self.connections():
            conn.close()

    def set_delay(self, ms):
        self.delay_s = ms / 1000.0

    def set_rate(self, bytes_per_second):
        for b in self.buckets:
            b.set_rate(bytes_per_second)

    def stall(self, ms, streams=None):
        """Holds every byte (both directions) for `ms` from now; returns at once."""
        end = time.monotonic() + ms / 1000.0
        with self._lock:
            for s in (streams or [None]):
                self._stalls[s] = max(self._stalls.get(s, 0.0), end)
        now = time.time() * 1000.0
        self.stall_log.append((now, now + ms, sorted(streams) if streams else ["all"]))

    def unstall(self):
        with self._lock:
            self._stalls.clear()

    def reset(self, streams=None):
        """Aborts open connections with an RST to both ends; returns how many."""
        victims = [c for c in self.connections() if streams is None or c.stream in streams]
        for c in victims:
            c.abort("reset")
        return len(victims)

    def reset_responses(self, count, streams=None):
        with self._lock:
            for s in (streams or [None]):
                self._response_resets[s] += count

    def set_refuse(self, on):
        self.refuse = on

    # --- state ------------------------------------------------------------------------------
    def connections(self):
        with self._lock:
            return list(self._connections)

    def forget(self, conn):
        with self._lock:
            self._connections.discard(conn)

    def count(self, what):
        with self._lock:
            self.counters[what] += 1

    def stalled_until(self, stream):
        with self._lock:
            return max(self._stalls.get(None, 0.0), self._stalls.get(stream, 0.0)
                       if stream else 0.0)

    def take_response_reset(self, stream):
        with self._lock:
            for key in (stream, None):
                if self._response_resets.get(key, 0) > 0:
                    self._response_resets[key] -= 1
                    self.counters["lost_responses"] += 1
                    return True
        return False

    def record_frame(self, frame):
        seq, ts = frame
        self.video_frames.append((time.time() * 1000.0, seq, ts))

    def status(self):
        return {"port": self.port, "target": self.target, "delay_ms": self.delay_s * 1000,
                "rate": self.buckets[0].rate, "refuse": self.refuse,
                "open": sorted(str(c.stream) for c in self.connections()),
                "counters": dict(self.counters), "video_frames": len(self.video_frames)}

    # --- accept -----------------------------------------------------------------------------
    def _accept(self):
        while self._running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.count("accepted")
            if self.refuse:
                self.count("refused")
                _abort(client)
                continue
            try:
                target = socket.create_connection(self.target, timeout=2.0)
                target.settimeout(None)
            except OSError:
                self.count("target_unreachable")
                _abort(client)
                continue
            for s in (client, target):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(self, client, target)
            with self._lock:
                self._connections.add(conn)
            conn.start()


def main():
    if len(sys.argv) != 3:
        print("usage: faultproxy.py LISTEN_PORT TARGET_PORT", file=sys.stderr)
        return 2
    proxy = FaultProxy(int(sys.argv[2]), listen_port=int(sys.argv[1])).start()
    print("listening on 127.0.0.1:%d -> %s:%d" % (proxy.port, *proxy.target), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd, args = words[0], words[1:]
        try:
            if cmd == "stall":
                proxy.stall(float(args[0]), set(args[1:]) or None)
            elif cmd == "delay":
                proxy.set_delay(float(args[0]))
            elif cmd == "rate":
                proxy.set_rate(float(args[0]))
            elif cmd == "reset":
                print("reset %d connections" % proxy.reset(set(args) or None))
            elif cmd == "refuse":
                proxy.set_refuse(args[0] == "on")
            elif cmd == "status":
                print(proxy.status())
            elif cmd == "quit":
                break
            else:
                print("unknown command %r" % cmd)
        except (IndexError, ValueError) as e:
            print("bad arguments: %s" % e)
        sys.stdout.flush()
    proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
