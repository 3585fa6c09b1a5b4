#include "security/identity.h"

#include "core/logging.h"
#include "security/private_file.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <array>

namespace charla::security {

namespace {

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr long kCertificateDays = 36500; // peers pin the key, not the dates

QByteArray rawPublicKey(EVP_PKEY* key) {
    std::size_t size = 0;
    if (EVP_PKEY_get_raw_public_key(key, nullptr, &size) != 1 || size == 0)
        return {};
    QByteArray raw(static_cast<qsizetype>(size), '\0');
    if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &size) != 1)
        return {};
    return raw;
}

} // namespace

void Identity::KeyFree::operator()(EVP_PKEY* key) const {
    EVP_PKEY_free(key);
}

void Identity::CertFree::operator()(X509* cert) const {
    X509_free(cert);
}

Identity::Identity(Identity&&) noexcept = default;
Identity& Identity::operator=(Identity&&) noexcept = default;
Identity::~Identity() = default;

Identity::Identity(std::unique_ptr<EVP_PKEY, KeyFree> key, QString* error) : key_(std::move(key)) {
    publicKey_ = rawPublicKey(key_.get());
    if (publicKey_.size() != 32) {
        *error = QStringLiteral("the key is not an Ed25519 key");
        return;
    }
    // A self-signed certificate made anew at each start: TLS needs one to carry the key.
    std::unique_ptr<X509, CertFree> cert(X509_new());
    std::array<unsigned char, 16> serial{};
    RAND_bytes(serial.data(), static_cast<int>(serial.size()));
    serial[0] &= 0x7f; // a positive serial
    BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
    const bool ok =
        cert && bn && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
        BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) &&
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60 * 24) &&
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), kCertificateDays, 0, nullptr) &&
        X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("charla"), -1, -1,
                                   0) == 1 &&
        X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1 &&
        X509_set_pubkey(cert.get(), key_.get()) == 1 &&
        X509_sign(cert.get(), key_.get(), nullptr) > 0;
    BN_free(bn);
    if (!ok) {
        *error = QStringLiteral("cannot make the certificate for the key");
        return;
    }
    certificate_ = std::move(cert);
}

std::optional<Identity> Identity::loadOrCreate(const QString& dir, QString* error) {
    QString ignored;
    if (!error)
        error = &ignored;
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return std::nullopt;
    }
    QFile::setPermissions(dir, kOwnerOnly | QFileDevice::ExeOwner);
    const QString path = QDir(dir).filePath(keyFileName());

    std::unique_ptr<EVP_PKEY, KeyFree> key;
    if (!QFileInfo::exists(path)) {
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        if (!key) {
            *error = QStringLiteral("cannot make a key pair");
            return std::nullopt;
        }
        BIO* bio = BIO_new(BIO_s_mem());
        const bool encoded = bio && PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0,
                                                             nullptr, nullptr) == 1;
        char* bytes = nullptr;
        const long size = encoded ? BIO_get_mem_data(bio, &bytes) : 0;
        const QByteArray pem(bytes, static_cast<qsizetype>(size));
        BIO_free(bio);
        if (!encoded) {
            *error = QStringLiteral("cannot encode the key pair");
            return std::nullopt;
        }
        // Never replaces a key: another instance started at the same moment on the same data
        // directory may have made one first; then both use that one.
        switch (createPrivateFile(path, pem, error)) {
        case CreateResult::Created:
            qCInfo(lcSecurity).noquote() << "made this installation's identity key in" << path;
            break;
        case CreateResult::Exists:
            qCInfo(lcSecurity).noquote()
                << "another Charla made the identity key in" << path << "first: using it";
            key.reset();
            break;
        case CreateResult::Failed:
            return std::nullopt;
        }
    }
    if (!key) {
        narrowToOwner(path);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
            return std::nullopt;
        }
        const QByteArray pem = file.read(64 * 1024);
        BIO* bio = BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size()));
        key.reset(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
        BIO_free(bio);
        if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
            *error = QStringLiteral("%1 is not an Ed25519 private key; Charla will not replace it "
                                    "(that would change who you are to your contacts): move it "
                                    "away to make a new identity")
                         .arg(path);
            return std::nullopt;
        }
    }
    QString problem;
    Identity identity(std::move(key), &problem);
    if (!problem.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(path, problem);
        return std::nullopt;
    }
    return identity;
}

QString Identity::fingerprint() const {
    return fingerprintOf(publicKey_);
}

QString fingerprintOf(const QByteArray& publicKey) {
    return QString::fromLatin1(
        QCryptographicHash::hash(publicKey, QCryptographicHash::Sha256).toHex());
}

namespace {

// 30 digits from one key: six 5-digit groups, each from 5 bytes of SHA-512("charla-sn-1" || key)
// taken modulo 100000.
QString halfNumber(const QByteArray& key) {
    const QByteArray digest =
        QCryptographicHash::hash(QByteArray("charla-sn-1") + key, QCryptographicHash::Sha512);
    QString out;
    for (int group = 0; group < 6; ++group) {
        quint64 value = 0;
        for (int i = 0; i < 5; ++i)
            value = (value << 8) | static_cast<unsigned char>(digest[group * 5 + i]);
        if (!out.isEmpty())
            out += QLatin1Char(' ');
        out += QStringLiteral("%1").arg(value % 100000, 5, 10, QLatin1Char('0'));
    }
    return out;
}

} // namespace

QString safetyNumber(const QByteArray& ourKey, const QByteArray& theirKey) {
    const bool oursFirst = ourKey < theirKey;
    return halfNumber(oursFirst ? ourKey : theirKey) + QLatin1Char(' ') +
           halfNumber(oursFirst ? theirKey : ourKey);
}

} // namespace charla::security
