"""What the Python tests (tests/e2e, tests/faults, tests/text, tests/sdk) and benchmarks share:
charla processes driven from outside, their logs and stores, their CPU and memory, XML-RPC as a
foreign peer, a script's arguments, and PASS/FAIL/SKIP reporting.

Standard library only (and the openssl command, to make a certificate for a Charla key). Every
process runs in local mode (-l --port P --peer localhost:Q) with its own XDG directories and
QT_QPA_PLATFORM=offscreen, and with --allow-plaintext unless made with tls=True: these tests are
about something else than the transport, which tests/security and tests/netns cover (over TLS,
tls_rpc() below speaks it as the contact). A script finds this module with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
"""

import http.client
import os
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
import xmlrpc.client

START_TIMEOUT = 20.0
SKIP = 77  # ctest SKIP_RETURN_CODE


class Failure(Exception):
    pass


class Skipped(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout):
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


def rpc(port, timeout=5.0):
    """XML-RPC to the Charla on `port`: as its contact over TLS if it was made with tls=True."""
    charla = _charlas.get(port)
    if charla is not None and charla.tls:
        return charla.rpc_as_contact(timeout)
    return xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % port,
                                     transport=_TimeoutTransport(timeout))


# An Ed25519 SubjectPublicKeyInfo is this 12-byte header and the raw 32-byte key (RFC 8410).
_ED25519_SPKI = bytes.fromhex("302a300506032b6570032100")


def ed25519_key_of_der(der):
    """The raw Ed25519 key of a DER certificate (the first Ed25519 SPKI in it), or None."""
    at = der.find(_ED25519_SPKI)
    return der[at + 12:at + 44] if at >= 0 else None


def ed25519_key_of_pem(path):
    """The raw public key of a Charla key file (identity.pem)."""
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    return der[-32:]


def charla_key_file(root, local_port=None):
    """Where the Charla whose XDG root is `root` keeps its key (local mode: one per port)."""
    sub = "local-%d" % local_port if local_port else ""
    return os.path.join(root, "data", "charla", sub, "identity.pem")


def tls_context(key_file):
    """A TLS 1.3 client context presenting the Charla key in key_file (made with openssl if it
    does not exist yet), with a self-signed certificate beside it. The server is checked by pin
    (tls_rpc), not by a CA."""
    if not os.path.exists(key_file):
        os.makedirs(os.path.dirname(key_file), mode=0o700, exist_ok=True)
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key_file],
                       capture_output=True, check=True)
    cert = key_file + ".probe-cert.pem"
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-new", "-x509", "-key", key_file, "-subj",
                        "/CN=charla-probe", "-days", "2", "-out", cert],
                       capture_output=True, check=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the pin below is the check
    context.load_cert_chain(cert, key_file)
    return context


class _PinnedTransport(xmlrpc.client.SafeTransport):
    """HTTPS to a Charla: our key presented, the server's Ed25519 key compared with `pin`."""

    def __init__(self, context, pin, timeout, source_ip=None):
        super().__init__(context=context)
        self._pin = pin
        self._timeout = timeout
        self._source_ip = source_ip

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        chost, self._extra_headers, x509 = self.get_host_info(host)
        connection = http.client.HTTPSConnection(
            chost, timeout=self._timeout, context=self.context,
            source_address=(self._source_ip, 0) if self._source_ip else None)
        connect, pin = connection.connect, self._pin

        def connect_and_check():
            connect()
            if pin is not None and ed25519_key_of_der(connection.sock.getpeercert(True)) != pin:
                connection.close()
                raise ssl.SSLError("the server's key is not the pinned one")

        connection.connect = connect_and_check
        self._connection = host, connection
        return connection


def tls_rpc(host, port, key_file, pin=None, timeout=5.0, source_ip=None):
    """A ServerProxy to the Charla at host:port over HTTPS, presenting the key in key_file (the
    contact's, as the contact would) and accepting only the server key `pin` (raw 32 bytes)."""
    return xmlrpc.client.ServerProxy(
        "https://%s:%d/RPC2" % (host, port),
        transport=_PinnedTransport(tls_context(key_file), pin, timeout, source_ip))


def free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def cpu_seconds(pid):
    """CPU seconds (user + system) a live process has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_and_threads(pid):
    """(VmRSS in MB, threads) of a live process, or (None, None)."""
    rss = threads = None
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024.0
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
    except OSError:
        pass
    return rss, threads


def terminate(process, timeout=10):
    """SIGTERM, SIGKILL if it is still there after `timeout` s; returns its stdout if piped."""
    process.terminate()
    try:
        return process.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0]


def wait_for(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def isolated_env(root, logging_rules=None):
    """The environment of one charla process: offscreen, its own settings, data and runtime."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    if logging_rules:
        env["QT_LOGGING_RULES"] = logging_rules
    for name, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                      ("XDG_RUNTIME_DIR", "runtime")):
        path = os.path.join(root, sub)
        os.makedirs(path, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
        env[name] = path
    return env


_charlas = {}  # port -> the Charla made on it, so a TLS call can present its contact's key


class Charla:
    """One charla process (stderr in a log file that survives restarts of the same name)."""

    def __init__(self, binary, workdir, name, port, peer_port, extra=(), tls=False):
        self.binary = binary
        self.tls = tls
        self.name = name
        self.port = port
        self.peer_port = peer_port
        self.root = os.path.join(workdir, name)
        os.makedirs(self.root, exist_ok=True)
        self.store = os.path.join(self.root, "text.sqlite")
        self.log_path = os.path.join(self.root, "stderr.log")
        self.process = None
        self._log = None
        _charlas[port] = self
        self.start(extra)

    def start(self, extra=()):
        self._log = open(self.log_path, "ab")
        self._log.write(("=== start %s %.3f ===\n" % (self.name, time.time())).encode())
        self._log.flush()
        args = [self.binary, "-l", "--port", str(self.port), "--peer",
                "localhost:%d" % self.peer_port, "--user", self.name,
                "--plugin-option", "text.store=" + self.store,
                "--plugin-option", "audio.input=none", "--plugin-option", "audio.output=none"]
        if not self.tls:
            args.append("--allow-plaintext")
        args += list(extra)
        self.process = subprocess.Popen(args, env=isolated_env(self.root),
                                        stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=self._log)
        return self

    def log(self):
        with open(self.log_path, "r", encoding="utf-8", errors="replace") as f:
            return f.read()

    def running(self):
        return self.process is not None and self.process.poll() is None

    def wait_serving(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if not self.running():
                raise Failure("%s exited with %s before serving:\n%s"
                              % (self.name, self.process.returncode, self.log()[-3000:]))
            try:
                return self.rpc_as_contact(2.0).host.ping()
            except (OSError, xmlrpc.client.ProtocolError) as e:
                last = e
                time.sleep(0.1)
        raise Failure("%s did not answer host.ping within %.0f s (%s)" % (self.name, timeout, last))

    def key_file(self):
        return charla_key_file(self.root, self.port)

    def rpc_as_contact(self, timeout=5.0):
        """Calls this Charla as its contact does: plain XML-RPC, or over TLS with the contact's
        key (made beside this one's if the contact never ran) and this Charla's key pinned."""
        if not self.tls:
            return rpc(self.port, timeout)
        pin = ed25519_key_of_pem(self.key_file()) if os.path.exists(self.key_file()) else None
        return tls_rpc("127.0.0.1", self.port, self.contact_key_file(), pin, timeout)

    def contact_key_file(self):
        """The key this Charla's contact presents: the contact's own if it is one of ours, else
        one made for it beside this one."""
        contact = _charlas.get(self.peer_port)
        if contact is not None:
            return contact.key_file()
        return charla_key_file(os.path.join(os.path.dirname(self.root),
                                            "contact-of-%d" % self.port), self.peer_port)

    def freeze(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def kill(self):
        """SIGKILL: no goodbye, no flush."""
        if self.running():
            self.process.kill()
            self.process.wait(timeout=10)
        if self._log:
            self._log.close()
            self._log = None

    def stop(self):
        if self.process is None:
            return
        if self.running():
            try:
                os.kill(self.process.pid, signal.SIGCONT)  # a frozen process cannot terminate
            except OSError:
                pass
            terminate(self.process, 8)
        if self._log:
            self._log.close()
            self._log = None

    # --- what the log says ----------------------------------------------------------------
    def presence_events(self):
        """[(line index, 'online'|'offline')] from 'charla.peer: contact HOST:PORT online'."""
        pattern = re.compile(r"charla\.peer: contact \S+:%d (online|offline)" % self.peer_port)
        return [m.group(1) for m in pattern.finditer(self.log())]

    def call_events(self):
        """[(call id, state)] from 'charla.call: call ID STATE ...' (no id when idle)."""
        return re.findall(r"charla\.call: call ([0-9a-f-]*) (idle|outgoing|incoming|active)\b",
                          self.log())

    def call_state(self):
        events = self.call_events()
        return events[-1] if events else (None, "idle")

    # --- the text store ---------------------------------------------------------------------
    def messages(self, direction):
        """[(id, body, status)] of the store, in seq order; [] before the store exists."""
        if not os.path.exists(self.store):
            return []
        try:
            db = sqlite3.connect("file:%s?mode=ro" % self.store, uri=True, timeout=2.0)
            try:
                return db.execute("SELECT id, body, status FROM messages WHERE direction = ? "
                                  "ORDER BY seq", (direction,)).fetchall()
            finally:
                db.close()
        except sqlite3.OperationalError:
            return []

    def received_bodies(self):
        return [body for _, body, _ in self.messages(1)]

    def sent(self):
        return self.messages(0)


def script_arguments(doc, prefix):
    """The arguments of a script run as `SCRIPT PATH_TO_CHARLA [WORKDIR]`: (charla binary,
    workdir, cleanup) as make_workdir gives them. Other arguments: the usage (`doc`), exit 2."""
    if len(sys.argv) not in (2, 3):
        print(doc, file=sys.stderr)
        sys.exit(2)
    workdir, cleanup = make_workdir(sys.argv[2] if len(sys.argv) == 3 else None, prefix)
    return os.path.abspath(sys.argv[1]), workdir, cleanup


def make_workdir(given, prefix):
    """A fresh run-XXXXXXXX directory inside `given` (kept for inspection) or, without one, inside
    a temporary directory. Returns (path, cleanup); call cleanup() when done."""
    tmp = None
    if given:
        os.makedirs(given, exist_ok=True)
        base = given
    else:
        tmp = tempfile.TemporaryDirectory(prefix=prefix)
        base = tmp.name
    path = os.path.join(base, "run-%s" % uuid.uuid4().hex[:8])
    return path, (tmp.cleanup if tmp else lambda: None)


def stop_all(*processes):
    """Stops every Charla given (None entries are skipped)."""
    for c in processes:
        if c is not None:
            c.stop()


def expect_fault(code, call, what):
    """Runs call(); it must raise an XML-RPC fault `code` with a message. Returns the fault."""
    try:
        result = call()
    except xmlrpc.client.Fault as fault:
        expect(fault.faultCode == code,
               "%s: expected fault %d, got %d (%s)" % (what, code, fault.faultCode,
                                                       fault.faultString))
        expect(fault.faultString.strip() != "", "%s: fault without a message" % what)
        return fault
    raise Failure("%s: expected fault %d, got the result %r" % (what, code, result))


def post_raw(port, body):
    """POSTs a raw body to /RPC2 and returns (HTTP status, response body); over TLS as the contact
    to a Charla made with tls=True."""
    charla = _charlas.get(port)
    if charla is not None and charla.tls:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=5, context=tls_context(charla.contact_key_file()))
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("POST", "/RPC2", body=body, headers={"Content-Type": "text/xml"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_cli(binary, args, workdir, name, timeout=30):
    """Runs charla once with `args` (no window) and returns the CompletedProcess."""
    env = isolated_env(os.path.join(workdir, name))
    return subprocess.run([binary] + args, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def video_available(binary):
    plugins = os.path.join(os.path.dirname(binary), "plugins")
    return os.path.exists(os.path.join(plugins, "charla_video.json"))


def run_checks(title, checks):
    """Runs [(name, fn)], prints PASS/FAIL/SKIP lines; returns the exit code."""
    passed = failed = skipped = 0
    for name, fn in checks:
        started = time.monotonic()
        try:
            fn()
        except Skipped as e:
            skipped += 1
            print("SKIP %s: %s" % (name, e), flush=True)
        except Exception as e:
            failed += 1
            detail = str(e) if isinstance(e, Failure) else traceback.format_exc()
            print("FAIL %s (%.1f s): %s" % (name, time.monotonic() - started, detail), flush=True)
        else:
            passed += 1
            print("PASS %s (%.1f s)" % (name, time.monotonic() - started), flush=True)
    print("%s: %d passed, %d failed, %d skipped" % (title, passed, failed, skipped), flush=True)
    if failed:
        return 1
    if skipped:
        print("%d check(s) skipped: see the SKIP lines" % skipped, flush=True)
    return 0


def run_scenario(title, checks, processes, report=lambda: None, cleanups=()):
    """run_checks(title, checks), then report() (the figures); the logs of processes() (the
    Charlas the checks started, None for one not started) if a check failed. Always stops those
    processes, then runs `cleanups` in order. Returns the exit code."""
    try:
        code = run_checks(title, checks)
        report()
        if code == 1:
            dump_logs(*processes())
        return code
    finally:
        stop_all(*processes())
        for cleanup in cleanups:
            cleanup()


def dump_logs(*processes):
    for c in processes:
        if c is not None:
            print("--- %s stderr (last 4000 chars) ---\n%s" % (c.name, c.log()[-4000:]),
                  file=sys.stderr)
