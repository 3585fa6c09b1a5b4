// The shared secret over TLS (issue 13, docs/security.md "Shared secret and TLS"): the signature
// covers the TLS connection's exporter value, so a relay that terminates TLS with each side cannot
// pass a signed call on, even at first contact; the right secret verifies the contact's key; a
// wrong one is refused both ways. Real sessions, real TLS on loopback.
#include "core/session.h"
#include "security/identity.h"
#include "security/tls.h"
#include "security/trust_store.h"

#include "ports.h"
#include "session_pair.h"
#include "tls_relay.h"
#include "wait.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QTemporaryDir>

#include <map>

namespace charla::test {
namespace {

using namespace std::chrono_literals;

const QString kEcho = QStringLiteral(CHARLA_TEST_PLUGINS_DIR "/good");

std::unique_ptr<host::Session> startSession(const host::SessionConfig& config) {
    auto session = std::make_unique<host::Session>(config);
    session->start();
    return session;
}

bool online(host::Session& s) {
    return s.channel().peer().online;
}

// The echo fixture's counters, read in-process (its worker calls the contact's echo.say every
// 20 ms: "ok" counts the calls the contact answered).
int echoAnswered(host::Session& s) {
    const xmlrpc_c::value stats = s.channel().methods().dispatch("echo.stats", {});
    const std::map<std::string, xmlrpc_c::value> fields = xmlrpc_c::value_struct(stats);
    return xmlrpc_c::value_int(fields.at("ok"));
}

// The fault code of an echo.say from `s` to its contact, 0 if it was answered.
int echoFault(host::Session& s) {
    try {
        s.channel().makeStream("test")->call(
            "echo.say", xmlrpc_c::paramList().add(xmlrpc_c::value_string("hello")), 5s);
        return 0;
    } catch (const sdk::PeerCallError& e) {
        return e.faultCode() != 0 ? e.faultCode() : -1;
    }
}

security::TlsContext::PeerKeyView contactKey(host::Session& s) {
    return s.channel().tls()->peerKey(s.channel().peerAddress().display());
}

std::optional<security::KnownKey> knownKey(const QString& dir, const QString& contact) {
    QString error;
    auto store = security::TrustStore::load(QDir(dir).filePath("known_peers"), &error);
    return store ? store->known(contact) : std::nullopt;
}

// The two meet for the first time, with the same secret, but through a relay that terminates TLS
// with each of them under its own key and forwards every byte it decrypts (headers included):
// trust on first use accepts the relay's key, and before the signature was bound to the
// connection the relayed calls passed. Now each side's server sees a signature made for another
// connection: 401 both ways, nothing delivered, no key verified.
TEST(SharedSecret, ARelayAtFirstContactIsRefusedOnBothSidesAndNothingIsDelivered) {
    const auto [portA, portB] = reserveTwoPorts();
    QTemporaryDir attackerDir;
    ASSERT_TRUE(attackerDir.isValid());
    QString error;
    auto attacker = security::Identity::loadOrCreate(attackerDir.path(), &error);
    ASSERT_TRUE(attacker) << error.toStdString();
    TlsRelay toBob(portB, *attacker);
    TlsRelay toAlice(portA, *attacker);

    host::SessionConfig aConfig = loopbackConfig(portA, toBob.port(), "alice", kEcho);
    host::SessionConfig bConfig = loopbackConfig(portB, toAlice.port(), "bob", kEcho);
    aConfig.secret = bConfig.secret = "the same secret on both sides 4d1c";
    auto b = startSession(bConfig);
    auto a = startSession(aConfig);
    QString aRefusal, bRefusal;
    QObject::connect(a.get(), &host::Session::refusalChanged,
                     [&](const QString& why) { aRefusal = why; });
    QObject::connect(b.get(), &host::Session::refusalChanged,
                     [&](const QString& why) { bRefusal = why; });
    ASSERT_TRUE(waitUntil([&] {
        return aRefusal.contains("shared secrets differ") &&
               bRefusal.contains("shared secrets differ");
    })) << "refusals: A '"
        << aRefusal.toStdString() << "', B '" << bRefusal.toStdString() << "'; online "
        << online(*a) << "/" << online(*b);
    EXPECT_TRUE(aRefusal.contains("relays")) << aRefusal.toStdString();
    // The relay was trusted (first contact) and carried the calls: the signature refused them.
    EXPECT_GT(toBob.bytesRelayed(), 0u);
    EXPECT_GT(toAlice.bytesRelayed(), 0u);
    EXPECT_EQ(echoFault(*a), sdk::kFaultUnauthorized);
    EXPECT_EQ(echoFault(*b), sdk::kFaultUnauthorized);
    pumpFor(500ms); // the echo workers keep calling every 20 ms meanwhile
    EXPECT_FALSE(online(*a));
    EXPECT_FALSE(online(*b));
    EXPECT_FALSE(a->channel().peer().introduced) << "Bob's hello reached Alice";
    EXPECT_FALSE(b->channel().peer().introduced) << "Alice's hello reached Bob";
    EXPECT_EQ(echoAnswered(*a), 0) << "a call of Alice's was delivered through the relay";
    EXPECT_EQ(echoAnswered(*b), 0) << "a call of Bob's was delivered through the relay";
    EXPECT_FALSE(contactKey(*a).verified) << "Alice verified the relay's key";
    EXPECT_FALSE(contactKey(*b).verified) << "Bob verified the relay's key";
    EXPECT_EQ(contactKey(*a).presented, attacker->publicKey()); // it was the relay she met
}

// Different secrets: every call both ways is refused with 401 and each side says why; nothing is
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
        QObject::connect(pair.a.get(), &host::Session::refusalChanged,
                         [&](const QString& why) { aRefusal = why; });
        QObject::connect(pair.b.get(), &host::Session::refusalChanged,
                         [&](const QString& why) { bRefusal = why; });
        ASSERT_TRUE(waitUntil([&] {
            return aRefusal.contains("shared secrets differ") &&
                   bRefusal.contains("shared secrets differ");
        })) << "refusals: A '"
            << aRefusal.toStdString() << "', B '" << bRefusal.toStdString() << "'";
        EXPECT_EQ(echoFault(*pair.a), sdk::kFaultUnauthorized);
        EXPECT_EQ(echoFault(*pair.b), sdk::kFaultUnauthorized);
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
