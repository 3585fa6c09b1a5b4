// TLS between two real sessions on loopback (issue 13, docs/security.md "Encrypted transport"):
// a call crosses encrypted, a man-in-the-middle with its own key is refused by both sides, a key
// changed after first contact is refused, and plain HTTP to a TLS Charla gets nothing.
#include "tls_sessions.h"

#include "ports.h"
#include "session_pair.h"
#include "tcp_proxy.h"
#include "tls_relay.h"
#include "wait.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <mutex>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace charla::test {
namespace {

using namespace std::chrono_literals;

// Alice's calls to Bob go through a TcpProxy that keeps every byte it forwards: what someone on
// the path sees.
TEST(Tls, ACallCrossesEncryptedAndIsDelivered) {
    const auto [portA, portB] = reserveTwoPorts();
    std::mutex mutex;
    std::string seen;
    TcpProxy tap(portB, [&](TcpProxy::Direction, std::string_view bytes) {
        std::lock_guard lock(mutex);
        seen.append(bytes);
    });
    auto b = startSession(loopbackConfig(portB, portA, "bob", kEcho));
    auto a = startSession(loopbackConfig(portA, tap.port(), "alice", kEcho));
    ASSERT_TRUE(waitUntil([&] { return online(*a) && online(*b); }))
        << "the sessions did not meet over TLS";
    EXPECT_EQ(a->channel().peer().user, "bob");
    EXPECT_EQ(b->channel().peer().user, "alice");

    const std::string message = "meet me at the old mill at 9, bring the maps 7f3a";
    auto stream = a->channel().makeStream("test");
    const xmlrpc_c::value answer =
        stream->call("echo.say", xmlrpc_c::paramList().add(xmlrpc_c::value_string(message)), 5s);
    EXPECT_EQ(xmlrpc_c::value_string(answer).cvalue(), message) << "the message was not delivered";

    std::lock_guard lock(mutex);
    ASSERT_GT(seen.size(), 1000u) << "the tap saw (almost) nothing";
    EXPECT_EQ(seen.find(message), std::string::npos) << "the message crossed in clear";
    EXPECT_EQ(seen.find("methodCall"), std::string::npos) << "XML-RPC crossed in clear";
    EXPECT_EQ(seen.find("POST /RPC2"), std::string::npos) << "HTTP crossed in clear";
    EXPECT_EQ(seen.find("alice"), std::string::npos) << "the hello crossed in clear";
    EXPECT_EQ(static_cast<unsigned char>(seen[0]), 0x16) << "not a TLS handshake record";
}

// Both sides knew each other's key (pinned, as after a first contact or a compared safety number);
// each now reaches the other only through a relay that terminates TLS with its own key.
TEST(Tls, AManInTheMiddleIsRefusedOnBothSides) {
    QTemporaryDir attackerDir;
    ASSERT_TRUE(attackerDir.isValid());
    QString aDir, bDir, aKey, bKey, bobAsKnown, aliceAsKnown;
    RelayedPair pair(identityIn(attackerDir.path()), TlsRelay::Mode::Relays,
                     [&](host::SessionConfig& a, host::SessionConfig& b) {
                         aDir = a.securityDir;
                         bDir = b.securityDir;
                         aKey = identityIn(aDir).fingerprint();
                         bKey = identityIn(bDir).fingerprint();
                         bobAsKnown = QStringLiteral("127.0.0.1:%1").arg(a.peer.port);
                         aliceAsKnown = QStringLiteral("127.0.0.1:%1").arg(b.peer.port);
                         pin(aDir, bobAsKnown, bKey);
                         pin(bDir, aliceAsKnown, aKey);
                     });
    host::Session *a = pair.a.get(), *b = pair.b.get();
    const TlsRelay &toBob = pair.toBob, &toAlice = pair.toAlice;
    const QString &aRefusal = pair.aRefusal, &bRefusal = pair.bRefusal;
    // Each relay completed handshakes both ways (it holds a valid key, just not theirs), each
    // session then saw the relay's key as client and as server, and said so.
    ASSERT_TRUE(waitUntil([&] {
        return toBob.upstreamHandshakes() >= 2 && toAlice.upstreamHandshakes() >= 2 &&
               aRefusal.contains("CHANGED") && bRefusal.contains("CHANGED");
    })) << "relay handshakes "
        << toBob.upstreamHandshakes() << "/" << toAlice.upstreamHandshakes() << "; refusals: A '"
        << aRefusal.toStdString() << "', B '" << bRefusal.toStdString() << "'";
    EXPECT_FALSE(online(*a));
    EXPECT_FALSE(online(*b));
    EXPECT_EQ(toBob.bytesRelayed(), 0u) << "a call crossed the man-in-the-middle";
    EXPECT_EQ(toAlice.bytesRelayed(), 0u) << "a call crossed the man-in-the-middle";
    // The pinned keys stay: the attacker's was not remembered.
    EXPECT_EQ(knownKey(aDir, bobAsKnown).value_or(security::KnownKey{}).fingerprint, bKey);
    EXPECT_EQ(knownKey(bDir, aliceAsKnown).value_or(security::KnownKey{}).fingerprint, aKey);
}

// First contact remembers Bob's key; Bob comes back with another (reinstalled, or someone else at
// his address): both directions are refused and the remembered key stays.
TEST(Tls, AKeyChangedAfterFirstContactIsRefused) {
    SessionPair pair;
    const std::string error =
        pair.start([](std::uint16_t port, std::uint16_t peer, const QString& user) {
            return std::make_unique<host::Session>(loopbackConfig(port, peer, user, kEcho));
        });
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_TRUE(waitUntil([&] { return online(*pair.a) && online(*pair.b); }));
    const QString aDir = pair.a->config().securityDir;
    const QString bDir = pair.b->config().securityDir;
    const QString bobAsKnown = QStringLiteral("127.0.0.1:%1").arg(pair.portB);
    const QString oldKey = identityIn(bDir).fingerprint();
    const auto remembered = knownKey(aDir, bobAsKnown);
    ASSERT_TRUE(remembered && remembered->fingerprint == oldKey) << "first contact not remembered";

    const host::SessionConfig bConfig = pair.b->config();
    pair.b.reset();
    ASSERT_TRUE(QFile::remove(QDir(bDir).filePath(security::Identity::keyFileName())));
    pair.b = startSession(bConfig); // the same place, a new key
    ASSERT_NE(identityIn(bDir).fingerprint(), oldKey);

    QString aRefusal;
    watchRefusal(*pair.a, &aRefusal);
    ASSERT_TRUE(waitUntil([&] { return aRefusal.contains("CHANGED") && !online(*pair.a); }))
        << "Alice's refusal: '" << aRefusal.toStdString() << "', online " << online(*pair.a);
    // Bob's calls to Alice are refused too: he never sees her online.
    pumpFor(1500ms);
    EXPECT_FALSE(online(*pair.b));
    EXPECT_FALSE(online(*pair.a));
    EXPECT_EQ(knownKey(aDir, bobAsKnown).value_or(security::KnownKey{}).fingerprint, oldKey)
        << "the new key was remembered";
}

// Plain HTTP to a Charla that did not allow it: not a byte comes back (not even a TLS alert),
// and the connection is closed.
TEST(Tls, PlainHttpToATlsCharlaGetsNothing) {
    const auto [port, peerPort] = reserveTwoPorts();
    auto session = startSession(loopbackConfig(port, peerPort, "alice"));
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in addr = loopbackAddress(port);
    ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    const std::string body = "<?xml version=\"1.0\"?><methodCall><methodName>host.ping"
                             "</methodName><params/></methodCall>";
    const std::string request = "POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                "text/xml\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    std::string received;
    bool closed = false;
    for (int turns = 0; turns < 100 && !closed; ++turns) { // at most 10 s
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        char buffer[4096];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0)
            received.append(buffer, static_cast<std::size_t>(n));
        else
            closed = true;
    }
    ::close(fd);
    EXPECT_TRUE(closed) << "the connection was kept open";
    EXPECT_EQ(received, "") << "plain HTTP got an answer";
}

} // namespace
} // namespace charla::test
