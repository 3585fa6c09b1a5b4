// This installation's long-term identity (issue 13): an Ed25519 key pair made on first start and
// kept in the user's data directory readable by the user only, and the self-signed certificate
// that carries its public key in a TLS handshake. Peers recognise each other by that public key
// (trust on first use, security/trust_store.h), never by the certificate's other fields.
#pragma once

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;

namespace charla::security {

class Identity {
public:
    // The key in `dir`/identity.pem, made (with `dir`, mode 0700) if there is none. A key file
    // that others may read is narrowed to 0600 with a warning. A file that is not a key we can
    // use is an error and is left as it is: replacing it would silently change who we are.
    static std::optional<Identity> loadOrCreate(const QString& dir, QString* error);

    Identity(Identity&&) noexcept;
    Identity& operator=(Identity&&) noexcept;
    ~Identity();

    // The raw 32-byte Ed25519 public key: what peers pin and what safety numbers are made of.
    const QByteArray& publicKey() const { return publicKey_; }
    // SHA-256 of the public key, lowercase hex (64 characters), for logs and the trust store.
    QString fingerprint() const;
    EVP_PKEY* key() const { return key_.get(); }
    X509* certificate() const { return certificate_.get(); }

    static QString keyFileName() { return QStringLiteral("identity.pem"); }

private:
    struct KeyFree {
        void operator()(EVP_PKEY* key) const;
    };
    struct CertFree {
        void operator()(X509* cert) const;
    };
    Identity(std::unique_ptr<EVP_PKEY, KeyFree> key, QString* error);

    std::unique_ptr<EVP_PKEY, KeyFree> key_;
    std::unique_ptr<X509, CertFree> certificate_;
    QByteArray publicKey_;
};

// SHA-256 of a raw public key, lowercase hex.
QString fingerprintOf(const QByteArray& publicKey);

// The number two people compare to know that no one sits between them: 60 digits in 12 groups of
// 5, made from both public keys and identical on both sides (the keys are taken in sorted order).
// Each half comes from one key alone (SHA-512 of a version tag and the key, 30 digits), as in
// Signal's safety numbers, so a changed key changes the number.
QString safetyNumber(const QByteArray& ourKey, const QByteArray& theirKey);

} // namespace charla::security
