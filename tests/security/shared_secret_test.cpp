// The shared secret over TLS (issue 13, docs/security.md "Shared secret and TLS"): the signature
// covers the TLS connection's exporter value, so a relay that terminates TLS with each side cannot
// pass a signed call on, even at first contact; a relay that answers in the contact's place gets
// nothing but pings (answers are signed too, and nothing else goes to a key that has not proved
// the secret); the right secret verifies the contact's key; a wrong one is refused both ways.
// Real sessions, real TLS on loopback.
#include "tls_sessions.h"

#include "ports.h"
#include "session_pair.h"
#include "tls_relay.h"
#include "wait.h"

#ifdef CHARLA_SECURITY_TEXT_CHAT
#include "text_chat.h" // the text plugin's sender, without its window
#endif

#include <gtest/gtest.h>

#include <QTemporaryDir>

#include <map>
#include <string_view>
#include <thread>

namespace charla::test {
namespace {

using namespace std::chrono_literals;

// The echo fixture's counters, read in-process (its worker calls the contact's echo.say every
// 20 ms: "ok" counts the calls the contact answered).
int echoAnswered(host::Session& s) {
    const xmlrpc_c::value stats = s.channel().methods().dispatch("echo.stats", {});
    const std::map<std::string, xmlrpc_c::value> fields = xmlrpc_c::value_struct(stats);
    return xmlrpc_c::value_int(fields.at("ok"));
}

// echoFault(): the call was held back by the client, not sent: the contact's key has not proved
// the shared secret (only host.ping goes to such a key).
constexpr int kNotSent = -2;

// The fault code of an echo.say from `s` to its contact, 0 if it was answered, kNotSent, or -1
// for another failure.
int echoFault(host::Session& s) {
    try {
        s.channel().makeStream("test")->call(
            "echo.say", xmlrpc_c::paramList().add(xmlrpc_c::value_string("hello")), 5s);
        return 0;
    } catch (const sdk::PeerCallError& e) {
        if (e.kind() == sdk::PeerCallError::Kind::Unreachable &&
            std::string_view(e.what()).find("not sent") != std::string_view::npos)
            return kNotSent;
        return e.faultCode() != 0 ? e.faultCode() : -1;
    }
}

// The two meet for the first time, with the same secret, but through a relay that terminates TLS
// with each of them under its own key and forwards every byte it decrypts (headers included):
// trust on first use accepts the relay's key, and before the signature was bound to the
// connection the relayed calls passed. Now each side's server sees a signature made for another
// connection: 401 both ways, nothing delivered, no key verified.
TEST(SharedSecret, ARelayAtFirstContactIsRefusedOnBothSidesAndNothingIsDelivered) {
    QTemporaryDir attackerDir;
    ASSERT_TRUE(attackerDir.isValid());
    const security::Identity attacker = identityIn(attackerDir.path());
    RelayedPair pair(attacker, TlsRelay::Mode::Relays,
                     [](host::SessionConfig& a, host::SessionConfig& b) {
                         a.secret = b.secret = "the same secret on both sides 4d1c";
                     });
    host::Session *a = pair.a.get(), *b = pair.b.get();
    const QString &aRefusal = pair.aRefusal, &bRefusal = pair.bRefusal;
    ASSERT_TRUE(waitUntil([&] {
        return aRefusal.contains("shared secrets differ") &&
               bRefusal.contains("shared secrets differ");
    })) << "refusals: A '"
        << aRefusal.toStdString() << "', B '" << bRefusal.toStdString() << "'; online "
        << online(*a) << "/" << online(*b);
    EXPECT_TRUE(aRefusal.contains("relays")) << aRefusal.toStdString();
    // The relay was trusted (first contact) and carried the calls: the signature refused them.
    // (Their pings, the only calls that go to a key that has not proved the secret.)
    EXPECT_GT(pair.toBob.bytesRelayed(), 0u);
    EXPECT_GT(pair.toAlice.bytesRelayed(), 0u);
    // Any other call is not even sent: the relay's key never proved the secret.
    EXPECT_EQ(echoFault(*a), kNotSent);
    EXPECT_EQ(echoFault(*b), kNotSent);
    pumpFor(500ms); // the echo workers keep calling every 20 ms meanwhile
    EXPECT_FALSE(online(*a));
    EXPECT_FALSE(online(*b));
    EXPECT_FALSE(a->channel().peer().introduced) << "Bob's hello reached Alice";
    EXPECT_FALSE(b->channel().peer().introduced) << "Alice's hello reached Bob";
    EXPECT_EQ(echoAnswered(*a), 0) << "a call of Alice's was delivered through the relay";
    EXPECT_EQ(echoAnswered(*b), 0) << "a call of Bob's was delivered through the relay";
    EXPECT_FALSE(contactKey(*a).verified) << "Alice verified the relay's key";
    EXPECT_FALSE(contactKey(*b).verified) << "Bob verified the relay's key";
    EXPECT_EQ(contactKey(*a).presented, attacker.publicKey()); // it was the relay she met
}

// At a first contact with the same secret on both sides, the relay in front of Bob does not pass
// Alice's calls on: it answers them itself, as Bob would ("delivered" to her message), with its
// own key, trusted on first use. It cannot sign an answer with the secret, so Alice's key for
// "Bob" never proves it: she sends it nothing but host.ping (an empty call), neither her hello
// nor her message nor her plugins' calls, and the message stays in her outbox, not delivered.
// (Before answers were signed, the relay read her hello and her message and said "delivered".)
TEST(SharedSecret, ARelayThatAnswersInTheContactsPlaceAtFirstContactGetsNothingButPings) {
#ifndef CHARLA_SECURITY_TEXT_CHAT
    GTEST_SKIP() << "built without the text plugin (charla_text_logic): no outbox to check";
#else
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    // Alice's "Bob" answers her itself; Bob's way to Alice is an ordinary relay.
    RelayedPair pair(identityIn(dir.filePath("attacker")), TlsRelay::Mode::AnswersItself,
                     [](host::SessionConfig& a, host::SessionConfig& b) {
                         a.secret = b.secret = "the same secret on both sides 91ae";
                     });
    host::Session *a = pair.a.get(), *b = pair.b.get();
    const TlsRelay& impostor = pair.toBob;

    // Alice's text chat sends on her session's own stream, as the text plugin does.
    text::SenderTiming timing;
    timing.firstRetry = 100ms;
    timing.maxRetry = 200ms;
    text::TextChat chat("alice", dir.filePath("alice.sqlite"), timing);
    host::Session* alice = a;
    std::jthread sender([&chat, alice](std::stop_token stop) {
        chat.runSender(stop, alice->channel().makeStream("text"),
                       [alice] { return alice->channel().peer(); });
    });
    const std::string message = "the spare key is under the third flowerpot 5e1b";
    const std::optional<QUuid> id = chat.send(QString::fromStdString(message));
    ASSERT_TRUE(id) << chat.sendError().toStdString();

    // Alice pings every 100 ms; her sender and her echo worker try meanwhile.
    ASSERT_TRUE(waitUntil([&] { return impostor.methodsCalled().size() >= 8; }))
        << "Alice called the relay " << impostor.methodsCalled().size() << " times";
    pumpFor(500ms);
    sender.request_stop();
    sender.join();

    std::string others; // the calls other than host.ping that reached the relay
    for (const std::string& method : impostor.methodsCalled())
        if (method != "host.ping" && others.find(method + " ") == std::string::npos)
            others += method + " ";
    EXPECT_EQ(others, "") << "calls other than host.ping reached the relay";
    const std::string heard = impostor.heard();
    EXPECT_EQ(heard.find(message), std::string::npos) << "the message reached the relay";
    EXPECT_EQ(heard.find("alice"), std::string::npos) << "Alice's hello reached the relay";
    const auto head = chat.store().outboxHead();
    ASSERT_TRUE(head) << "the message left the outbox (shown delivered by the relay)";
    EXPECT_EQ(head->message.id, *id);
    EXPECT_FALSE(online(*a));
    EXPECT_FALSE(a->channel().peer().introduced) << "the relay's hello reached Alice";
    EXPECT_FALSE(contactKey(*a).verified) << "Alice verified the relay's key";
    EXPECT_FALSE(contactKey(*b).verified) << "Bob verified the relay's key";
    EXPECT_TRUE(pair.aRefusal.contains("do not prove the shared secret"))
        << "Alice's banner: '" << pair.aRefusal.toStdString() << "'";
#endif
}

// Different secrets: every ping both ways is refused with 401 (nothing else is sent to a key that
// has not proved the secret) and each side says why; nothing is
// verified. Then the two meet again with the same secret over a direct link: their calls pass,
// and each side's key is verified by it (in known_peers, and shown as such).
TEST(SharedSecret, AWrongSecretIsRefusedBothWaysTheRightOneVerifiesTheKeys) {
    const auto make = [](const char* aSecret, const char* bSecret) {
        return [aSecret, bSecret](std::uint16_t port, std::uint16_t peer, const QString& user) {
            host::SessionConfig config = loopbackConfig(port, peer, user, kEcho);
            config.secret = user == "alice" ? aSecret : bSecret;
            return std::make_unique<host::Session>(config);
        };
    };
    {
        SessionPair pair;
        const std::string error = pair.start(make("correct horse", "battery staple"));
        ASSERT_TRUE(error.empty()) << error;
        QString aRefusal, bRefusal;
        watchRefusal(*pair.a, &aRefusal);
        watchRefusal(*pair.b, &bRefusal);
        ASSERT_TRUE(waitUntil([&] {
            return aRefusal.contains("shared secrets differ") &&
                   bRefusal.contains("shared secrets differ");
        })) << "refusals: A '"
            << aRefusal.toStdString() << "', B '" << bRefusal.toStdString() << "'";
        // Their pings got 401 (the refusals above); nothing else is sent to an unproved key.
        EXPECT_EQ(echoFault(*pair.a), kNotSent);
        EXPECT_EQ(echoFault(*pair.b), kNotSent);
        EXPECT_FALSE(online(*pair.a));
        EXPECT_FALSE(online(*pair.b));
        EXPECT_EQ(echoAnswered(*pair.a), 0);
        EXPECT_EQ(echoAnswered(*pair.b), 0);
        EXPECT_FALSE(contactKey(*pair.a).verified);
        EXPECT_FALSE(contactKey(*pair.b).verified);
    }
    SessionPair pair;
    const std::string error = pair.start(make("correct horse", "correct horse"));
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_TRUE(waitUntil([&] { return online(*pair.a) && online(*pair.b); }));
    EXPECT_EQ(echoFault(*pair.a), 0);
    EXPECT_EQ(echoFault(*pair.b), 0);
    ASSERT_TRUE(waitUntil([&] {
        return contactKey(*pair.a).verified && contactKey(*pair.b).verified;
    })) << "verified: A "
        << contactKey(*pair.a).verified << ", B " << contactKey(*pair.b).verified;
    EXPECT_TRUE(contactKey(*pair.a).bySecret);
    EXPECT_TRUE(contactKey(*pair.b).bySecret);
    // Remembered, and for the right key: Bob's own, not some other.
    const QString bobAsKnown = QStringLiteral("127.0.0.1:%1").arg(pair.portB);
    const auto known = knownKey(pair.a->config().securityDir, bobAsKnown);
    ASSERT_TRUE(known);
    EXPECT_TRUE(known->verified);
    EXPECT_EQ(known->fingerprint, pair.b->channel().tls()->identity().fingerprint());
}

} // namespace
} // namespace charla::test
