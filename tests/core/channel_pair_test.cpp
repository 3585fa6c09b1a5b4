// Two complete hosts (Session: Channel + PeerLink + PluginManager) in one process, talking over
// loopback with the echo fixture plugin loaded on both sides.
#include "core/method_table.h"
#include "core/rpc_server.h"
#include "core/session.h"

#include <charla/sdk/version.h>

#include "test_support.h"

#include <gtest/gtest.h>

namespace charla::test {
namespace {

using host::Session;
using host::SessionConfig;

SessionConfig pairConfig(std::uint16_t port, std::uint16_t peerPort, const QString& user) {
    return loopbackConfig(port, peerPort, user, QString::fromStdString(pluginDir("good")));
}

std::unique_ptr<Session> makeSession(std::uint16_t port, std::uint16_t peerPort,
                                     const QString& user) {
    return std::make_unique<Session>(pairConfig(port, peerPort, user));
}

xmlrpc_c::value stats(std::uint16_t port) {
    return rpc(port, "echo.stats");
}

bool seesOnlineWithEcho(Session& s) {
    const sdk::PeerInfo p = s.channel().peer();
    return p.online && p.introduced && p.plugin("echo") != nullptr;
}

class ChannelPairTest : public ::testing::Test {
protected:
    void SetUp() override {
        // B first, so A's link meets B with its very first ping and A's view of B never
        // depends on B's hello alone (PeerPresence below covers that case).
        const std::string error = pair_.start(makeSession, /*bobFirst=*/true);
        ASSERT_TRUE(error.empty()) << "cannot start two sessions: " << error;
    }
    void TearDown() override {
        // Wake any echo.slow still waiting, so that disabling echo does not wait for it.
        for (auto* s : {a.get(), b.get()})
            if (s && s->channel().methods().contains("echo.release"))
                s->channel().methods().dispatch("echo.release", xmlrpc_c::paramList());
        pair_.reset();
    }
    void waitForTraffic() {
        ASSERT_TRUE(waitUntil([&] { return seesOnlineWithEcho(*a) && seesOnlineWithEcho(*b); }))
            << "the hosts did not introduce themselves";
        ASSERT_TRUE(waitUntil([&] {
            return intMember(stats(portA), "ok") >= 5 && intMember(stats(portB), "ok") >= 5;
        })) << "no echo traffic: A "
            << intMember(stats(portA), "ok") << ", B " << intMember(stats(portB), "ok");
    }

    SessionPair pair_;
    std::uint16_t &portA = pair_.portA, &portB = pair_.portB;
    std::unique_ptr<Session>&a = pair_.a, &b = pair_.b;
};

TEST_F(ChannelPairTest, BothSidesMeetAndExchangeHello) {
    ASSERT_TRUE(waitUntil([&] { return seesOnlineWithEcho(*a) && seesOnlineWithEcho(*b); }));
    const sdk::PeerInfo seenByA = a->channel().peer();
    const sdk::PeerInfo seenByB = b->channel().peer();
    EXPECT_EQ(seenByA.user, "bob");
    EXPECT_EQ(seenByB.user, "alice");
    for (const auto& p : {seenByA, seenByB}) {
        EXPECT_EQ(p.app, "Charla");
        EXPECT_EQ(p.appVersion, CHARLA_VERSION);
        EXPECT_EQ(p.protocol, CHARLA_PROTOCOL_VERSION);
        ASSERT_EQ(p.plugins.size(), 1u);
        EXPECT_EQ(p.plugins[0].id, "echo");
        EXPECT_EQ(p.plugins[0].version, "1.2.3");
        EXPECT_EQ(p.plugins[0].sends, std::vector<std::string>{"echo"});
        EXPECT_EQ(p.plugins[0].receives, std::vector<std::string>{"echo"});
        EXPECT_TRUE(p.receives("echo", "echo"));
    }
    EXPECT_EQ(a->plugins().find("echo")->state, host::PluginState::Enabled);
}

TEST_F(ChannelPairTest, EchoWorkersTrafficFlowsBothWays) {
    ASSERT_NO_FATAL_FAILURE(waitForTraffic());
    const auto sa = stats(portA);
    EXPECT_GE(intMember(sa, "ok"), 5);
    // Calls from the test (a third client) are served alongside the workers' streams.
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(portB, "echo.say", params({xmlrpc_c::value_string("from the test")})))),
              "from the test");
}

// Fault containment: a handler that throws (not a fault, not a parameter error) answers -32603,
// and the host marks its plugin failed and disables it; the peer learns echo is gone.
TEST_F(ChannelPairTest, AMethodThatThrowsFailsItsPlugin) {
    ASSERT_NO_FATAL_FAILURE(waitForTraffic());
    EXPECT_EQ(rpcFaultCode(portA, "echo.boom"), -32603);
    ASSERT_TRUE(waitUntil([&] {
        return a->plugins().find("echo")->state == host::PluginState::Failed;
    })) << "echo is still "
        << host::toString(a->plugins().find("echo")->state).toStdString();
    EXPECT_TRUE(a->plugins().find("echo")->reason.contains("boom"))
        << a->plugins().find("echo")->reason.toStdString();
    EXPECT_EQ(rpcFaultCode(portA, "echo.say", params({xmlrpc_c::value_string("x")})), -32601);
    EXPECT_TRUE(waitUntil([&] { return b->channel().peer().plugin("echo") == nullptr; }));
    // B is unaffected.
    EXPECT_EQ(b->plugins().find("echo")->state, host::PluginState::Enabled);
}

TEST_F(ChannelPairTest, DisablingAndReenablingAPluginAtRuntime) {
    ASSERT_NO_FATAL_FAILURE(waitForTraffic());
    QString error;
    ASSERT_TRUE(a->plugins().setEnabled("echo", false, &error)) << error.toStdString();
    EXPECT_EQ(a->plugins().find("echo")->state, host::PluginState::Disabled);

    // A stops serving echo at once.
    const auto methods = listMethods(portA);
    EXPECT_FALSE(contains(methods, "echo.say"));
    EXPECT_FALSE(contains(methods, "echo.stats"));
    EXPECT_TRUE(contains(methods, "host.ping"));
    EXPECT_EQ(rpcFaultCode(portA, "echo.say", params({xmlrpc_c::value_string("x")})), -32601);
    // B learns that A no longer has echo, and B's worker now gets faults from A.
    EXPECT_TRUE(waitUntil([&] {
        const sdk::PeerInfo p = b->channel().peer();
        return p.online && p.plugin("echo") == nullptr;
    })) << "B still lists echo for A";
    const int failedBefore = intMember(stats(portB), "failed");
    EXPECT_TRUE(waitUntil([&] { return intMember(stats(portB), "failed") > failedBefore; }));
    EXPECT_NE(
        xmlrpc_c::value_string(asStruct(stats(portB)).at("last_error")).cvalue().find("-32601"),
        std::string::npos);

    // Re-enabled: the methods return, B sees echo again and traffic from B to A succeeds again.
    ASSERT_TRUE(a->plugins().setEnabled("echo", true, &error)) << error.toStdString();
    EXPECT_TRUE(contains(listMethods(portA), "echo.say"));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(portA, "echo.say", params({xmlrpc_c::value_string("again")})))),
              "again");
    EXPECT_TRUE(waitUntil([&] { return seesOnlineWithEcho(*b); })) << "B never saw echo again";
    const int okBefore = intMember(stats(portB), "ok");
    EXPECT_TRUE(waitUntil([&] { return intMember(stats(portB), "ok") >= okBefore + 5; }));
    // A's new instance starts counting afresh and its worker reaches B again.
    EXPECT_TRUE(waitUntil([&] { return intMember(stats(portA), "ok") >= 5; }));
}

// Datagrams between two full hosts: from A's echo to B's echo over UDP on the same port numbers
// as XML-RPC; disabling echo on B removes its handler, re-enabling brings a fresh one.
TEST_F(ChannelPairTest, PluginDatagramsTravelAndStopWithThePlugin) {
    ASSERT_NO_FATAL_FAILURE(waitForTraffic());
    auto send = [&](const std::string& text) {
        return xmlrpc_c::value_boolean(
                   rpc(portA, "echo.sendDatagram", params({xmlrpc_c::value_string(text)})))
            .cvalue();
    };
    ASSERT_TRUE(send("over udp"));
    ASSERT_TRUE(waitUntil([&] { return intMember(stats(portB), "datagrams") == 1; }));
    EXPECT_EQ(xmlrpc_c::value_string(asStruct(stats(portB)).at("last_datagram")).cvalue(),
              "over udp");

    QString error;
    ASSERT_TRUE(b->plugins().setEnabled("echo", false, &error)) << error.toStdString();
    const auto unclaimedBefore = b->channel().datagrams().stats().unclaimed;
    ASSERT_TRUE(send("nobody listens"));
    EXPECT_TRUE(waitUntil(
        [&] { return b->channel().datagrams().stats().unclaimed == unclaimedBefore + 1; }));

    ASSERT_TRUE(b->plugins().setEnabled("echo", true, &error)) << error.toStdString();
    ASSERT_TRUE(send("again"));
    ASSERT_TRUE(waitUntil([&] { return intMember(stats(portB), "datagrams") == 1; }));
    EXPECT_EQ(xmlrpc_c::value_string(asStruct(stats(portB)).at("last_datagram")).cvalue(), "again");
    EXPECT_EQ(b->channel().datagrams().stats().foreign, 0u);
}

TEST_F(ChannelPairTest, StoppingAPluginBlockedOnAHangingPeerTakesUnderOneSecond) {
    ASSERT_NO_FATAL_FAILURE(waitForTraffic());
    // A's worker calls B's echo.slow(10 s) with a 10 s timeout: B holds the call.
    ASSERT_TRUE(xmlrpc_c::value_boolean(
        rpc(portA, "echo.callPeerSlow", params({xmlrpc_c::value_int(10000)}))));
    ASSERT_TRUE(waitUntil([&] { return intMember(stats(portB), "slow_active") >= 1; }))
        << "A's worker never got into B's echo.slow";
    ASSERT_EQ(intMember(stats(portA), "slow_calls"), 1);

    const auto start = Clock::now();
    QString error;
    ASSERT_TRUE(a->plugins().setEnabled("echo", false, &error)) << error.toStdString();
    const auto elapsed = msSince(start);
    EXPECT_LT(elapsed, 1000) << "disabling echo while its worker waits on the peer took " << elapsed
                             << " ms";
    RecordProperty("stop_ms", static_cast<int>(elapsed));
    EXPECT_EQ(a->plugins().find("echo")->state, host::PluginState::Disabled);
    EXPECT_FALSE(a->channel().methods().contains("echo.say"));
    // B's handler is still waiting (the interrupt was on A's side); release it.
    EXPECT_EQ(intMember(stats(portB), "slow_active"), 1);
    EXPECT_EQ(int(xmlrpc_c::value_int(rpc(portB, "echo.release"))), 1);
    EXPECT_TRUE(waitUntil([&] { return intMember(stats(portB), "slow_active") == 0; }));
}

TEST_F(ChannelPairTest, APeerGoingAwayIsSeenOfflineAndComingBackOnline) {
    ASSERT_NO_FATAL_FAILURE(waitForTraffic());
    b.reset(); // B stops: server, link and plugins
    EXPECT_TRUE(waitUntil([&] { return !a->channel().peer().online; }, 5s))
        << "A still sees B online";
    // A's worker keeps running and counts the failures.
    const int failedBefore = intMember(stats(portA), "failed");
    EXPECT_TRUE(waitUntil([&] { return intMember(stats(portA), "failed") > failedBefore; }));

    // A new B on the same port: A sees it online again and they introduce themselves again.
    b = makeSession(portB, portA, "bob2");
    ASSERT_NO_THROW(b->start());
    EXPECT_TRUE(waitUntil([&] { return seesOnlineWithEcho(*a) && seesOnlineWithEcho(*b); }));
    EXPECT_EQ(a->channel().peer().user, "bob2");
    EXPECT_EQ(b->channel().peer().user, "alice");
    const int okBefore = intMember(stats(portA), "ok");
    EXPECT_TRUE(waitUntil([&] { return intMember(stats(portA), "ok") > okBefore; }));
}

TEST_F(ChannelPairTest, PeerChangedSignalReachesTheSessionThread) {
    int received = 0;
    sdk::PeerInfo last;
    QObject::connect(a.get(), &Session::peerChanged, [&](const sdk::PeerInfo& p) {
        ++received;
        last = p;
    });
    ASSERT_TRUE(waitUntil([&] { return received > 0 && last.introduced; }));
    EXPECT_EQ(last.user, "bob");
    ASSERT_NO_FATAL_FAILURE(waitForTraffic());
    b.reset();
    EXPECT_TRUE(waitUntil([&] { return !last.online; })) << "no offline signal";
}

// One host whose contact introduces itself with host.hello (so it is online and introduced) and
// then vanishes before this host's own ping ever reached it.
TEST(PeerPresence, AContactThatSaysHelloAndVanishesIsSeenOffline) {
    RawServer nobody(/*listen=*/false, false); // the contact's port: connections are refused
    SessionConfig config = loopbackConfig(0, nobody.port(), "alice");
    config.plaintext = true; // the stand-in contact and rpc() below speak plain XML-RPC
    Session a(config);
    a.start();
    std::map<std::string, xmlrpc_c::value> hello{
        {"app", xmlrpc_c::value_string("Charla")},
        {"version", xmlrpc_c::value_string("0.1.0")},
        {"protocol", xmlrpc_c::value_int(1)},
        {"user", xmlrpc_c::value_string("ghost")},
        {"plugins_serial", xmlrpc_c::value_int(1)},
        {"plugins", xmlrpc_c::value_array(std::vector<xmlrpc_c::value>{})}};
    rpc(a.channel().port(), "host.hello", params({xmlrpc_c::value_struct(hello)}));
    // The hello marked the contact online; a failing ping may already have turned that back
    // (the link pings every 100 ms), so only the introduction is checked here.
    ASSERT_EQ(a.channel().peer().user, "ghost");
    // Every ping to the contact is refused from now on.
    EXPECT_TRUE(waitUntil([&] { return !a.channel().peer().online; }))
        << "the contact stays online although every ping is refused";
}

// A stand-in contact that answers host.ping and fails every host.hello in the way `hello`
// chooses, counting the hellos it gets.
class FailingHelloContact {
public:
    explicit FailingHelloContact(std::function<xmlrpc_c::value()> hello) : server_(table_) {
        sdk::MethodSpec ping;
        ping.name = "host.ping";
        ping.handler = [](const xmlrpc_c::paramList&) {
            return xmlrpc_c::value_struct(
                std::map<std::string, xmlrpc_c::value>{{"app", xmlrpc_c::value_string("Charla")},
                                                       {"protocol", xmlrpc_c::value_int(1)},
                                                       {"plugins_serial", xmlrpc_c::value_int(1)}});
        };
        table_.add("contact", std::move(ping));
        sdk::MethodSpec helloSpec;
        helloSpec.name = "host.hello";
        helloSpec.handler = [this, hello = std::move(hello)](const xmlrpc_c::paramList&) {
            ++hellos_;
            return hello();
        };
        table_.add("contact", std::move(helloSpec));
        server_.start("127.0.0.1", 0);
    }
    std::uint16_t port() const { return server_.port(); }
    int hellos() const { return hellos_; }

private:
    host::MethodTable table_;
    host::RpcServer server_;
    std::atomic<int> hellos_{0};
};

// Watches a host whose contact fails every host.hello for `watch`; returns the hellos it sent.
int hellosSentTo(FailingHelloContact& contact, std::chrono::milliseconds watch) {
    SessionConfig config = loopbackConfig(0, contact.port(), "alice");
    config.plaintext = true; // the stand-in contact is a plain RpcServer (a foreign peer)
    Session a(config);
    a.start();
    EXPECT_TRUE(waitUntil([&] { return a.channel().peer().online; }))
        << "the contact answers host.ping but is not shown online";
    std::this_thread::sleep_for(watch);
    return contact.hellos();
}

// The contact cannot read our hello (any fault): the link tries again after 1 s, 2 s, 4 s...,
// it does not spin (it made thousands of calls a second, with a log line each).
TEST(PeerPresence, AHelloTheContactRefusesIsRetriedWithBackoffNotInALoop) {
    FailingHelloContact contact([]() -> xmlrpc_c::value {
        throw sdk::fault(sdk::kFaultParse, "malformed XML-RPC call: not well-formed");
    });
    const int hellos = hellosSentTo(contact, 3500ms);
    EXPECT_GE(hellos, 1);
    EXPECT_LE(hellos, 4) << "host.hello is retried in a loop";
}

// The contact answers our hello with something that is not a hello: the same back-off.
TEST(PeerPresence, AMalformedHelloAnswerIsRetriedWithBackoffNotInALoop) {
    FailingHelloContact contact([] { return xmlrpc_c::value(xmlrpc_c::value_string("garbage")); });
    const int hellos = hellosSentTo(contact, 3500ms);
    EXPECT_GE(hellos, 1);
    EXPECT_LE(hellos, 4) << "host.hello is retried in a loop";
}

// A plugin announces a character outside the Basic Multilingual Plane (an emoji): both sides
// still meet, and the contact reads the value exactly as announced.
TEST_F(ChannelPairTest, AnEmojiInAPluginsAnnouncementReachesTheContact) {
    b.reset();
    a.reset();
    const std::string greeting = "hola \xF0\x9F\x91\x8B"; // "hola 👋"
    SessionConfig withGreeting = pairConfig(portA, portB, "alice");
    withGreeting.pluginOptions["echo.greeting"] = greeting;
    a = std::make_unique<Session>(withGreeting);
    b = makeSession(portB, portA, "bob");
    b->start();
    a->start();
    ASSERT_TRUE(waitUntil([&] { return seesOnlineWithEcho(*a) && seesOnlineWithEcho(*b); }))
        << "the hosts did not introduce themselves";
    // peer() answers a copy: keep it while looking into it.
    sdk::PeerInfo seen;
    ASSERT_TRUE(waitUntil([&] {
        seen = b->channel().peer();
        const sdk::PeerPlugin* echo = seen.plugin("echo");
        return echo && echo->params.count("greeting");
    })) << "bob never got alice's greeting";
    EXPECT_EQ(seen.plugin("echo")->params.at("greeting"), greeting);
}

// A value that cannot travel is refused to the plugin with a reason (here its initialize() does
// not catch it, so the host fails the plugin with that reason); presence is not disturbed.
TEST(PeerAnnouncements, AValueThatCannotTravelIsRefusedToThePluginWithAReason) {
    const std::pair<std::string, std::string> cases[] = {
        {std::string("bell\x07"), "U+0007"},
        {std::string("cr\r"), "U+000D"},
        {std::string("bad \xC3\x28 utf-8"), "not valid UTF-8"},
        {std::string(2000, 'x'), "more than 1024"},
    };
    for (const auto& [value, reason] : cases) {
        SessionConfig config = pairConfig(0, freePort(), "alice");
        config.pluginOptions["echo.greeting"] = value;
        Session a(config);
        a.start();
        const host::PluginRecord* echo = a.plugins().find("echo");
        ASSERT_NE(echo, nullptr);
        EXPECT_EQ(echo->state, host::PluginState::Failed) << "announced: " << reason;
        EXPECT_TRUE(echo->reason.contains("announce")) << echo->reason.toStdString();
        EXPECT_TRUE(echo->reason.contains(QString::fromStdString(reason)))
            << echo->reason.toStdString();
    }
}

} // namespace
} // namespace charla::test
