#!/usr/bin/env python3
"""Issue 6 item 2: no text message is lost or duplicated when either side is SIGKILLed.

Usage: kill_test.py --scenario receiver_killed|sender_killed|both_killed
                    --charla PATH --typist PATH --plugins-dir DIR [--count N] [--seed S]

Alice is text_typist: the real Charla application with the real text plugin and a robot user
typing ALICE-0000, ALICE-0001, ... into the chat window's composer. Bob is a real `charla`
process. Both run in local mode with QT_QPA_PLATFORM=offscreen, their own XDG directories and
their own message store (--plugin-option text.store=PATH). While Alice types, the receiver, the
sender or either of them (by scenario) is SIGKILLed at random moments and started again. At the
end both run until Alice's outbox is empty; then:
  - Alice's store holds every message exactly once, in order, all delivered (sent exactly once);
  - Bob's store, which is what Bob's chat window shows (history on start, then every message it
    stores), holds exactly those messages as incoming, once each, in the same order.
Standard library only (sqlite3 reads the stores). Exits 1 on failure.
"""

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from charla_harness import Failure, free_ports, isolated_env, terminate  # noqa: E402

# The plugin's debug lines say which receipts were duplicates (retries of stored messages).
LOGGING_RULES = "charla.text.debug=true"

START_TIMEOUT = 20.0
DRAIN_TIMEOUT = 90.0


def read_store(path):
    """[(direction, body, status)] in seq order (status 1: delivered); [] if no store yet."""
    if not os.path.exists(path):
        return []
    connection = sqlite3.connect(path, timeout=10)
    try:
        return connection.execute(
            "SELECT direction, body, status FROM messages ORDER BY seq").fetchall()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return []
        raise
    finally:
        connection.close()


class Process:
    """One side: started, SIGKILLed and started again with the same arguments and store."""

    def __init__(self, name, command, workdir):
        self.name = name
        self.command = command
        self.root = os.path.join(workdir, name)
        self.env = isolated_env(self.root, LOGGING_RULES)
        self.log_path = os.path.join(self.root, "output.log")
        self.process = None
        self.starts = 0
        self.kills = 0

    def start(self):
        log = open(self.log_path, "ab")
        log.write(b"\n=== start %d ===\n" % (self.starts + 1))
        log.flush()
        self.process = subprocess.Popen(self.command, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=log)
        log.close()
        self.starts += 1

    def running(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        if self.running():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None
            self.kills += 1

    def ensure_running(self):
        """Restarts a process that exited by itself (e.g. its port was not free yet)."""
        if not self.running():
            if self.process is not None:
                print("%s exited with %s; starting it again" % (self.name,
                                                                 self.process.returncode))
            self.start()

    def stop(self):
        if self.running():
            terminate(self.process)

    def log(self):
        with open(self.log_path, "r", encoding="utf-8", errors="replace") as f:
            return f.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", required=True,
                        choices=["receiver_killed", "sender_killed", "both_killed"])
    parser.add_argument("--charla", required=True)
    parser.add_argument("--typist", required=True)
    parser.add_argument("--plugins-dir", required=True)
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print("scenario %s, %d messages, seed %d" % (args.scenario, args.count, seed))

    expected = ["ALICE-%04d" % i for i in range(args.count)]
    alice_port, bob_port = free_ports(2)
    with tempfile.TemporaryDirectory(prefix="charla-text-kill-") as workdir:
        alice_store = os.path.join(workdir, "alice.sqlite")
        bob_store = os.path.join(workdir, "bob.sqlite")

        def charla_args(user, port, peer_port, store):
            return ["-l", "--port", str(port), "--peer", "localhost:%d" % peer_port,
                    "--user", user, "--plugins-dir", args.plugins_dir,
                    "--disable", "audio", "--disable", "video",
                    "--plugin-option", "text.store=" + store]

        alice = Process("alice", [args.typist, "--count", str(args.count), "--prefix", "ALICE",
                                  "--pace-ms", "40", "--"]
                        + charla_args("Alice", alice_port, bob_port, alice_store), workdir)
        bob = Process("bob", [args.charla] + charla_args("Bob", bob_port, alice_port, bob_store),
                      workdir)
        victims = {"receiver_killed": [bob], "sender_killed": [alice],
                   "both_killed": [alice, bob]}[args.scenario]

        def outgoing(rows):
            return [body for direction, body, _ in rows if direction == 0]

        try:
            alice.start()
            bob.start()
            began = time.monotonic()
            # Kill while Alice types and while the outbox drains; at least 8 kills in all.
            while True:
                time.sleep(rng.uniform(0.2, 1.5))
                typed = len(outgoing(read_store(alice_store)))
                if typed >= args.count and sum(v.kills for v in victims) >= 8:
                    break
                if time.monotonic() - began > 120:
                    raise Failure("Alice typed only %d of %d messages in 120 s" %
                                  (typed, args.count))
                victim = rng.choice(victims)
                victim.kill()
                print("%6.2f s: killed %s (%d typed)" % (time.monotonic() - began, victim.name,
                                                         typed))
                time.sleep(rng.uniform(0.0, 0.5))
                for p in (alice, bob):
                    p.ensure_running()

            # Both up until Alice's outbox is empty.
            deadline = time.monotonic() + DRAIN_TIMEOUT
            while True:
                for p in (alice, bob):
                    p.ensure_running()
                rows = read_store(alice_store)
                pending = [body for direction, body, status in rows
                           if direction == 0 and status != 1]
                if len(outgoing(rows)) >= args.count and not pending:
                    break
                if time.monotonic() > deadline:
                    raise Failure("after %.0f s Alice still has %d undelivered: %s..." %
                                  (DRAIN_TIMEOUT, len(pending), pending[:5]))
                time.sleep(0.2)
            print("%6.2f s: all delivered; kills: alice %d, bob %d" %
                  (time.monotonic() - began, alice.kills, bob.kills))
        except Failure as e:
            print("FAIL: %s" % e)
            for p in (alice, bob):
                print("--- %s's log (last 3000 chars) ---\n%s" % (p.name, p.log()[-3000:]))
            return 1
        finally:
            alice.stop()
            bob.stop()

        failures = []
        sent = outgoing(read_store(alice_store))
        if sent != expected:
            failures.append("Alice's store does not hold each message once, in order: %r" %
                            diff(sent, expected))
        received = [body for direction, body, _ in read_store(bob_store) if direction == 1]
        if received != expected:
            failures.append("Bob did not get each message exactly once, in order: %r" %
                            diff(received, expected))
        for p in (alice, bob):
            log = p.log()
            for bad in ("QSqlDatabasePrivate", "does not belong to the calling thread",
                        "cannot store", "cannot queue"):
                if bad in log:
                    failures.append("%s logged '%s'" % (p.name, bad))
        if failures:
            for f in failures:
                print("FAIL: " + f)
            for p in (alice, bob):
                print("--- %s's log (last 3000 chars) ---\n%s" % (p.name, p.log()[-3000:]))
            return 1
        # A retry of a message Bob had stored: the ack was lost to a kill (or Alice died before
        # marking it delivered). These are the windows where a message could have been doubled.
        duplicates = bob.log().count("(duplicate)")
        print("retries of messages Bob already had (answered 'duplicate'): %d" % duplicates)
        print("PASS: %d messages, each shown exactly once and in order on Bob's side "
              "(seed %d, %d kills of Alice, %d of Bob)" % (args.count, seed, alice.kills,
                                                           bob.kills))
        return 0


def diff(got, expected):
    """A short description of how `got` differs from `expected`."""
    seen = set()
    duplicates = sorted({b for b in got if b in seen or seen.add(b)})
    missing = sorted(set(expected) - set(got))
    first = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), None)
    return {"count": len(got), "duplicates": duplicates[:10], "missing": missing[:10],
            "first_difference_at": first}


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
