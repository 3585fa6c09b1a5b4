#!/usr/bin/env python3
"""faults.text_never_lost: text messages survive stalls, resets, lost acknowledgements, refused
connections, delay + a bandwidth cap, and SIGKILL restarts of the sender, each shown exactly once
and in order on the other side.

Usage: text_faults_test.py PATH_TO_CHARLA [WORKDIR]

A's --peer is a fault proxy that forwards to B; B talks to A directly. `charla --send TEXT` queues
one message per process start (through the persistent outbox), so A is restarted with a new text
for every phase, often in the middle of a fault. B's SQLite store (--plugin-option text.store) is
the truth of what B received.
"""

import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "support")]
from faultproxy import FaultProxy  # noqa: E402
from charla_harness import (Charla, expect, free_ports, run_scenario,  # noqa: E402
                            script_arguments, wait_for)


def main():
    binary, workdir, cleanup = script_arguments(__doc__, "charla-faults-text-")

    port_a, port_b = free_ports(2)
    proxy = FaultProxy(port_b).start()
    run = uuid.uuid4().hex[:6]
    sent = []  # bodies in the order they were queued
    state = {"a": None, "b": None}

    def body(tag):
        text = "faults %s %s" % (run, tag)
        sent.append(text)
        return text

    def start_a(tag):
        """(Re)starts A with one more message in its outbox."""
        if state["a"] is not None:
            state["a"].kill()
            state["a"].start(["--send", body(tag)])
        else:
            state["a"] = Charla(binary, workdir, "Alice", port_a, proxy.port,
                                ["--send", body(tag)])
        state["a"].wait_serving()

    def b_has(text):
        return state["b"].received_bodies().count(text) >= 1

    def start_both():
        state["b"] = Charla(binary, workdir, "Bob", port_b, port_a)
        state["b"].wait_serving()

    def stall_at_start():
        # Every byte through the proxy held from A's very first connection until we let go.
        proxy.stall(60000)
        start_a("stalled-at-start")
        time.sleep(2.0)  # A's pings time out meanwhile (1.5 s): it sees B offline
        expect(not b_has(sent[-1]), "delivered through a stalled proxy?")
        proxy.unstall()
        expect(wait_for(lambda: b_has(sent[-1]), 15), "not delivered after the stall")

    def lost_acknowledgement():
        # B stores the message, but its answer never reaches A: A's connection is reset instead.
        # A retries; B answers "duplicate"; B shows it once.
        proxy.reset_responses(1, streams={"text"})
        start_a("ack-lost")
        expect(wait_for(lambda: proxy.counters["lost_responses"] >= 1, 15),
               "no text.send answer went through the proxy")
        expect(wait_for(lambda: b_has(sent[-1]), 15), "not delivered after a lost answer")
        expect(wait_for(lambda: all(s == 1 for _, _, s in state["a"].sent()), 15),
               "A never saw the acknowledgement after the lost one: %r" % state["a"].sent())
        expect(wait_for(lambda: proxy.counters["text_duplicate"] >= 1, 5),
               "A's retry was not answered 'duplicate': %r" % dict(proxy.counters))

    def reset_storm_with_kill():
        # Every connection is refused (RST) while A is started, killed mid-retry and started again.
        proxy.set_refuse(True)
        proxy.reset()
        start_a("refused-1")
        time.sleep(1.0)
        start_a("refused-2")  # SIGKILL of the sender with two undelivered messages
        time.sleep(1.5)
        expect(not b_has(sent[-1]) and not b_has(sent[-2]), "delivered through a refusing proxy?")
        proxy.set_refuse(False)
        expect(wait_for(lambda: b_has(sent[-1]) and b_has(sent[-2]), 20),
               "not delivered after the resets ended")

    def killed_while_request_in_flight():
        # The request leaves A and is held by the proxy; A is killed; the proxy then delivers it
        # to B (B stores it) but nobody hears the answer. The restarted A resends it (outbox);
        # B must answer "duplicate", not show it twice.
        before = proxy.counters["connections_text"]
        proxy.stall(60000, streams={"text"})
        start_a("in-flight-at-kill")
        in_flight = sent[-1]
        expect(wait_for(lambda: proxy.counters["connections_text"] > before, 15),
               "A's text.send never reached the proxy")
        time.sleep(0.3)
        start_a("after-kill")  # SIGKILLs A while its text.send is held in the proxy
        proxy.unstall()
        expect(wait_for(lambda: b_has(in_flight) and b_has(sent[-1]), 20),
               "not delivered after a kill with a request in flight")

    def delay_and_bandwidth_cap():
        proxy.set_delay(150)
        proxy.set_rate(4000)  # 4 kB/s: a 6 kB message takes well over a second
        big = "%s %s" % (body("slow-link"), "x" * 6000)
        sent[-1] = big
        state["a"].kill()
        state["a"].start(["--send", big])
        state["a"].wait_serving()
        expect(wait_for(lambda: b_has(big), 25), "not delivered over a slow link")
        proxy.set_delay(0)
        proxy.set_rate(0)

    def each_exactly_once_in_order():
        received = state["b"].received_bodies()
        ours = [r for r in received if r.startswith("faults %s " % run)]
        for text in sent:
            expect(ours.count(text) == 1, "%r shown %d times at B" % (text[:40], ours.count(text)))
        expect(ours == sent, "B's order differs:\n got %r\nsent %r"
               % ([o[:30] for o in ours], [s[:30] for s in sent]))
        expect(wait_for(lambda: all(s == 1 for _, _, s in state["a"].sent()), 15),
               "A's outbox not all delivered: %r" % [(b[:30], s) for _, b, s in
                                                      state["a"].sent()])

    checks = [
        ("B starts", start_both),
        ("link stalled from the first connection: delivered once released", stall_at_start),
        ("acknowledgement lost (RST instead of the answer): delivered once", lost_acknowledgement),
        ("connections refused, sender SIGKILLed and restarted: both delivered",
         reset_storm_with_kill),
        ("sender killed with its request held in the proxy: delivered once",
         killed_while_request_in_flight),
        ("150 ms delay + 4 kB/s cap: a 6 kB message delivered", delay_and_bandwidth_cap),
        ("B has every message exactly once, in order; A's outbox is empty",
         each_exactly_once_in_order),
    ]
    return run_scenario("faults.text_never_lost", checks, lambda: (state["a"], state["b"]),
                        report=lambda: print("proxy: %s" % proxy.status()["counters"]),
                        cleanups=(proxy.stop, cleanup))


if __name__ == "__main__":
    sys.exit(main())
