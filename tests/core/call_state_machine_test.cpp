// CallStateMachine on its own: every transition of the call flow, with what it sends to the
// contact, what it reports and what it replies. No network, no threads, no event loop.
#include "core/call_state_machine.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace charla::test {
namespace {

using host::CallStateMachine;
using Method = CallStateMachine::Send::Method;
using State = sdk::CallInfo::State;

const std::string kId = "6f1c0d39-2a7e-4c8b-9f3e-0d6a1b2c3d4e";
const std::string kOther = "0b8e6a52-91c4-4d7f-8a3b-5e2f1c9d7a60";

class CallStateMachineTest : public ::testing::Test {
protected:
    State state() const { return machine.call().state; }

    // The machine in each state, reached through the events that lead there.
    void outgoing() {
        ASSERT_EQ(machine.placeCall(true, kId).send.size(), 1u);
        ASSERT_EQ(state(), State::Outgoing);
    }
    void incoming() {
        ASSERT_EQ(machine.invited(kId).reply.status, "ringing");
        ASSERT_EQ(state(), State::Incoming);
    }
    void active() {
        ASSERT_NO_FATAL_FAILURE(incoming());
        machine.accept();
        ASSERT_EQ(state(), State::Active);
    }

    static void expectSend(const CallStateMachine::Actions& a, Method method, const std::string& id,
                           const std::string& reason = {}) {
        ASSERT_EQ(a.send.size(), 1u);
        EXPECT_EQ(a.send[0].method, method);
        EXPECT_EQ(a.send[0].callId, id);
        EXPECT_EQ(a.send[0].reason, reason);
    }
    static void expectReport(const CallStateMachine::Actions& a, State state, const char* says) {
        ASSERT_FALSE(a.reports.empty());
        EXPECT_EQ(a.reports.back().call.state, state);
        EXPECT_TRUE(a.reports.back().message.contains(says, Qt::CaseInsensitive))
            << a.reports.back().message.toStdString();
    }
    static void expectNothing(const CallStateMachine::Actions& a) {
        EXPECT_TRUE(a.send.empty());
        EXPECT_TRUE(a.reports.empty());
        EXPECT_EQ(a.reply.faultCode, 0);
    }

    CallStateMachine machine;
};

// --- Idle --------------------------------------------------------------------------------------

TEST_F(CallStateMachineTest, PlacingACallInvitesAndRings) {
    const auto a = machine.placeCall(true, kId);
    EXPECT_EQ(state(), State::Outgoing);
    EXPECT_EQ(machine.call().id, kId);
    expectSend(a, Method::Invite, kId);
    EXPECT_TRUE(a.send[0].reportFailure);
    expectReport(a, State::Outgoing, "Calling");
}

TEST_F(CallStateMachineTest, CallingAnOfflineContactOnlySaysSo) {
    const auto a = machine.placeCall(false, kId);
    EXPECT_EQ(state(), State::Idle);
    EXPECT_TRUE(a.send.empty());
    expectReport(a, State::Idle, "offline");
}

TEST_F(CallStateMachineTest, AnInviteRings) {
    const auto a = machine.invited(kId);
    EXPECT_EQ(state(), State::Incoming);
    EXPECT_EQ(a.reply.status, "ringing");
    EXPECT_TRUE(a.send.empty());
    expectReport(a, State::Incoming, "Incoming");
}

TEST_F(CallStateMachineTest, AnInviteWithAutoAnswerIsAcceptedAtOnce) {
    machine.setAutoAnswer(true);
    const auto a = machine.invited(kId);
    EXPECT_EQ(state(), State::Active);
    EXPECT_EQ(a.reply.status, "ringing");
    expectSend(a, Method::Answer, kId);
    EXPECT_TRUE(a.send[0].accept);
    ASSERT_EQ(a.reports.size(), 2u);
    EXPECT_EQ(a.reports[0].call.state, State::Incoming);
    EXPECT_EQ(a.reports[1].call.state, State::Active);
}

TEST_F(CallStateMachineTest, UserActionsThatMakeNoSenseWhenIdleDoNothing) {
    expectNothing(machine.accept());
    expectNothing(machine.decline());
    expectNothing(machine.hangUp());
    expectNothing(machine.peerChanged(false));
    expectNothing(machine.peerChanged(true));
    expectNothing(machine.ringTimedOut(kId));
    EXPECT_EQ(state(), State::Idle);
}

TEST_F(CallStateMachineTest, AnAnswerOrHangupForNoCallIsRefusedOrHarmless) {
    const auto answer = machine.answered(kId, true);
    EXPECT_EQ(answer.reply.faultCode, sdk::kFaultNoSuchCall);
    EXPECT_TRUE(answer.reports.empty());
    const auto hangup = machine.hungUp(kId);
    EXPECT_EQ(hangup.reply.status, "ended");
    EXPECT_TRUE(hangup.reports.empty());
    EXPECT_EQ(state(), State::Idle);
}

// --- Outgoing ----------------------------------------------------------------------------------

TEST_F(CallStateMachineTest, TheCalleeAccepts) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    const auto a = machine.answered(kId, true);
    EXPECT_EQ(state(), State::Active);
    EXPECT_EQ(a.reply.status, "active");
    expectReport(a, State::Active, "accepted");
}

TEST_F(CallStateMachineTest, TheCalleeDeclines) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    const auto a = machine.answered(kId, false);
    EXPECT_EQ(state(), State::Idle);
    EXPECT_EQ(a.reply.status, "declined");
    EXPECT_TRUE(a.send.empty());
    expectReport(a, State::Idle, "declined");
}

TEST_F(CallStateMachineTest, AnAnswerForAnotherCallIsRefused) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    const auto a = machine.answered(kOther, true);
    EXPECT_EQ(a.reply.faultCode, sdk::kFaultNoSuchCall);
    EXPECT_EQ(state(), State::Outgoing);
}

TEST_F(CallStateMachineTest, TheCallerCancels) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    const auto a = machine.hangUp();
    EXPECT_EQ(state(), State::Idle);
    expectSend(a, Method::Hangup, kId, "hangup");
    expectReport(a, State::Idle, "cancelled");
}

TEST_F(CallStateMachineTest, NobodyAnswers) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    const auto a = machine.ringTimedOut(kId);
    EXPECT_EQ(state(), State::Idle);
    expectSend(a, Method::Hangup, kId, "no answer");
    expectReport(a, State::Idle, "No answer");
}

TEST_F(CallStateMachineTest, TheTimerOfAnEarlierCallIsIgnored) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    expectNothing(machine.ringTimedOut(kOther));
    EXPECT_EQ(state(), State::Outgoing);
}

TEST_F(CallStateMachineTest, TheInviteCannotBeDelivered) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    const auto invite = machine.call();
    const auto a = machine.signalFailed({Method::Invite, invite.id, false, {}, true}, "refused");
    EXPECT_EQ(state(), State::Idle);
    EXPECT_TRUE(a.send.empty());
    expectReport(a, State::Idle, "Could not call: refused");
}

TEST_F(CallStateMachineTest, BothCallingAtOnceIsBusy) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    const auto a = machine.invited(kOther);
    EXPECT_EQ(a.reply.faultCode, sdk::kFaultBusy);
    EXPECT_EQ(state(), State::Outgoing);
    EXPECT_EQ(machine.call().id, kId);
}

TEST_F(CallStateMachineTest, TheContactHangsUpWhileItRings) {
    ASSERT_NO_FATAL_FAILURE(outgoing());
    const auto a = machine.hungUp(kId);
    EXPECT_EQ(state(), State::Idle);
    EXPECT_EQ(a.reply.status, "ended");
    expectReport(a, State::Idle, "No answer");
}

// --- Incoming ----------------------------------------------------------------------------------

TEST_F(CallStateMachineTest, TheUserAccepts) {
    ASSERT_NO_FATAL_FAILURE(incoming());
    const auto a = machine.accept();
    EXPECT_EQ(state(), State::Active);
    expectSend(a, Method::Answer, kId);
    EXPECT_TRUE(a.send[0].accept);
    EXPECT_TRUE(a.send[0].reportFailure);
    expectReport(a, State::Active, "accepted");
}

TEST_F(CallStateMachineTest, TheUserDeclines) {
    ASSERT_NO_FATAL_FAILURE(incoming());
    const auto a = machine.decline();
    EXPECT_EQ(state(), State::Idle);
    expectSend(a, Method::Answer, kId);
    EXPECT_FALSE(a.send[0].accept);
    expectReport(a, State::Idle, "declined");
}

TEST_F(CallStateMachineTest, HangingUpWhileRungDeclines) {
    ASSERT_NO_FATAL_FAILURE(incoming());
    const auto a = machine.hangUp();
    EXPECT_EQ(state(), State::Idle);
    expectSend(a, Method::Answer, kId);
    EXPECT_FALSE(a.send[0].accept);
}

TEST_F(CallStateMachineTest, TheUserMissesTheCall) {
    ASSERT_NO_FATAL_FAILURE(incoming());
    const auto a = machine.ringTimedOut(kId);
    EXPECT_EQ(state(), State::Idle);
    expectSend(a, Method::Hangup, kId, "no answer");
    expectReport(a, State::Idle, "Missed");
}

// Only the callee answers: an answer for the call we are being rung for is refused.
TEST_F(CallStateMachineTest, AnAnswerToACallWeDidNotPlaceIsRefused) {
    ASSERT_NO_FATAL_FAILURE(incoming());
    const auto a = machine.answered(kId, true);
    EXPECT_EQ(a.reply.faultCode, sdk::kFaultNoSuchCall);
    EXPECT_TRUE(a.reports.empty());
    EXPECT_EQ(state(), State::Incoming);
}

TEST_F(CallStateMachineTest, TheCallerCancelsBeforeWeAnswer) {
    ASSERT_NO_FATAL_FAILURE(incoming());
    const auto a = machine.hungUp(kId);
    EXPECT_EQ(state(), State::Idle);
    expectReport(a, State::Idle, "Missed");
}

TEST_F(CallStateMachineTest, ARepeatedInviteIsAnsweredWithoutRingingAgain) {
    ASSERT_NO_FATAL_FAILURE(incoming());
    const auto a = machine.invited(kId);
    EXPECT_EQ(a.reply.status, "ringing");
    EXPECT_TRUE(a.reports.empty());
}

TEST_F(CallStateMachineTest, ANewInviteReplacesTheCallTheContactLost) {
    ASSERT_NO_FATAL_FAILURE(incoming());
    const auto a = machine.invited(kOther);
    EXPECT_EQ(a.reply.status, "ringing");
    EXPECT_EQ(machine.call().id, kOther);
    ASSERT_EQ(a.reports.size(), 2u);
    EXPECT_EQ(a.reports[0].call.state, State::Idle);
    EXPECT_TRUE(a.reports[0].message.contains("lost"));
    EXPECT_EQ(a.reports[1].call.state, State::Incoming);
}

// --- Active ------------------------------------------------------------------------------------

TEST_F(CallStateMachineTest, WeHangUp) {
    ASSERT_NO_FATAL_FAILURE(active());
    const auto a = machine.hangUp();
    EXPECT_EQ(state(), State::Idle);
    expectSend(a, Method::Hangup, kId, "hangup");
    expectReport(a, State::Idle, "ended");
}

TEST_F(CallStateMachineTest, TheContactHangsUp) {
    ASSERT_NO_FATAL_FAILURE(active());
    const auto a = machine.hungUp(kId);
    EXPECT_EQ(state(), State::Idle);
    EXPECT_TRUE(a.send.empty());
    expectReport(a, State::Idle, "hung up");
}

TEST_F(CallStateMachineTest, AHangupForAnotherCallIsHarmless) {
    ASSERT_NO_FATAL_FAILURE(active());
    const auto a = machine.hungUp(kOther);
    EXPECT_EQ(a.reply.status, "ended");
    EXPECT_EQ(state(), State::Active);
}

TEST_F(CallStateMachineTest, TheAcceptCannotBeDelivered) {
    ASSERT_NO_FATAL_FAILURE(active());
    const auto a = machine.signalFailed({Method::Answer, kId, true, {}, true}, "timeout");
    EXPECT_EQ(state(), State::Idle);
    expectReport(a, State::Idle, "could not be connected");
}

TEST_F(CallStateMachineTest, AFailureOfAnEarlierCallIsIgnored) {
    ASSERT_NO_FATAL_FAILURE(active());
    expectNothing(machine.signalFailed({Method::Invite, kOther, false, {}, true}, "timeout"));
    EXPECT_EQ(state(), State::Active);
}

TEST_F(CallStateMachineTest, RingingRulesDoNotApplyToAnActiveCall) {
    ASSERT_NO_FATAL_FAILURE(active());
    expectNothing(machine.ringTimedOut(kId));
    expectNothing(machine.accept());
    const auto invite = machine.invited(kId);
    EXPECT_EQ(invite.reply.status, "active");
    EXPECT_EQ(state(), State::Active);
}

TEST_F(CallStateMachineTest, AContactThatVanishesEndsTheCallAndIsToldWhenBack) {
    ASSERT_NO_FATAL_FAILURE(active());
    const auto gone = machine.peerChanged(false);
    EXPECT_EQ(state(), State::Idle);
    EXPECT_TRUE(gone.send.empty()) << "nobody to tell";
    expectReport(gone, State::Idle, "offline");
    const auto back = machine.peerChanged(true);
    expectSend(back, Method::Hangup, kId, "connection lost");
    EXPECT_TRUE(back.reports.empty());
    expectNothing(machine.peerChanged(true)); // told once
}

// --- The history: every way a call ends is one record, with its direction and outcome ---------

TEST(CallRecords, EveryWayACallEndsGivesOneRecordAndNothingElseDoes) {
    using Outcome = sdk::CallRecord::Outcome;
    using Direction = sdk::CallRecord::Direction;
    struct Path {
        const char* name;
        std::function<std::vector<CallStateMachine::Actions>(CallStateMachine&)> events;
        Direction direction;
        Outcome outcome;
    };
    auto out = [](CallStateMachine& m) { return m.placeCall(true, kId); };
    auto in = [](CallStateMachine& m) { return m.invited(kId); };
    const CallStateMachine::Send invite{Method::Invite, kId, false, {}, true};
    const CallStateMachine::Send accept{Method::Answer, kId, true, {}, true};
    const std::vector<Path> paths = {
        {"we hang up an answered call",
         [&](auto& m) {
             return std::vector{out(m), m.answered(kId, true), m.hangUp()};
         },
         Direction::Outgoing, Outcome::Completed},
        {"the contact hangs up",
         [&](auto& m) {
             return std::vector{in(m), m.accept(), m.hungUp(kId)};
         },
         Direction::Incoming, Outcome::Completed},
        {"the contact vanishes mid-call",
         [&](auto& m) {
             return std::vector{in(m), m.accept(), m.peerChanged(false)};
         },
         Direction::Incoming, Outcome::Completed},
        {"we decline",
         [&](auto& m) {
             return std::vector{in(m), m.decline()};
         },
         Direction::Incoming, Outcome::Declined},
        {"hanging up while rung",
         [&](auto& m) {
             return std::vector{in(m), m.hangUp()};
         },
         Direction::Incoming, Outcome::Declined},
        {"it rings out here",
         [&](auto& m) {
             return std::vector{in(m), m.ringTimedOut(kId)};
         },
         Direction::Incoming, Outcome::Missed},
        {"the caller gives up",
         [&](auto& m) {
             return std::vector{in(m), m.hungUp(kId)};
         },
         Direction::Incoming, Outcome::Missed},
        {"a new invite replaces a lost call",
         [&](auto& m) {
             return std::vector{in(m), m.accept(), m.invited(kOther)};
         },
         Direction::Incoming, Outcome::Completed},
        {"the contact declines",
         [&](auto& m) {
             return std::vector{out(m), m.answered(kId, false)};
         },
         Direction::Outgoing, Outcome::DeclinedByContact},
        {"we cancel",
         [&](auto& m) {
             return std::vector{out(m), m.hangUp()};
         },
         Direction::Outgoing, Outcome::Cancelled},
        {"nobody answers",
         [&](auto& m) {
             return std::vector{out(m), m.ringTimedOut(kId)};
         },
         Direction::Outgoing, Outcome::NoAnswer},
        {"the invite cannot be delivered",
         [&](auto& m) {
             return std::vector{out(m), m.signalFailed(invite, "down")};
         },
         Direction::Outgoing, Outcome::Failed},
        {"the accept cannot be delivered",
         [&](auto& m) {
             return std::vector{in(m), m.accept(), m.signalFailed(accept, "down")};
         },
         Direction::Incoming, Outcome::Failed},
    };
    for (const Path& path : paths) {
        SCOPED_TRACE(path.name);
        CallStateMachine machine;
        std::vector<sdk::CallRecord> records;
        for (const auto& actions : path.events(machine))
            for (const auto& report : actions.reports)
                if (report.ended) {
                    EXPECT_EQ(report.call.state, State::Idle) << "only an end is recorded";
                    records.push_back(*report.ended);
                }
        ASSERT_EQ(records.size(), 1u);
        EXPECT_EQ(records[0].id, kId);
        EXPECT_EQ(records[0].direction, path.direction);
        EXPECT_EQ(records[0].outcome, path.outcome);
    }
    CallStateMachine machine;
    for (const auto& report : machine.placeCall(false, kId).reports)
        EXPECT_FALSE(report.ended) << "a call never placed (contact offline) is not a call";
}

} // namespace
} // namespace charla::test
