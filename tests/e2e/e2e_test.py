#!/usr/bin/env python3
"""End-to-end test of two real charla processes, driven from outside with Python's xmlrpc.client.

Usage: e2e_test.py PATH_TO_CHARLA

Starts Alice and Bob in local mode with --peer (no login window) on free loopback ports, each with
its own XDG directories and QT_QPA_PLATFORM=offscreen, then acts as a foreign peer: presence,
introspection, text.send receipts and duplicates, host.hello, and every kind of bad input with
its documented fault code. Also checks the command line's error exits. Standard library only.
Prints one PASS/FAIL line per check and a final 'N passed, N failed'; exits 1 on any failure.
"""

import datetime
import http.client
import os
import re
import socket
import sys
import tempfile
import uuid
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from charla_harness import (Charla, Failure, Skipped, dump_logs, expect,  # noqa: E402
                            expect_fault, free_ports, post_raw, rpc, run_checks, run_cli,
                            stop_all, tls_rpc, wait_for)

FAULT_PARSE = -32700
FAULT_UNKNOWN_METHOD = -32601
FAULT_BAD_PARAMS = -32602
FAULT_TOO_LARGE = 413

PRESENCE_TIMEOUT = 15.0


def utc_now():
    return (
        datetime.datetime.now(datetime.timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def message(body="hello from the e2e test", **overrides):
    m = {"id": str(uuid.uuid4()), "sent_at": utc_now(), "body": body}
    m.update(overrides)
    return m


# --- the checks ----------------------------------------------------------------------------------

def check_list_methods(alice, bob):
    for c in (alice, bob):
        methods = rpc(c.port).system.listMethods()
        for required in ("host.hello", "host.ping", "text.send"):
            expect(required in methods, "%s: %s not in %r" % (c.name, required, methods))


def check_ping(alice, bob):
    for c in (alice, bob):
        pong = rpc(c.port).host.ping()
        expect(pong.get("app") == "Charla", "%s: ping answered %r" % (c.name, pong))
        expect(isinstance(pong.get("protocol"), int), "%s: no protocol in %r" % (c.name, pong))
        expect(isinstance(pong.get("plugins_serial"), int),
               "%s: no plugins_serial in %r" % (c.name, pong))


def check_processes_see_each_other(alice, bob):
    # The log line of PeerLink: "charla.peer: contact 127.0.0.1:PORT online".
    for c in (alice, bob):
        pattern = re.compile(r"charla\.peer: contact \S+:%d online" % c.peer_port)
        expect(wait_for(lambda: pattern.search(c.log()) is not None, PRESENCE_TIMEOUT),
               "%s never logged its contact online:\n%s" % (c.name, c.log()))
    rpc(alice.port).host.ping()
    rpc(bob.port).host.ping()


def check_text_send_delivered_and_duplicate(alice, bob):
    m = message("Hola Alice, soy el test")
    receipt = rpc(alice.port).text.send(m)
    expect(receipt == {"id": m["id"], "status": "delivered"}, "first send answered %r" % receipt)
    again = rpc(alice.port).text.send(m)
    expect(again == {"id": m["id"], "status": "duplicate"}, "repeated send answered %r" % again)
    # Bob takes messages from strangers too; text beyond ASCII (in the BMP) is fine.
    m2 = message("¡Olé! Grüße, привет, 你好 ✓ <b>&amp;</b>")
    receipt = rpc(bob.port).text.send(m2)
    expect(receipt == {"id": m2["id"], "status": "delivered"}, "Bob answered %r" % receipt)


def check_text_send_emoji(alice, bob):
    # A stock client puts characters outside the Basic Multilingual Plane into <string> as they
    # are (xmlrpc-c 1.33's parser refused them with -32700): they arrive and are stored exactly.
    body = "hola \U0001F44B see you \U0001F600 \U00020BB7"
    m = message(body)
    receipt = rpc(alice.port).text.send(m)
    expect(receipt == {"id": m["id"], "status": "delivered"}, "emoji send answered %r" % receipt)
    expect(wait_for(lambda: body in alice.received_bodies(), 5),
           "the emoji message was not stored as sent: %r" % alice.received_bodies()[-3:])


def check_hello(alice, bob):
    protocol = rpc(alice.port).host.ping()["protocol"]
    ours = {
        "app": "Charla",
        "version": "0.0.1-e2e",
        "protocol": protocol,
        "user": "e2e-probe",
        # A serial Bob never has: Alice introduces herself to Bob again on her next ping.
        "plugins_serial": 424242,
        "plugins": [{"id": "text", "version": "1.0.0", "sends": ["text"], "receives": ["text"]}],
    }
    hello = rpc(alice.port).host.hello(ours)
    expect(hello.get("app") == "Charla", "hello.app: %r" % hello)
    expect(hello.get("protocol") == protocol and isinstance(hello.get("protocol"), int),
           "hello.protocol: %r" % hello)
    expect(hello.get("user") == "Alice", "hello.user: %r" % hello)
    expect(isinstance(hello.get("version"), str) and hello["version"], "hello.version: %r" % hello)
    plugins = hello.get("plugins")
    expect(isinstance(plugins, list), "hello.plugins: %r" % hello)
    text = [p for p in plugins if p.get("id") == "text"]
    expect(len(text) == 1, "no text plugin in %r" % plugins)
    expect(text[0].get("sends") == ["text"] and text[0].get("receives") == ["text"],
           "text plugin: %r" % text[0])
    expect(isinstance(text[0].get("version"), str), "text plugin version: %r" % text[0])


def check_malformed_xml(alice, bob):
    for body in (
        b"<?xml version='1.0'?><methodCall><methodName>host.ping</methodName><params>",
        b"this is not XML at all",
        b"<?xml version='1.0'?><methodCall><params></params></methodCall>",
    ):
        status, answer = post_raw(alice.port, body)
        expect(status == 200, "malformed body %r: HTTP %d" % (body[:30], status))
        try:
            xmlrpc.client.loads(answer)
        except xmlrpc.client.Fault as fault:
            expect(fault.faultCode == FAULT_PARSE,
                   "malformed body %r: fault %d %s" % (body[:30], fault.faultCode,
                                                       fault.faultString))
        else:
            raise Failure("malformed body %r answered %r" % (body[:30], answer[:200]))
        rpc(alice.port).host.ping()


def check_tls_only(alice, bob):
    body = xmlrpc.client.dumps((), "host.ping").encode()
    request = (b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
               b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    with socket.create_connection(("127.0.0.1", alice.port), timeout=5) as s:
        s.sendall(request)
        try:
            answer = s.recv(4096)
        except ConnectionResetError:
            answer = b""
    expect(answer == b"", "plain HTTP to a TLS Charla got %r" % answer[:80])
    # Another key than the contact's (Bob's, remembered at first contact) is refused.
    stranger_key = os.path.join(os.path.dirname(alice.root), "stranger", "identity.pem")
    try:
        tls_rpc("127.0.0.1", alice.port, stranger_key, timeout=5).host.ping()
    except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError):
        pass
    else:
        raise Failure("a client with a stranger's key was answered")
    # And we pin Alice's key: a call that reaches her proves the pin matched.
    rpc(alice.port).host.ping()


def check_unknown_method(alice, bob):
    p = rpc(alice.port)
    expect_fault(FAULT_UNKNOWN_METHOD, lambda: p.no.such.method(), "no.such.method")
    expect_fault(FAULT_UNKNOWN_METHOD, lambda: p.text.delete({"id": str(uuid.uuid4())}),
                 "text.delete")
    p.host.ping()


def check_text_send_bad_params(alice, bob):
    p = rpc(alice.port)
    good = message()

    def without(key):
        m = dict(good)
        del m[key]
        return m

    cases = [
        ("no parameter", lambda: p.text.send()),
        ("a string instead of the struct", lambda: p.text.send("hello")),
        ("an int instead of the struct", lambda: p.text.send(42)),
        ("an array instead of the struct", lambda: p.text.send([good])),
        ("two structs", lambda: p.text.send(message(), message())),
        ("missing id", lambda: p.text.send(without("id"))),
        ("missing sent_at", lambda: p.text.send(without("sent_at"))),
        ("missing body", lambda: p.text.send(without("body"))),
        ("empty struct", lambda: p.text.send({})),
        ("id is an int", lambda: p.text.send(message(id=7))),
        ("body is an int", lambda: p.text.send(message(body=7))),
        ("sent_at is a dateTime", lambda: p.text.send(
            message(sent_at=xmlrpc.client.DateTime(datetime.datetime(2024, 5, 1, 12, 0))))),
        ("bad UUID", lambda: p.text.send(message(id="not-a-uuid"))),
        ("empty UUID", lambda: p.text.send(message(id=""))),
        ("bad sent_at", lambda: p.text.send(message(sent_at="yesterday"))),
        ("sent_at without time", lambda: p.text.send(message(sent_at="2024-05-01"))),
        ("sent_at impossible date", lambda: p.text.send(message(sent_at="2024-13-45T99:00:00Z"))),
        ("sent_at not UTC", lambda: p.text.send(message(sent_at="2024-05-01T12:34:56+02:00"))),
        ("empty body", lambda: p.text.send(message(body=""))),
        ("body over 16 KiB", lambda: p.text.send(message(body="x" * (16 * 1024 + 1)))),
    ]
    for what, call in cases:
        expect_fault(FAULT_BAD_PARAMS, call, "text.send with " + what)
        p.host.ping()
    # None of them was shown: a later good message is still "delivered".
    receipt = p.text.send(good)
    expect(receipt["status"] == "delivered", "good message after bad ones: %r" % receipt)


def check_text_send_too_large(alice, bob):
    p = rpc(alice.port)
    fault = expect_fault(FAULT_TOO_LARGE, lambda: p.text.send(message(body="y" * (37 * 1024))),
                         "text.send with a 37 KiB body")
    expect("limit" in fault.faultString, "413 message: %r" % fault.faultString)
    expect_fault(FAULT_TOO_LARGE, lambda: p.text.send(message(body="z" * (200 * 1024))),
                 "text.send with a 200 KiB body")
    p.host.ping()
    receipt = p.text.send(message("small again"))
    expect(receipt["status"] == "delivered", "after the big ones: %r" % receipt)


def check_hello_bad_params(alice, bob):
    p = rpc(alice.port)
    expect_fault(FAULT_BAD_PARAMS, lambda: p.host.hello(), "host.hello without params")
    expect_fault(FAULT_BAD_PARAMS, lambda: p.host.hello("hi"), "host.hello with a string")
    expect_fault(FAULT_BAD_PARAMS, lambda: p.host.hello({"app": "Charla"}),
                 "host.hello missing members")
    expect_fault(FAULT_BAD_PARAMS, lambda: p.host.ping("unexpected"), "host.ping with a param")
    p.host.ping()


def check_still_running(alice, bob):
    for c in (alice, bob):
        expect(c.running(), "%s exited with %s:\n%s" % (c.name, c.process.returncode, c.log()))
        rpc(c.port).host.ping()


def check_offline_when_peer_stops(alice, bob):
    bob.stop()
    pattern = re.compile(r"charla\.peer: contact \S+:%d offline" % alice.peer_port)
    expect(wait_for(lambda: pattern.search(alice.log()) is not None, 10),
           "Alice never logged Bob offline:\n%s" % alice.log())
    expect(alice.running(), "Alice exited after Bob stopped")
    rpc(alice.port).host.ping()


def check_list_plugins(binary, workdir):
    result = run_cli(binary, ["--list-plugins"], workdir, "list")
    expect(result.returncode == 0, "--list-plugins exited %d: %s" % (result.returncode,
                                                                     result.stderr))
    lines = [line for line in result.stdout.splitlines() if line.split()[:1] == ["text"]]
    expect(len(lines) == 1, "no text line in:\n%s" % result.stdout)
    expect("enabled" in lines[0].split(), "text is not enabled: %r" % lines[0])
    result = run_cli(binary, ["--list-plugins", "--disable", "text"], workdir, "list-disabled")
    lines = [line for line in result.stdout.splitlines() if line.split()[:1] == ["text"]]
    expect(len(lines) == 1 and "disabled" in lines[0].split(),
           "--disable text did not show it disabled:\n%s" % result.stdout)


def check_help(binary, workdir):
    result = run_cli(binary, ["--help"], workdir, "help")
    expect(result.returncode == 0, "--help exited %d" % result.returncode)
    expect(result.stdout.startswith("Usage: charla [options]"),
           "--help does not name the program: %r" % result.stdout[:80])
    expect("--plugin-option" in result.stdout, "--help lacks --plugin-option")


def check_bad_port(binary, workdir):
    result = run_cli(binary, ["--port", "abc"], workdir, "badport")
    expect(result.returncode == 2, "--port abc exited %d" % result.returncode)
    expect("invalid port" in result.stderr, "--port abc said %r" % result.stderr)


def check_port_in_use(binary, workdir):
    taken, peer = free_ports(2)
    occupier = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        occupier.bind(("127.0.0.1", taken))
        occupier.listen(1)
        result = run_cli(binary, ["-l", "--port", str(taken), "--peer", "localhost:%d" % peer],
                         workdir, "inuse")
    finally:
        occupier.close()
    expect(result.returncode == 1, "port in use: exited %d (%s)" % (result.returncode,
                                                                     result.stderr))
    expect("already in use" in result.stderr, "port in use said %r" % result.stderr)


def main():
    if len(sys.argv) != 2:
        print("usage: %s PATH_TO_CHARLA" % sys.argv[0], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="charla-e2e-") as workdir:
        code = run_checks("e2e.two_processes: command line", [
            ("cli: --list-plugins shows text enabled",
             lambda: check_list_plugins(binary, workdir)),
            ("cli: --help names the program", lambda: check_help(binary, workdir)),
            ("cli: --port abc exits 2", lambda: check_bad_port(binary, workdir)),
            ("cli: port already in use exits 1", lambda: check_port_in_use(binary, workdir)),
        ])
        port_a, port_b = free_ports(2)
        alice = bob = None
        try:
            # Over TLS, as two Charlas talk; this script calls each as its contact (its key).
            alice = Charla(binary, workdir, "Alice", port_a, port_b, tls=True)
            bob = Charla(binary, workdir, "Bob", port_b, port_a, tls=True)
            pair = (alice, bob)
            checks = [
                ("system.listMethods", check_list_methods),
                ("host.ping", check_ping),
                ("TLS: plain HTTP gets nothing, another key is refused", check_tls_only),
                ("both processes see each other online", check_processes_see_each_other),
                ("text.send: delivered, then duplicate", check_text_send_delivered_and_duplicate),
                ("text.send with an emoji", check_text_send_emoji),
                ("host.hello", check_hello),
                ("malformed XML: -32700", check_malformed_xml),
                ("unknown method: -32601", check_unknown_method),
                ("text.send bad params: -32602", check_text_send_bad_params),
                ("text.send over 36 KiB: 413", check_text_send_too_large),
                ("host.hello/host.ping bad params: -32602", check_hello_bad_params),
                ("both still serving", check_still_running),
                ("Bob stops: Alice sees him offline", check_offline_when_peer_stops),
            ]
            if run_checks("e2e.two_processes: start",
                          [("both processes serve", lambda: [c.wait_serving() for c in pair])]):
                code = 1
            else:
                code |= run_checks("e2e.two_processes",
                                   [(name, lambda fn=fn: fn(*pair)) for name, fn in checks])
        finally:
            stop_all(alice, bob)
            if code:
                dump_logs(alice, bob)
    return code


if __name__ == "__main__":
    sys.exit(main())
