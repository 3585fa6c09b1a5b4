#!/usr/bin/env python3
"""Two Charla hosts in two network namespaces (10.77.x.1 and 10.77.x.2, port 5000 both), exactly
as users run remote mode: text goes both ways (`--send`, checked in each side's message store)
over TLS, and a capture of every frame on Bob's side (a raw packet socket, as tcpdump's) never
shows a message in clear; the contact may call over HTTPS with its key (Python's ssl module, Bob's
key pinned) but gets nothing over plain HTTP; a connection from a third address (10.77.x.3) is
closed at accept: no byte of it is read and it gets no HTTP answer, not even a fault.
Then a call: Alice's microphone (a private PulseAudio server, its default source a pipe fed with a
known 16-sample pattern) reaches Bob as PCM16 audio datagrams; the pattern never appears in the
capture between two Charlas (sealed datagrams), and the same call with --allow-plaintext on both
sides does show it (so the check can fail).
Only these namespace addresses are ever contacted. Exit 77 (skip) where namespaces are refused."""
import argparse, http.client, os, shutil, sqlite3, subprocess, sys, time, xmlrpc.client

passed = failed = 0
SUPPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support")

# Every frame on one interface, appended to a file until terminated (tcpdump's raw socket).
CAPTURE = """
import signal, socket, sys
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
s.bind((sys.argv[1], 0))
with open(sys.argv[2], "wb") as out:
    print("capturing", flush=True)
    while True:
        out.write(s.recv(65535))
        out.flush()
"""


def check(ok, what):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    return ok


def sh(*cmd, check_rc=True):
    r = subprocess.run(list(cmd), capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr.strip()}")
    return r


class SourceBoundTransport(xmlrpc.client.Transport):
    """An xmlrpc.client transport whose connections leave from a chosen local address."""

    def __init__(self, source_ip):
        super().__init__()
        self.source_ip = source_ip

    def make_connection(self, host):
        self._connection = host, http.client.HTTPConnection(host, timeout=5,
                                                            source_address=(self.source_ip, 0))
        return self._connection[1]


def received(store, body):
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM messages WHERE direction = 1 AND body = ?",
                              (body,)).fetchone()[0]
    except sqlite3.Error:
        return 0


def delivered(store, body):
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM messages WHERE direction = 0 AND status = 1 "
                              "AND body = ?", (body,)).fetchone()[0]
    except sqlite3.Error:
        return 0


def wait_until(pred, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


# A known audio pattern: 16 samples that no codec or silence produces, repeated. Any 16-sample
# stretch of it, in either byte order, found in the capture means audio crossed in clear.
PATTERN = [0x1357, -0x2468, 0x0A0B, -0x3C3D, 0x2E1F, -0x0102, 0x3344, -0x1122,
           0x0F0E, -0x2D2C, 0x1B1A, -0x0908, 0x2726, -0x3534, 0x0605, -0x1F1E]


def pattern_bytes(order):
    one = b"".join(v.to_bytes(2, order, signed=True) for v in PATTERN)
    return [(one * 2)[2 * i:2 * i + len(one)] for i in range(len(PATTERN))]


def pattern_in(frames):
    return any(p in frames for order in ("little", "big") for p in pattern_bytes(order))


FEEDER = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
chunk = bytes.fromhex(sys.argv[2]) * 60  # 960 samples: 20 ms at 48 kHz
fd = os.open(sys.argv[1], os.O_WRONLY)
print("feeding", flush=True)
next_at = time.monotonic()
while True:
    os.write(fd, chunk)
    next_at += 0.02
    time.sleep(max(0.0, next_at - time.monotonic()))
"""


def start_pulse(ns, home):
    """A PulseAudio server (started in `ns`; its unix socket serves both namespaces) whose default
    source is a pipe fed with PATTERN and default sink a null sink; returns (runtime dir,
    processes) or None with the reason printed."""
    runtime = os.path.join(home, "pulse")
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    fifo = os.path.join(runtime, "mic.fifo")  # made by module-pipe-source (it refuses one made)
    env = dict(os.environ, PULSE_RUNTIME_PATH=runtime, XDG_RUNTIME_DIR=runtime, HOME=home)
    server = subprocess.Popen(
        ["ip", "netns", "exec", ns, "pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n",
         "--load=module-native-protocol-unix", "--load=module-null-sink sink_name=nullsink",
         f"--load=module-pipe-source source_name=mic file={fifo} format=s16le rate=48000 "
         "channels=1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = wait_until(lambda: os.path.exists(fifo) and subprocess.run(
        ["ip", "netns", "exec", ns, "pactl", "info"], env=env,
        capture_output=True).returncode == 0, 10)
    if not ready:
        server.terminate()
        print("SKIP audio: pulseaudio does not start here")
        return None
    for args in (["set-default-source", "mic"], ["set-default-sink", "nullsink"]):
        subprocess.run(["ip", "netns", "exec", ns, "pactl", *args], env=env, capture_output=True)
    one = b"".join(v.to_bytes(2, "little", signed=True) for v in PATTERN)
    feeder = subprocess.Popen([sys.executable, "-c", FEEDER, fifo, one.hex()],
                              stdout=subprocess.PIPE, text=True)
    if feeder.stdout.readline().strip() != "feeding":
        print("SKIP audio: cannot feed PulseAudio's pipe source")
        return None
    return runtime, [feeder, server]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--charla", required=True)
    ap.add_argument("--work-dir", required=True)
    a = ap.parse_args()
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("SKIP: needs root and iproute2 to create network namespaces")
        return 77
    tag = str(os.getpid() % 100000)
    net = f"10.77.{os.getpid() % 200 + 1}"
    ns_a, ns_b = f"cha{tag}", f"chb{tag}"
    veth_a, veth_b = f"va{tag}", f"vb{tag}"
    ip_a, ip_b, ip_stranger = f"{net}.1", f"{net}.2", f"{net}.3"
    probe = sh("ip", "netns", "add", ns_a, check_rc=False)
    if probe.returncode != 0:
        print(f"SKIP: cannot create a network namespace here: {probe.stderr.strip()}")
        return 77
    procs = []
    try:
        sh("ip", "netns", "add", ns_b)
        sh("ip", "link", "add", veth_a, "type", "veth", "peer", "name", veth_b)
        sh("ip", "link", "set", veth_a, "netns", ns_a)
        sh("ip", "link", "set", veth_b, "netns", ns_b)
        sh("ip", "-n", ns_a, "addr", "add", f"{ip_a}/24", "dev", veth_a)
        sh("ip", "-n", ns_a, "addr", "add", f"{ip_stranger}/24", "dev", veth_a)
        sh("ip", "-n", ns_b, "addr", "add", f"{ip_b}/24", "dev", veth_b)
        for ns, dev in ((ns_a, veth_a), (ns_b, veth_b)):
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")

        shutil.rmtree(a.work_dir, ignore_errors=True)
        os.makedirs(a.work_dir)
        capture_file = os.path.join(a.work_dir, "capture.bin")
        capture = subprocess.Popen(["ip", "netns", "exec", ns_b, sys.executable, "-c", CAPTURE,
                                    veth_b, capture_file], stdout=subprocess.PIPE, text=True)
        check(capture.stdout.readline().strip() == "capturing", "capturing on Bob's side")
        stores = {}
        keys = {}
        for ns, user, peer in ((ns_b, "Bob", ip_a), (ns_a, "Alice", ip_b)):
            home = os.path.join(a.work_dir, user)
            runtime = os.path.join(home, "runtime")
            os.makedirs(runtime, mode=0o700)
            stores[user] = os.path.join(home, "text.sqlite")
            keys[user] = os.path.join(home, "data", "charla", "identity.pem")
            env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=runtime,
                       XDG_CONFIG_HOME=os.path.join(home, "config"),
                       XDG_DATA_HOME=os.path.join(home, "data"))
            log = open(os.path.join(home, "charla.log"), "w")
            # Remote mode exactly as a user starts it: the contact's IP, port 5000 both sides.
            procs.append((user, log.name, subprocess.Popen(
                ["ip", "netns", "exec", ns, a.charla, "--peer", peer, "--user", user,
                 "--send", f"hello from {user}", "--plugin-option", f"text.store={stores[user]}"],
                env=env, stdout=log, stderr=subprocess.STDOUT)))

        check(wait_until(lambda: received(stores["Bob"], "hello from Alice") == 1, 30),
              "Bob received Alice's message across the namespaces, once")
        check(wait_until(lambda: received(stores["Alice"], "hello from Bob") == 1, 30),
              "Alice received Bob's message across the namespaces, once")
        check(wait_until(lambda: delivered(stores["Alice"], "hello from Alice") == 1, 10),
              "Alice's message is marked delivered")
        check(wait_until(lambda: delivered(stores["Bob"], "hello from Bob") == 1, 10),
              "Bob's message is marked delivered")
        capture.terminate()
        capture.wait(timeout=10)
        with open(capture_file, "rb") as f:
            frames = f.read()
        print(f"captured {len(frames)} bytes on {veth_b}")
        check(len(frames) > 5000 and b"\x16\x03" in frames,
              "the capture holds the conversation (TLS records)")
        check(all(secret not in frames for secret in
                  (b"hello from Alice", b"hello from Bob", b"methodCall", b"POST /RPC2",
                   b"text.send")),
              "no message, call or HTTP header appears in clear on the wire")

        # A third machine on the same network: its connections are closed at accept, before a
        # byte is read, whether it sends nothing or a whole call; nothing changes.
        stranger_script = f"""
import socket, xmlrpc.client
body = xmlrpc.client.dumps(({{'id': '6f1c2a8e-5b7d-4c1e-9a3f-2d4b6c8e0f11',
                              'sent_at': '2026-11-23T22:00:00Z', 'body': 'intruder'}},),
                           'text.send')
request = ('POST /RPC2 HTTP/1.1\\r\\nHost: {ip_b}\\r\\nContent-Type: text/xml\\r\\n'
           f'Content-Length: {{len(body)}}\\r\\n\\r\\n{{body}}').encode()
seen = []
for send_first in (False, True):
    s = socket.create_connection(('{ip_b}', 5000), timeout=5, source_address=('{ip_stranger}', 0))
    try:
        if send_first:
            s.sendall(request)
        seen.append('CLOSED' if s.recv(4096) == b'' else 'ANSWERED')
    except (ConnectionResetError, BrokenPipeError):
        seen.append('CLOSED')
    except socket.timeout:
        seen.append('HELD')
    s.close()
print(*seen)
"""
        stranger = subprocess.run(["ip", "netns", "exec", ns_a, sys.executable, "-c",
                                   stranger_script], capture_output=True, text=True, timeout=30)
        print(stranger.stdout, stranger.stderr)
        check(stranger.stdout.split() == ["CLOSED", "CLOSED"],
              f"connections from the third address {ip_stranger} are closed at accept, "
              "unanswered (silent and with a call)")
        check(received(stores["Bob"], "intruder") == 0, "the stranger's message changed nothing")

        contact = subprocess.run(
            ["ip", "netns", "exec", ns_a, sys.executable, "-c",
             f"import sys; sys.path.insert(0, {SUPPORT!r}); import charla_harness as h; "
             f"print(h.tls_rpc({ip_b!r}, 5000, {keys['Alice']!r}, "
             f"h.ed25519_key_of_pem({keys['Bob']!r}), source_ip={ip_a!r}).host.ping()['app'])"],
            capture_output=True, text=True, timeout=30)
        print(contact.stdout, contact.stderr)
        check(contact.stdout.strip() == "Charla",
              "the contact may call over HTTPS with its key, Bob's key pinned")
        plain = subprocess.run(["ip", "netns", "exec", ns_a, sys.executable, "-c",
                                stranger_script.replace(ip_stranger, ip_a)],
                               capture_output=True, text=True, timeout=30)
        print(plain.stdout, plain.stderr)
        # (Its silent connection waits for a handshake, as any of the contact's may, and is
        # closed at the handshake deadline: the first word is HELD.)
        check(plain.stdout.split()[1:] == ["CLOSED"],
              "a plain HTTP call from the contact's own address gets nothing (TLS only)")
        for user, _, p in procs:
            check(p.poll() is None, f"{user}'s Charla is still running")

        # A call with a known audio pattern, encrypted (the default) and then plain by choice.
        for user, log, p in procs:
            p.terminate()
            p.wait(timeout=10)
        pulse = start_pulse(ns_a, os.path.join(a.work_dir, "Alice"))
        if pulse:
            runtime, helpers = pulse
            procs_audio = []
            try:
                for plaintext in (False, True):
                    audio_round(a, plaintext, ns_a, ns_b, ip_a, ip_b, veth_b, runtime,
                                procs_audio)
            finally:
                for p in helpers + [p for _, _, p in procs_audio]:
                    p.terminate()
                    try:
                        p.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        p.kill()
    finally:
        for user, log, p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
            print(f"--- {user}'s log:\n" + open(log).read())
        for ns in (ns_a, ns_b):
            sh("ip", "netns", "del", ns, check_rc=False)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def audio_round(a, plaintext, ns_a, ns_b, ip_a, ip_b, veth_b, pulse_runtime, procs):
    mode = "plain (--allow-plaintext)" if plaintext else "encrypted"
    name = "plain" if plaintext else "tls"
    capture_file = os.path.join(a.work_dir, f"capture-audio-{name}.bin")
    capture = subprocess.Popen(["ip", "netns", "exec", ns_b, sys.executable, "-c", CAPTURE,
                                veth_b, capture_file], stdout=subprocess.PIPE, text=True)
    check(capture.stdout.readline().strip() == "capturing", f"capturing the {mode} call")
    started = []
    for ns, user, peer, role in ((ns_b, "Bob", ip_a, ["--auto-answer", "--plugin-option",
                                                       "audio.input=none"]),
                                 (ns_a, "Alice", ip_b, ["--call", "--plugin-option",
                                                        "audio.output=none"])):
        home = os.path.join(a.work_dir, user)  # the same keys as the text part: known peers
        runtime = os.path.join(home, "runtime")
        # One sound server for both (a unix socket crosses network namespaces): Alice's
        # microphone is the pattern, Bob's speaker its null sink.
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=runtime,
                   XDG_CONFIG_HOME=os.path.join(home, "config"),
                   XDG_DATA_HOME=os.path.join(home, "data"), PULSE_RUNTIME_PATH=pulse_runtime)
        log = open(os.path.join(home, f"charla-audio-{name}.log"), "w")
        cmd = ["ip", "netns", "exec", ns, a.charla, "--peer", peer, "--user", user,
               "--disable", "video", "--disable", "text", "--plugin-option", "audio.codecs=pcm16",
               "--plugin-option", "audio.processing=off", *role]
        if plaintext:
            cmd.append("--allow-plaintext")
        p = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append((user, log.name, p))
        started.append((user, log.name, p))

    header = bytes([1, 0 if plaintext else 2, 5]) + b"audio"

    def datagrams():
        with open(capture_file, "rb") as f:
            return f.read().count(header)

    flowed = wait_until(lambda: datagrams() >= 250, 40)  # 5 s of 20 ms frames
    capture.terminate()
    capture.wait(timeout=10)
    with open(capture_file, "rb") as f:
        frames = f.read()
    print(f"{mode}: captured {len(frames)} bytes, {frames.count(header)} audio datagrams")
    check(flowed, f"{mode}: Alice's audio datagrams crossed to Bob "
                  f"({'plain' if plaintext else 'sealed'} header)")
    if plaintext:
        check(pattern_in(frames), "plain: the known audio pattern is in the capture (the check "
                                  "sees audio in clear when it is)")
    else:
        check(not pattern_in(frames), "encrypted: the known audio pattern never appears in the "
                                      "capture")
    for user, log, p in started:
        check(p.poll() is None, f"{user}'s Charla ({mode}) is still running")
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
        if not flowed:
            print(f"--- {user}'s log ({mode}):\n" + open(log).read())


if __name__ == "__main__":
    sys.exit(main())
