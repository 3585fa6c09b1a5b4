#!/usr/bin/env python3
"""faults.presence_recovery: a frozen contact (kill -STOP) is shown offline within a few seconds;
resumed (kill -CONT) it is online again, queued messages flow, and a call can be placed again,
without restarting either side.

Usage: presence_test.py PATH_TO_CHARLA [WORKDIR]

A (--call --auto-answer) reaches B through a fault proxy; B (--auto-answer) talks to A directly.
1. B is frozen before A starts: A's --send message waits in A's outbox.
2. B resumes: A shows it online, the message arrives once, A's --call is answered (call 1).
3. B is frozen mid-call: A shows it offline and ends the call.
4. B resumes: A shows it online again; neither side is left in the old call; a new call.invite
   is answered "ringing" by each side (the state a new call needs), not 486 busy.
Prints the measured detection times.
"""

import os
import sys
import time
import uuid
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "support")]
from faultproxy import FaultProxy  # noqa: E402
from charla_harness import (Charla, expect, free_ports, rpc, run_scenario,  # noqa: E402
                            script_arguments, wait_for)

OFFLINE_LIMIT_S = 5.0  # "within a few seconds"; PeerLink: 1 s pings, 1.5 s timeout


def main():
    binary, workdir, cleanup = script_arguments(__doc__, "charla-faults-presence-")

    port_a, port_b = free_ports(2)
    proxy = FaultProxy(port_b).start()
    text = "queued while Bob was frozen %s" % uuid.uuid4().hex[:6]
    st = {"a": None, "b": None, "call1": None}
    figures = {}

    def presence(c, what):
        return c.presence_events().count(what)

    def active_calls(c):
        return [cid for cid, state in c.call_events() if state == "active"]

    def b_frozen_before_a_starts():
        st["b"] = Charla(binary, workdir, "Bob", port_b, port_a, ["--auto-answer"])
        st["b"].wait_serving()
        st["b"].freeze()
        st["a"] = Charla(binary, workdir, "Alice", port_a, proxy.port,
                         ["--call", "--auto-answer", "--send", text])
        st["a"].wait_serving()
        time.sleep(2.0)
        expect(presence(st["a"], "online") == 0, "A saw a frozen B online")
        expect(text not in st["b"].received_bodies(), "delivered to a frozen B?")
        expect([s for _, _, s in st["a"].sent()] == [0],
               "A's outbox should hold the message undelivered: %r" % st["a"].sent())

    def resumed_online_message_call():
        t0 = time.monotonic()
        st["b"].thaw()
        expect(wait_for(lambda: presence(st["a"], "online") >= 1, 10),
               "A never showed B online after SIGCONT")
        figures["online_after_cont_s"] = time.monotonic() - t0
        expect(wait_for(lambda: text in st["b"].received_bodies(), 10),
               "the queued message did not flow")
        figures["message_after_cont_s"] = time.monotonic() - t0
        expect(wait_for(lambda: active_calls(st["a"]) and active_calls(st["b"]), 15),
               "call 1 never became active on both sides:\nA %r\nB %r"
               % (st["a"].call_events(), st["b"].call_events()))
        expect(active_calls(st["a"])[-1] == active_calls(st["b"])[-1], "different call ids")
        st["call1"] = active_calls(st["a"])[-1]
        figures["call_active_after_cont_s"] = time.monotonic() - t0
        expect(st["b"].received_bodies().count(text) == 1, "message shown more than once")

    def change_presence(act, state, message):
        """act() (freezes or thaws B), then waits until A logs B `state` once more; returns the
        time act() began."""
        before = presence(st["a"], state)
        t0 = time.monotonic()
        act()
        expect(wait_for(lambda: presence(st["a"], state) > before, 10), message)
        return t0

    def frozen_mid_call_offline():
        time.sleep(1.0)
        t0 = change_presence(st["b"].freeze, "offline", "A never showed the frozen B offline")
        figures["offline_after_stop_s"] = time.monotonic() - t0
        expect(figures["offline_after_stop_s"] <= OFFLINE_LIMIT_S,
               "offline only after %.1f s" % figures["offline_after_stop_s"])
        expect(wait_for(lambda: st["a"].call_state()[1] == "idle", 5),
               "A kept the call with an offline contact: %r" % st["a"].call_events())
        figures["a_call_ended_after_stop_s"] = time.monotonic() - t0
        time.sleep(2.0)  # frozen a while longer: 4-5 s in all

    def resumed_again():
        t0 = change_presence(st["b"].thaw, "online",
                             "A never showed B online after the second SIGCONT")
        figures["online_after_second_cont_s"] = time.monotonic() - t0
        for c in (st["a"], st["b"]):
            expect(c.running(), "%s died" % c.name)
            rpc(c.port).host.ping()

    # A contact that stops answering pings ends the call on this side; the other side, whose own
    # pings may have kept working, must not stay in the call alone: it gets call.hangup when the
    # contact answers again, and a new invite replaces a call it still thinks is on.
    def b_left_the_old_call():
        # B was frozen in the call; A ended it without being able to tell B. B must not stay in
        # a call with nobody (its camera on, its sender refused with 503, and busy for A).
        ok = wait_for(lambda: st["b"].call_state()[1] == "idle", 8)
        figures["b_call_state_8s_after_cont"] = st["b"].call_state()[1]
        expect(ok, "B is still in call %s 8 s after resuming, although A ended it: %r"
               % (st["call1"], st["b"].call_events()[-3:]))

    def new_call_possible():
        # What placing a call needs from each side: an invite with a new id rings (a side still
        # in the old call answers 486 busy). Sent from loopback like the contact's own invite.
        results = {}
        for c in (st["a"], st["b"]):
            cid = str(uuid.uuid4())
            try:
                results[c.name] = rpc(c.port).call.invite({"call_id": cid})["status"]
            except xmlrpc.client.Fault as f:
                results[c.name] = "fault %d %s" % (f.faultCode, f.faultString)
            # Both auto-answer; their call.answer goes to the real contact, which knows no such
            # call (481): the probe then ends on its own. Hang up anyway.
            try:
                rpc(c.port).call.hangup({"call_id": cid, "reason": "probe"})
            except (xmlrpc.client.Fault, OSError):
                pass
            wait_for(lambda: c.call_state()[1] == "idle", 5)
        figures["probe_invite"] = results
        expect(all(v in ("ringing", "active") for v in results.values()),
               "a new call would be refused: %r" % results)

    checks = [
        ("B frozen before A starts: A's message waits in its outbox", b_frozen_before_a_starts),
        ("B resumed: online, queued message delivered once, call 1 active on both",
         resumed_online_message_call),
        ("B frozen mid-call: A shows it offline within %.0f s and ends the call"
         % OFFLINE_LIMIT_S, frozen_mid_call_offline),
        ("B resumed again: A shows it online", resumed_again),
        ("B does not stay in the call A ended", b_left_the_old_call),
        ("each side accepts a new call (invite rings, not 486 busy)", new_call_possible),
    ]
    return run_scenario("faults.presence_recovery", checks, lambda: (st["a"], st["b"]),
                        report=lambda: print("figures: %s" % figures, flush=True),
                        cleanups=(proxy.stop, cleanup))


if __name__ == "__main__":
    sys.exit(main())
