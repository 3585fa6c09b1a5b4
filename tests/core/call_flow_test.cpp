// The host's call state machine between two complete hosts over loopback: accept, decline,
// cancel, ring timeout, hang-up from either side, a contact that vanishes mid-call, and a call
// that the vanished contact's side must not keep alone.
#include "core/session.h"

#include "session_pair.h"
#include "test_support.h"

#include <gtest/gtest.h>

namespace charla::test {
namespace {

using host::Session;
using State = sdk::CallInfo::State;

class CallFlowTest : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string error =
            pair_.start([](std::uint16_t port, std::uint16_t peer, const QString& user) {
                return std::make_unique<Session>(loopbackConfig(port, peer, user));
            });
        ASSERT_TRUE(error.empty()) << "cannot start two sessions: " << error;
        for (Session* s : {a.get(), b.get()})
            s->calls().setRingTimeout(1500ms);
        ASSERT_TRUE(
            waitUntil([&] { return a->channel().peer().online && b->channel().peer().online; }));
    }

    static State state(Session& s) { return s.calls().call().state; }
    bool both(State st) { return state(*a) == st && state(*b) == st; }

    // A calls; B is ringing.
    void ring() {
        a->calls().placeCall();
        ASSERT_EQ(state(*a), State::Outgoing);
        ASSERT_TRUE(waitUntil([&] { return state(*b) == State::Incoming; })) << "B never rang";
        EXPECT_EQ(a->calls().call().id, b->calls().call().id);
    }

    SessionPair pair_;
    std::unique_ptr<Session>&a = pair_.a, &b = pair_.b;
};

TEST_F(CallFlowTest, AcceptThenTheCallerHangsUp) {
    ASSERT_NO_FATAL_FAILURE(ring());
    b->calls().accept();
    ASSERT_TRUE(waitUntil([&] { return both(State::Active); }));
    a->calls().hangUp();
    EXPECT_EQ(state(*a), State::Idle);
    EXPECT_TRUE(waitUntil([&] { return state(*b) == State::Idle; })) << "B is still in the call";
}

TEST_F(CallFlowTest, TheCalleeHangsUp) {
    ASSERT_NO_FATAL_FAILURE(ring());
    b->calls().accept();
    ASSERT_TRUE(waitUntil([&] { return both(State::Active); }));
    b->calls().hangUp();
    EXPECT_TRUE(waitUntil([&] { return both(State::Idle); }));
}

TEST_F(CallFlowTest, Decline) {
    ASSERT_NO_FATAL_FAILURE(ring());
    QString messageA;
    QObject::connect(&a->calls(), &host::CallManager::callChanged,
                     [&](const sdk::CallInfo&, const QString& m) { messageA = m; });
    b->calls().decline();
    EXPECT_EQ(state(*b), State::Idle);
    EXPECT_TRUE(waitUntil([&] { return state(*a) == State::Idle; }));
    // call() is the state machine itself; the report follows through A's event loop.
    EXPECT_TRUE(waitUntil([&] { return messageA.contains("declined"); })) << messageA.toStdString();
}

TEST_F(CallFlowTest, TheCallerCancelsWhileItRings) {
    ASSERT_NO_FATAL_FAILURE(ring());
    a->calls().hangUp();
    EXPECT_EQ(state(*a), State::Idle);
    EXPECT_TRUE(waitUntil([&] { return state(*b) == State::Idle; })) << "B kept ringing";
}

TEST_F(CallFlowTest, AnUnansweredCallTimesOutOnBothSides) {
    ASSERT_NO_FATAL_FAILURE(ring());
    EXPECT_TRUE(waitUntil([&] { return both(State::Idle); }, 5s)) << "still ringing after 5 s";
}

TEST_F(CallFlowTest, AContactThatVanishesMidCallEndsTheCall) {
    ASSERT_NO_FATAL_FAILURE(ring());
    b->calls().accept();
    ASSERT_TRUE(waitUntil([&] { return both(State::Active); }));
    b.reset(); // gone without hanging up (its port stops answering)
    EXPECT_TRUE(waitUntil([&] { return state(*a) == State::Idle; }, 8s))
        << "A is still in a call with nobody";
}

TEST_F(CallFlowTest, AcceptingTwiceOrHangingUpTwiceIsHarmless) {
    ASSERT_NO_FATAL_FAILURE(ring());
    b->calls().accept();
    b->calls().accept();
    ASSERT_TRUE(waitUntil([&] { return both(State::Active); }));
    a->calls().hangUp();
    a->calls().hangUp();
    EXPECT_TRUE(waitUntil([&] { return both(State::Idle); }));
    // And a new call works afterwards.
    ASSERT_NO_FATAL_FAILURE(ring());
    b->calls().accept();
    EXPECT_TRUE(waitUntil([&] { return both(State::Active); }));
}

TEST_F(CallFlowTest, CallingAnOfflineContactDoesNothing) {
    b.reset();
    ASSERT_TRUE(waitUntil([&] { return !a->channel().peer().online; }, 8s));
    a->calls().placeCall();
    EXPECT_EQ(state(*a), State::Idle);
}

} // namespace
} // namespace charla::test
