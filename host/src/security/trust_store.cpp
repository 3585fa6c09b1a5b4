#include "security/trust_store.h"

#include "core/logging.h"
#include "security/private_file.h"

#include <QFile>
#include <QRegularExpression>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace charla::security {

namespace {

// One line a contact: "<contact> <sha-256 hex> verified|unverified". Contacts have no spaces.
const QRegularExpression kLine(QStringLiteral("^(\\S+) ([0-9a-f]{64}) (verified|unverified)$"));
constexpr qint64 kMaxFileBytes = 1024 * 1024;

// flock() on "<store>.lock", held while an instance re-reads, changes and writes the store. A file
// of its own because the store itself is replaced by rename at each save; never deleted (deleting
// a lock file lets two holders lock two different files).
class FileLock {
public:
    FileLock(const QString& storePath, QString* error) {
        const QString path = storePath + QStringLiteral(".lock");
        fd_ = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        int result = fd_ < 0 ? -1 : 0;
        while (result == 0 && ::flock(fd_, LOCK_EX) != 0)
            result = errno == EINTR ? 0 : -1;
        if (result != 0) {
            *error = QStringLiteral("cannot lock %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            if (fd_ >= 0)
                ::close(fd_);
            fd_ = -1;
        }
    }
    ~FileLock() {
        if (fd_ >= 0)
            ::close(fd_); // releases the lock
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    bool locked() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

} // namespace

TrustStore::Stamp TrustStore::stampOf(const QString& path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    return {true, static_cast<unsigned long long>(st.st_dev),
            static_cast<unsigned long long>(st.st_ino), static_cast<unsigned long long>(st.st_size),
            static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

bool TrustStore::read(const QString& path, Keys* keys, QString* error) {
    keys->clear();
    QFile file(path);
    if (!file.exists())
        return true;
    narrowToOwner(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (!file.exists())
            return true; // gone between the two calls: no store
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.size() > kMaxFileBytes) {
        *error = QStringLiteral("%1 is over 1 MiB: not a list of known peers").arg(path);
        return false;
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
            return false;
        }
        (*keys)[m.captured(1)] = {m.captured(2), m.captured(3) == QLatin1String("verified")};
    }
    return true;
}

std::optional<TrustStore> TrustStore::load(const QString& path, QString* error) {
    TrustStore store(path);
    store.stamp_ = stampOf(path);
    if (!read(path, &store.keys_, error))
        return std::nullopt;
    return store;
}

void TrustStore::refresh() const {
    const Stamp now = stampOf(path_);
    if (now == stamp_)
        return;
    Keys keys;
    QString error;
    if (!read(path_, &keys, &error)) {
        // Keep what we had; the next change reports it (and writes nothing over it).
        qCWarning(lcSecurity).noquote() << "cannot re-read the known peers:" << error;
        stamp_ = now;
        return;
    }
    keys_ = std::move(keys);
    stamp_ = now;
}

template <typename Change> bool TrustStore::update(Change change, QString* error) {
    const FileLock lock(path_, error);
    if (!lock.locked())
        return false;
    // Another instance may have saved since we read: change the file as it is, not our copy.
    const Stamp before = stampOf(path_);
    Keys keys;
    if (!read(path_, &keys, error))
        return false;
    if (change(keys)) {
        QByteArray out =
            "# Charla's known peers: <contact> <SHA-256 of its key> verified|unverified\n";
        for (const auto& [contact, key] : keys)
            out +=
                QStringLiteral("%1 %2 %3\n")
                    .arg(contact, key.fingerprint,
                         key.verified ? QStringLiteral("verified") : QStringLiteral("unverified"))
                    .toUtf8();
        if (!writePrivateFile(path_, out, error))
            return false;
        stamp_ = stampOf(path_);
    } else {
        stamp_ = before;
    }
    keys_ = std::move(keys);
    return true;
}

KeyTrust TrustStore::check(const QString& contact, const QString& fingerprint) const {
    refresh();
    const auto it = keys_.find(contact);
    if (it == keys_.end())
        return KeyTrust::FirstContact;
    return it->second.fingerprint == fingerprint ? KeyTrust::Known : KeyTrust::Changed;
}

std::optional<KnownKey> TrustStore::known(const QString& contact) const {
    refresh();
    const auto it = keys_.find(contact);
    if (it == keys_.end())
        return std::nullopt;
    return it->second;
}

namespace {

bool isContactAndFingerprint(const QString& contact, const QString& fingerprint, QString* error) {
    if (kLine.match(QStringLiteral("%1 %2 unverified").arg(contact, fingerprint)).hasMatch())
        return true;
    *error = QStringLiteral("not a contact and a fingerprint: '%1' '%2'").arg(contact, fingerprint);
    return false;
}

} // namespace

std::optional<KeyTrust> TrustStore::rememberFirst(const QString& contact,
                                                  const QString& fingerprint, QString* error) {
    if (!isContactAndFingerprint(contact, fingerprint, error))
        return std::nullopt;
    KeyTrust result = KeyTrust::FirstContact;
    const bool saved = update(
        [&](Keys& keys) {
            const auto it = keys.find(contact);
            if (it != keys.end()) {
                result =
                    it->second.fingerprint == fingerprint ? KeyTrust::Known : KeyTrust::Changed;
                return false;
            }
            keys[contact] = {fingerprint, false};
            return true;
        },
        error);
    if (!saved)
        return std::nullopt;
    if (result == KeyTrust::FirstContact)
        qCInfo(lcSecurity).noquote() << "remembered the key of" << contact << fingerprint.left(16);
    else
        qCInfo(lcSecurity).noquote()
            << "another Charla instance remembered a key for" << contact << "first";
    return result;
}

bool TrustStore::trust(const QString& contact, const QString& fingerprint, QString* error) {
    if (!isContactAndFingerprint(contact, fingerprint, error))
        return false;
    bool had = false;
    const bool saved = update(
        [&](Keys& keys) {
            had = keys.count(contact) > 0;
            keys[contact] = {fingerprint, false};
            return true;
        },
        error);
    if (!saved)
        return false;
    qCInfo(lcSecurity).noquote() << (had ? "accepted a new key for" : "remembered the key of")
                                 << contact << fingerprint.left(16);
    return true;
}

bool TrustStore::setVerified(const QString& contact, const QString& fingerprint, bool verified,
                             QString* error) {
    bool remembered = true;
    const bool saved = update(
        [&](Keys& keys) {
            const auto it = keys.find(contact);
            remembered = it != keys.end() && it->second.fingerprint == fingerprint;
            if (!remembered || it->second.verified == verified)
                return false;
            it->second.verified = verified;
            return true;
        },
        error);
    if (saved && !remembered)
        *error = QStringLiteral("%1's key is not the one remembered").arg(contact);
    return saved && remembered;
}

} // namespace charla::security
