// TLS 1.3 between two Charlas (issue 13, docs/security.md "Encrypted transport"): both sides
// present their Identity's self-signed certificate and each checks the other's raw Ed25519 key
// against the TrustStore (trust on first use, a changed key refused). No CA is involved: the
// certificate only carries the key.
//
// One TlsContext per session, shared by the server (HttpServer's SSL_CTX) and every client stream
// (libcurl's SSL_CTX, set up through configureClient()). Thread-safe.
#pragma once

#include "security/identity.h"
#include "security/trust_store.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;
typedef struct x509_st X509;

namespace charla::security {

// The exporter label of the shared secret's channel binding (docs/protocol.md "Shared secret"):
// over TLS, X-Charla-Signature covers these 32 bytes of the connection as well as the body, so a
// signature made for one TLS connection is worthless on any other (a relay's two sessions have
// two different exporters).
inline constexpr char kSecretExporterLabel[] = "EXPORTER-charla-secret-v1";
inline constexpr std::size_t kSecretBindingBytes = 32;
// The binding of the answers' signature (docs/protocol.md "Shared secret"): with a secret, the
// server signs its answer to a call that proved the secret over these 32 bytes and the answer's
// body, so the client knows the answer came from a holder of the secret at the other end of this
// very connection. Another label than the calls': a call's signature can never pass for an
// answer's.
inline constexpr char kAnswerExporterLabel[] = "EXPORTER-charla-answer-v1";

// The binding of the TLS 1.3 connection `ssl` (its handshake done): both ends get the same 32
// bytes. Empty if OpenSSL refuses.
std::string exportSecretBinding(SSL* ssl);
// The same for the answers' signature (kAnswerExporterLabel).
std::string exportAnswerBinding(SSL* ssl);

// Tells the windows that what TlsContext::peerKey() shows may have changed (a key presented,
// refused, or verified by the shared secret on a server worker). Emitted from any thread:
// connect with a queued connection.
class TrustNotifier : public QObject {
    Q_OBJECT
signals:
    void changed();
};

class TlsContext {
public:
    // Throws std::runtime_error if OpenSSL cannot make the server context.
    TlsContext(Identity identity, TrustStore trust);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    const Identity& identity() const { return identity_; }

    // TLS 1.3 only, our certificate, a client certificate required (any issuer: the key is checked
    // by HttpCallbacks::acceptPeerKey), no session tickets (every connection shows its key).
    SSL_CTX* serverContext() const { return server_; }

    // For libcurl's CURLOPT_SSL_CTX_FUNCTION: TLS 1.3 only, our certificate as the client's, and
    // a verify callback that checks the server's key for `contact` with checkPeerKey(). `contact`
    // must outlive every connection made with `ctx`.
    void configureClient(SSL_CTX* ctx, const std::string* contact) const;

    // The key `contact` ("host:port") presented: true if it is the remembered one or the first
    // (then remembered); false for a changed key (logged in charla.security, and kept as
    // lastRefusal() until a key is accepted again) or if the store cannot be saved.
    bool checkPeerKey(const std::string& contact, const QByteArray& rawKey) const;

    // Why the last key check failed, empty after a good one.
    QString lastRefusal() const;

    // What the user is shown about the contact's key (the chat header, the safety-number
    // dialog): the key it presented last (empty before any handshake), whether that key is the
    // remembered one and marked verified, or a changed one being refused.
    struct PeerKeyView {
        QByteArray presented;
        bool changed = false;  // presented differs from the remembered key: refused
        bool verified = false; // presented is the remembered key, and the users compared it
        bool bySecret = false; // ... or, this session, it proved the shared secret (below)
    };
    PeerKeyView peerKey(const std::string& contact) const;
    // The user compared safety numbers for `presented` (PeerKeyView::presented): remember it as
    // verified. False and *error if that is not the remembered key or the store cannot be saved.
    bool markVerified(const std::string& contact, const QByteArray& presented, QString* error);
    // The user accepts a changed key on purpose (after a warning): `presented` becomes the
    // remembered key, not verified; the next handshake passes. Local file only: never waits on
    // the network.
    bool acceptKey(const std::string& contact, const QByteArray& presented, QString* error);

    // A call from `contact`, on a TLS connection whose client presented `rawKey`, carried a
    // signature made with the shared secret over that connection's binding: only the holder of
    // that key's private half (the TLS client) and we know the binding, so the key belongs to
    // someone who has the secret. The remembered key is marked verified (known_peers), as if the
    // users had compared safety numbers. Never for a key that is not the remembered one (a
    // changed key is refused before any call is read). Cheap when nothing changes: it runs on
    // every call. True if the key became verified by this call.
    bool verifyBySecret(const std::string& contact, const std::string& rawKey);
    // Whether `rawKey`, the key `contact` presents on a connection, proved the shared secret this
    // session (verifyBySecret: by a call it signed to us, or an answer it signed to one of our
    // calls). With a secret set, the client sends nothing but host.ping to a key that did not
    // (docs/security.md "Shared secret and TLS").
    bool provedSecret(const std::string& contact, const std::string& rawKey) const;
    // The same for the key `contact` presented last (false before any handshake).
    bool lastKeyProvedSecret(const std::string& contact) const;

    // Signals changes of what peerKey() shows; lives as long as this context.
    const TrustNotifier* notifier() const { return &notifier_; }

private:
    Identity identity_;
    mutable std::mutex mutex_; // guards trust_ and lastRefusal_
    mutable TrustStore trust_;
    mutable QString lastRefusal_;
    mutable std::map<QString, std::string> presented_; // each contact's last key, checked or not
    mutable std::chrono::steady_clock::time_point lastRefusalLogged_{};
    std::map<QString, std::string> provedBySecret_; // each contact's key that proved the secret
    mutable TrustNotifier notifier_;
    SSL_CTX* server_ = nullptr;
};

// The raw Ed25519 public key in `cert`, or empty if it holds another kind of key.
QByteArray rawEd25519Key(X509* cert);

} // namespace charla::security
