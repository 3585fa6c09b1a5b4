// What the TLS suites (tls_test.cpp, shared_secret_test.cpp) share: real Sessions on loopback
// with the echo fixture plugin, and the keys and known peers kept in their security directories.
#pragma once

#include "core/session.h"
#include "security/identity.h"
#include "security/tls.h"
#include "security/trust_store.h"

#include "ports.h"
#include "session_pair.h"
#include "tls_relay.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>

namespace charla::test {

// The echo fixture plugin (tests/fixtures/echo_plugin.cpp): its worker calls the contact's
// echo.say every 20 ms, so calls flow both ways from the start.
inline const QString kEcho = QStringLiteral(CHARLA_TEST_PLUGINS_DIR "/good");

inline std::unique_ptr<host::Session> startSession(const host::SessionConfig& config) {
    auto session = std::make_unique<host::Session>(config);
    session->start();
    return session;
}

inline bool online(host::Session& s) {
    return s.channel().peer().online;
}

// The identity kept in `dir` (made there if there is none yet). Throws if it cannot be.
inline security::Identity identityIn(const QString& dir) {
    QString error;
    auto identity = security::Identity::loadOrCreate(dir, &error);
    if (!identity)
        throw std::runtime_error(error.toStdString());
    return std::move(*identity);
}

// Remembers `fingerprint` as `contact`'s key in `dir`'s known_peers, as a first contact would.
inline void pin(const QString& dir, const QString& contact, const QString& fingerprint) {
    QString error;
    auto store = security::TrustStore::load(QDir(dir).filePath("known_peers"), &error);
    ASSERT_TRUE(store) << error.toStdString();
    ASSERT_TRUE(store->trust(contact, fingerprint, &error)) << error.toStdString();
}

// What `dir`'s known_peers says of `contact`, read from the file.
inline std::optional<security::KnownKey> knownKey(const QString& dir, const QString& contact) {
    QString error;
    auto store = security::TrustStore::load(QDir(dir).filePath("known_peers"), &error);
    return store ? store->known(contact) : std::nullopt;
}

// Keeps in *why what `s`'s banner says of its contact's refusals (Session::refusalChanged) as it
// changes; *why must outlive `s`.
inline void watchRefusal(host::Session& s, QString* why) {
    QObject::connect(&s, &host::Session::refusalChanged, [why](const QString& now) { *why = now; });
}

// Alice and Bob (the echo plugin each), each reaching the other only through a TlsRelay that
// holds `attacker`'s key: Alice's calls go to `toBob` (in `toBobMode`), Bob's to `toAlice`.
// `configure` may change both configurations first (a secret, pinned keys); Bob starts first.
// Their banners are watched from the start.
struct RelayedPair {
    using Configure = std::function<void(host::SessionConfig& a, host::SessionConfig& b)>;
    RelayedPair(const security::Identity& attacker, TlsRelay::Mode toBobMode,
                const Configure& configure)
        : ports(reserveTwoPorts()), toBob(ports.second, attacker, toBobMode),
          toAlice(ports.first, attacker) {
        host::SessionConfig aConfig = loopbackConfig(ports.first, toBob.port(), "alice", kEcho);
        host::SessionConfig bConfig = loopbackConfig(ports.second, toAlice.port(), "bob", kEcho);
        if (configure)
            configure(aConfig, bConfig);
        b = startSession(bConfig);
        a = startSession(aConfig);
        watchRefusal(*a, &aRefusal);
        watchRefusal(*b, &bRefusal);
    }

    std::pair<std::uint16_t, std::uint16_t> ports; // Alice's, Bob's
    TlsRelay toBob, toAlice;
    QString aRefusal, bRefusal; // before the sessions: outlive them
    std::unique_ptr<host::Session> b, a;
};

// What `s` shows of its contact's key (the chat header's facts).
inline security::TlsContext::PeerKeyView contactKey(host::Session& s) {
    return s.channel().tls()->peerKey(s.channel().peerAddress().display());
}

} // namespace charla::test
