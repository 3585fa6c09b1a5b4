"""What the Python tests (tests/e2e, tests/faults, tests/text, tests/sdk) and benchmarks share:
charla processes driven from outside, their logs and stores, their CPU and memory, XML-RPC as a
foreign peer, a script's arguments, and PASS/FAIL/SKIP reporting.

Standard library only. Every process runs in local mode (-l --port P --peer localhost:Q) with its
own XDG directories and QT_QPA_PLATFORM=offscreen. A script finds this module with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
"""

import http.client
import os
import re
import signal
import socket
import sqlite3
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
    return xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % port,
                                     transport=_TimeoutTransport(timeout))


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


class Charla:
    """One charla process (stderr in a log file that survives restarts of the same name)."""

    def __init__(self, binary, workdir, name, port, peer_port, extra=()):
        self.binary = binary
        self.name = name
        self.port = port
        self.peer_port = peer_port
        self.root = os.path.join(workdir, name)
        os.makedirs(self.root, exist_ok=True)
        self.store = os.path.join(self.root, "text.sqlite")
        self.log_path = os.path.join(self.root, "stderr.log")
        self.process = None
        self._log = None
        self.start(extra)

    def start(self, extra=()):
        self._log = open(self.log_path, "ab")
        self._log.write(("=== start %s %.3f ===\n" % (self.name, time.time())).encode())
        self._log.flush()
        args = [self.binary, "-l", "--port", str(self.port), "--peer",
                "localhost:%d" % self.peer_port, "--user", self.name,
                "--plugin-option", "text.store=" + self.store,
                "--plugin-option", "audio.input=none", "--plugin-option", "audio.output=none"]
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
                return rpc(self.port, 2.0).host.ping()
            except (OSError, xmlrpc.client.ProtocolError) as e:
                last = e
                time.sleep(0.1)
        raise Failure("%s did not answer host.ping within %.0f s (%s)" % (self.name, timeout, last))

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
    """POSTs a raw body to /RPC2 and returns (HTTP status, response body)."""
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
