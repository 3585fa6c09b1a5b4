#!/usr/bin/env python3
"""faults.hostile_contact: a contact that answers every one of Charla's calls (host.ping,
host.hello, text.send...) with poison leaves Charla serving, calm and alive.

Usage: hostile_contact_test.py PATH_TO_CHARLA [WORKDIR]

A real charla (local mode, with a message to send) has a fake contact: an HTTP server on the
contact's port that answers, one mode after another for a few seconds each,
  deep     a methodResponse nesting arrays 100,000 deep (xmlrpc-c's parser overflowed the
           stack on it: SIGSEGV)
  struct   the same with structs
  garbage  bytes that are not XML
  huge     a 40 MB response
  silent   nothing at all (the connection is held open)
Meanwhile a second client pings Charla itself every 200 ms. Checked: Charla stays running, answers
every ping within 1 s, spends little CPU (no retry loop) and writes a bounded log. Prints the
figures.
"""

import http.server
import os
import re
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "support")]
from charla_harness import (Charla, cpu_seconds, expect, free_ports, rpc,  # noqa: E402
                            run_scenario, script_arguments)

MODE_SECONDS = 4.0
DEPTH = 100_000


def nested(open_tag, close_tag, depth):
    return (b"<?xml version='1.0'?><methodResponse><params><param>" + open_tag * depth +
            b"<value><i4>1</i4></value>" + close_tag * depth + b"</param></params></methodResponse>")


POISON = {
    "deep": nested(b"<value><array><data>", b"</data></array></value>", DEPTH),
    "struct": nested(b"<value><struct><member><name>m</name>", b"</member></struct></value>",
                     DEPTH),
    "garbage": b"\x00\xff this is not XML <<<<>>>> &&&& \xc3\x28",
    "huge": (b"<?xml version='1.0'?><methodResponse><params><param><value><string>" +
             b"x" * (40 * 1024 * 1024) + b"</string></value></param></params></methodResponse>"),
}


class PoisonContact:
    """Answers every POST according to `mode`; counts the calls per method name."""

    def __init__(self, port):
        self.mode = "deep"
        self.calls = {}
        self.lock = threading.Lock()
        contact = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                name = re.search(rb"<methodName>([^<]*)</methodName>", body)
                with contact.lock:
                    key = (contact.mode, name.group(1).decode() if name else "?")
                    contact.calls[key] = contact.calls.get(key, 0) + 1
                mode = contact.mode
                if mode == "silent":
                    time.sleep(MODE_SECONDS + 2)
                    self.close_connection = True
                    return
                payload = POISON[mode]
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up on it: as it should

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def main():
    binary, workdir, cleanup = script_arguments(__doc__, "charla-faults-hostile-")
    port_a, port_contact = free_ports(2)
    contact = PoisonContact(port_contact).start()
    st = {"a": None}
    figures = {}

    def poison_answers_leave_charla_serving():
        a = st["a"] = Charla(binary, workdir, "Alice", port_a, port_contact,
                             ["--send", "hola \U0001F44B to a hostile contact"])
        a.wait_serving()
        cpu_start = cpu_seconds(a.process.pid)
        t_start = time.monotonic()
        for mode in ("deep", "struct", "garbage", "huge", "silent"):
            contact.mode = mode
            worst = 0.0
            end = time.monotonic() + MODE_SECONDS
            while time.monotonic() < end:
                expect(a.running(), "Charla died while its contact answered %r" % mode)
                t0 = time.monotonic()
                error = None
                try:
                    rpc(a.port, timeout=2.0).host.ping()
                except Exception as e:  # noqa: BLE001 - any failure to answer is the finding
                    error = e
                expect(error is None, "Charla did not answer host.ping while its contact "
                       "answered %r: %s" % (mode, error))
                worst = max(worst, time.monotonic() - t0)
                time.sleep(0.2)
            figures["worst ping ms while %s" % mode] = round(worst * 1000, 1)
            expect(worst < 1.0, "a ping took %.0f ms while the contact answered %r"
                   % (worst * 1000, mode))
        elapsed = time.monotonic() - t_start
        cpu = cpu_seconds(a.process.pid) - cpu_start
        figures["cpu % of a core"] = round(100 * cpu / elapsed, 1)
        log_lines = a.log().count("\n")
        figures["log lines"] = log_lines
        figures["contact's calls (mode, method)"] = dict(sorted(contact.calls.items()))
        expect(a.running(), "Charla died")
        # A retry loop burns a core and writes thousands of lines a second; backing off costs
        # a few per cent (the 40 MB answers are read up to the response limit, then dropped).
        expect(cpu / elapsed < 0.5, "Charla used %.0f %% of a core" % (100 * cpu / elapsed))
        expect(log_lines < 1000, "Charla wrote %d log lines in %.0f s" % (log_lines, elapsed))

    def report():
        for key, value in figures.items():
            print("  %s: %s" % (key, value))

    return run_scenario("faults.hostile_contact",
                        [("poison_answers_leave_charla_serving",
                          poison_answers_leave_charla_serving)],
                        lambda: (st["a"],), report, cleanups=(contact.stop, cleanup))


if __name__ == "__main__":
    sys.exit(main())
