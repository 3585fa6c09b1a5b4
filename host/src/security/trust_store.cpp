#include "security/trust_store.h"

#include "core/logging.h"
#include "security/private_file.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace charla::security {

namespace {

// One line a contact: "<contact> <sha-256 hex> verified|unverified". Contacts have no spaces.
const QRegularExpression kLine(QStringLiteral("^(\\S+) ([0-9a-f]{64}) (verified|unverified)$"));
constexpr qint64 kMaxFileBytes = 1024 * 1024;

} // namespace

std::optional<TrustStore> TrustStore::load(const QString& path, QString* error) {
    TrustStore store(path);
    if (!QFileInfo::exists(path))
        return store;
    narrowToOwner(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > kMaxFileBytes) {
        *error = QStringLiteral("%1 is over 1 MiB: not a list of known peers").arg(path);
        return std::nullopt;
    }
    int number = 0;
    for (const QByteArray& raw : file.readAll().split('\n')) {
        ++number;
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QRegularExpressionMatch m = kLine.match(line);
        if (!m.hasMatch()) {
            *error = QStringLiteral("%1, line %2: not \"<contact> <fingerprint> verified|"
                                    "unverified\"; fix or remove the line")
                         .arg(path)
                         .arg(number);
            return std::nullopt;
        }
        store.keys_[m.captured(1)] = {m.captured(2), m.captured(3) == QLatin1String("verified")};
    }
    return store;
}

KeyTrust TrustStore::check(const QString& contact, const QString& fingerprint) const {
    const auto it = keys_.find(contact);
    if (it == keys_.end())
        return KeyTrust::FirstContact;
    return it->second.fingerprint == fingerprint ? KeyTrust::Known : KeyTrust::Changed;
}

std::optional<KnownKey> TrustStore::known(const QString& contact) const {
    const auto it = keys_.find(contact);
    if (it == keys_.end())
        return std::nullopt;
    return it->second;
}

bool TrustStore::trust(const QString& contact, const QString& fingerprint, QString* error) {
    if (!kLine.match(QStringLiteral("%1 %2 unverified").arg(contact, fingerprint)).hasMatch()) {
        *error =
            QStringLiteral("not a contact and a fingerprint: '%1' '%2'").arg(contact, fingerprint);
        return false;
    }
    const std::optional<KnownKey> before = known(contact);
    keys_[contact] = {fingerprint, false};
    if (!save(error)) {
        if (before)
            keys_[contact] = *before;
        else
            keys_.erase(contact);
        return false;
    }
    qCInfo(lcSecurity).noquote() << (before ? "accepted a new key for" : "remembered the key of")
                                 << contact << fingerprint.left(16);
    return true;
}

bool TrustStore::setVerified(const QString& contact, const QString& fingerprint, bool verified,
                             QString* error) {
    const auto it = keys_.find(contact);
    if (it == keys_.end() || it->second.fingerprint != fingerprint) {
        *error = QStringLiteral("%1's key is not the one remembered").arg(contact);
        return false;
    }
    const bool before = it->second.verified;
    it->second.verified = verified;
    if (!save(error)) {
        it->second.verified = before;
        return false;
    }
    return true;
}

bool TrustStore::save(QString* error) const {
    QByteArray out = "# Charla's known peers: <contact> <SHA-256 of its key> verified|unverified\n";
    for (const auto& [contact, key] : keys_)
        out += QStringLiteral("%1 %2 %3\n")
                   .arg(contact, key.fingerprint,
                        key.verified ? QStringLiteral("verified") : QStringLiteral("unverified"))
                   .toUtf8();
    return writePrivateFile(path_, out, error);
}

} // namespace charla::security
