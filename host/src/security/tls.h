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
#include <QString>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct x509_st X509;

namespace charla::security {

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
    };
    PeerKeyView peerKey(const std::string& contact) const;
    // The user compared safety numbers for `presented` (PeerKeyView::presented): remember it as
    // verified. False and *error if that is not the remembered key or the store cannot be saved.
    bool markVerified(const std::string& contact, const QByteArray& presented, QString* error);
    // The user accepts a changed key on purpose (after a warning): `presented` becomes the
    // remembered key, not verified; the next handshake passes. Local file only: never waits on
    // the network.
    bool acceptKey(const std::string& contact, const QByteArray& presented, QString* error);

private:
    Identity identity_;
    mutable std::mutex mutex_; // guards trust_ and lastRefusal_
    mutable TrustStore trust_;
    mutable QString lastRefusal_;
    mutable std::map<QString, std::string> presented_; // each contact's last key, checked or not
    mutable std::chrono::steady_clock::time_point lastRefusalLogged_{};
    SSL_CTX* server_ = nullptr;
};

// The raw Ed25519 public key in `cert`, or empty if it holds another kind of key.
QByteArray rawEd25519Key(X509* cert);

} // namespace charla::security
