#include "security/tls.h"

#include "core/logging.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <string_view>

namespace charla::security {

namespace {

// Where configureClient() leaves what the verify callback needs, in the client's SSL_CTX.
struct ClientCheck {
    const TlsContext* tls = nullptr;
    const std::string* contact = nullptr;
};

int clientCheckIndex() {
    static const int index = SSL_CTX_get_ex_new_index(
        0, nullptr, nullptr, nullptr, [](void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
            delete static_cast<ClientCheck*>(ptr);
        });
    return index;
}

// The client's verify callback: the chain is ignored (self-signed by design), only the server's
// key at depth 0 counts, checked against the known peers.
int verifyServerKey(int /*preverifyOk*/, X509_STORE_CTX* store) {
    if (X509_STORE_CTX_get_error_depth(store) != 0)
        return 1;
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const auto* check = ssl ? static_cast<const ClientCheck*>(
                                  SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), clientCheckIndex()))
                            : nullptr;
    if (!check || !check->tls || !check->contact)
        return 0;
    const QByteArray key = rawEd25519Key(X509_STORE_CTX_get_current_cert(store));
    return check->tls->checkPeerKey(*check->contact, key) ? 1 : 0;
}

// The server's: a certificate is required and its key is checked after the handshake
// (HttpCallbacks::acceptPeerKey), so any chain passes here.
int acceptAnyChain(int, X509_STORE_CTX*) {
    return 1;
}

QString openSslError() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("unknown OpenSSL error");
    char text[256] = {};
    ERR_error_string_n(code, text, sizeof text);
    return QString::fromLatin1(text);
}

} // namespace

namespace {

std::string exportBinding(SSL* ssl, std::string_view label) {
    std::string binding(kSecretBindingBytes, '\0');
    if (!ssl || SSL_export_keying_material(ssl, reinterpret_cast<unsigned char*>(binding.data()),
                                           binding.size(), label.data(), label.size(), nullptr, 0,
                                           0) != 1) {
        ERR_clear_error();
        return {};
    }
    return binding;
}

} // namespace

std::string exportSecretBinding(SSL* ssl) {
    return exportBinding(ssl, kSecretExporterLabel);
}

std::string exportAnswerBinding(SSL* ssl) {
    return exportBinding(ssl, kAnswerExporterLabel);
}

QByteArray rawEd25519Key(X509* cert) {
    EVP_PKEY* key = cert ? X509_get0_pubkey(cert) : nullptr;
    if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)
        return {};
    std::size_t size = 0;
    if (EVP_PKEY_get_raw_public_key(key, nullptr, &size) != 1 || size != 32)
        return {};
    QByteArray raw(static_cast<qsizetype>(size), '\0');
    if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &size) != 1)
        return {};
    return raw;
}

TlsContext::TlsContext(Identity identity, TrustStore trust)
    : identity_(std::move(identity)), trust_(std::move(trust)) {
    server_ = SSL_CTX_new(TLS_server_method());
    if (!server_ || SSL_CTX_set_min_proto_version(server_, TLS1_3_VERSION) != 1 ||
        SSL_CTX_use_certificate(server_, identity_.certificate()) != 1 ||
        SSL_CTX_use_PrivateKey(server_, identity_.key()) != 1 ||
        SSL_CTX_check_private_key(server_) != 1) {
        const QString why = openSslError();
        SSL_CTX_free(server_);
        throw std::runtime_error("cannot set up TLS: " + why.toStdString());
    }
    SSL_CTX_set_verify(server_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &acceptAnyChain);
    // No resumption: every connection shows its key, and no ticket key to keep or rotate.
    SSL_CTX_set_num_tickets(server_, 0);
    SSL_CTX_set_options(server_, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(server_, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(server_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

TlsContext::~TlsContext() {
    SSL_CTX_free(server_);
}

void TlsContext::configureClient(SSL_CTX* ctx, const std::string* contact) const {
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_use_certificate(ctx, identity_.certificate());
    SSL_CTX_use_PrivateKey(ctx, identity_.key());
    SSL_CTX_set_ex_data(ctx, clientCheckIndex(), new ClientCheck{this, contact});
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &verifyServerKey);
}

bool TlsContext::checkPeerKey(const std::string& contact, const QByteArray& rawKey) const {
    const QString name = QString::fromStdString(contact);
    // Told after the lock is released, so a listener may call peerKey() at once.
    struct NotifyAfter {
        TrustNotifier& notifier;
        bool due = false;
        ~NotifyAfter() {
            if (due)
                emit notifier.changed();
        }
    } notify{notifier_};
    std::lock_guard lock(mutex_);
    if (rawKey.isEmpty()) {
        lastRefusal_ = QStringLiteral("%1 presented no Ed25519 key: not a Charla").arg(name);
        qCWarning(lcSecurity).noquote()
            << "refused" << name << ": no Ed25519 key in its certificate";
        return false;
    }
    // Bytes of its own, not a QByteArray sharing the caller's buffer: Qt frees a shared buffer
    // inside libQt6Core, whose atomics TSan cannot see, so a later replace here would look like
    // a race with the caller's copy going away on its thread.
    std::string& presented = presented_[name];
    if (presented != rawKey.toStdString()) {
        presented = rawKey.toStdString();
        notify.due = true; // a first key, or a changed one: the header shows it
    }
    const QString fingerprint = fingerprintOf(rawKey);
    switch (trust_.check(name, fingerprint)) {
    case KeyTrust::Known:
        lastRefusal_.clear();
        return true;
    case KeyTrust::FirstContact: {
        // Another instance sharing the data directory may remember a key for it by now.
        QString error;
        const std::optional<KeyTrust> first = trust_.rememberFirst(name, fingerprint, &error);
        if (!first) {
            lastRefusal_ = QStringLiteral("cannot remember the contact's key: %1").arg(error);
            qCWarning(lcSecurity).noquote() << "refused" << name << ":" << lastRefusal_;
            return false;
        }
        if (*first == KeyTrust::Changed)
            break;
        if (*first == KeyTrust::FirstContact)
            qCInfo(lcSecurity).noquote()
                << "first contact with" << name << ": remembered its key" << fingerprint;
        lastRefusal_.clear();
        return true;
    }
    case KeyTrust::Changed:
        break;
    }
    const QString before = lastRefusal_;
    lastRefusal_ =
        QStringLiteral("The contact's key has CHANGED (now %1, remembered %2). Someone may be "
                       "between you (a man-in-the-middle), or the contact reinstalled Charla. "
                       "Refused: compare safety numbers before accepting the new key.")
            .arg(fingerprint.left(16),
                 trust_.known(name).value_or(KnownKey{}).fingerprint.left(16));
    // Every stream retries: say it when it starts, changes, or once a minute, not per handshake.
    const auto now = std::chrono::steady_clock::now();
    if (lastRefusal_ != before || now - lastRefusalLogged_ >= std::chrono::minutes(1)) {
        lastRefusalLogged_ = now;
        qCWarning(lcSecurity).noquote()
            << "REFUSED" << name << ":" << lastRefusal_ << "(logged once a minute while it lasts)";
    }
    return false;
}

TlsContext::PeerKeyView TlsContext::peerKey(const std::string& contact) const {
    const QString name = QString::fromStdString(contact);
    std::lock_guard lock(mutex_);
    PeerKeyView view;
    const auto it = presented_.find(name);
    if (it == presented_.end())
        return view;
    view.presented = QByteArray::fromStdString(it->second);
    const auto known = trust_.known(name);
    const QString fingerprint = fingerprintOf(view.presented);
    view.changed = known && known->fingerprint != fingerprint;
    view.verified = known && known->fingerprint == fingerprint && known->verified;
    const auto proved = provedBySecret_.find(name);
    view.bySecret =
        view.verified && proved != provedBySecret_.end() && proved->second == it->second;
    return view;
}

bool TlsContext::markVerified(const std::string& contact, const QByteArray& presented,
                              QString* error) {
    std::lock_guard lock(mutex_);
    return trust_.setVerified(QString::fromStdString(contact), fingerprintOf(presented), true,
                              error);
}

bool TlsContext::acceptKey(const std::string& contact, const QByteArray& presented,
                           QString* error) {
    std::lock_guard lock(mutex_);
    if (!trust_.trust(QString::fromStdString(contact), fingerprintOf(presented), error))
        return false;
    qCWarning(lcSecurity).noquote()
        << "the user accepted a NEW key for" << QString::fromStdString(contact)
        << fingerprintOf(presented).left(16);
    lastRefusal_.clear();
    return true;
}

bool TlsContext::verifyBySecret(const std::string& contact, const std::string& rawKey) {
    const QString name = QString::fromStdString(contact);
    {
        std::lock_guard lock(mutex_);
        const auto proved = provedBySecret_.find(name);
        if (proved != provedBySecret_.end() && proved->second == rawKey)
            return false; // the usual case: every call after the first
        const QString fingerprint = fingerprintOf(QByteArray::fromStdString(rawKey));
        const auto known = trust_.known(name);
        if (rawKey.empty() || !known || known->fingerprint != fingerprint)
            return false;
        QString error;
        if (!known->verified && !trust_.setVerified(name, fingerprint, true, &error)) {
            qCWarning(lcSecurity).noquote()
                << "cannot mark" << name << "verified by the shared secret:" << error;
            return false;
        }
        provedBySecret_[name] = rawKey;
        qCInfo(lcSecurity).noquote() << name << "proved the shared secret over TLS: its key"
                                     << fingerprint.left(16) << "is verified";
    }
    emit notifier_.changed();
    return true;
}

bool TlsContext::provedSecret(const std::string& contact, const std::string& rawKey) const {
    std::lock_guard lock(mutex_);
    const auto proved = provedBySecret_.find(QString::fromStdString(contact));
    return !rawKey.empty() && proved != provedBySecret_.end() && proved->second == rawKey;
}

bool TlsContext::lastKeyProvedSecret(const std::string& contact) const {
    const QString name = QString::fromStdString(contact);
    std::lock_guard lock(mutex_);
    const auto presented = presented_.find(name);
    const auto proved = provedBySecret_.find(name);
    return presented != presented_.end() && proved != provedBySecret_.end() &&
           presented->second == proved->second;
}

QString TlsContext::lastRefusal() const {
    std::lock_guard lock(mutex_);
    return lastRefusal_;
}

} // namespace charla::security
