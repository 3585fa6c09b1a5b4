// The contacts' keys this installation has seen (issue 13), as SSH's known_hosts: the first key a
// contact presents is remembered (trust on first use); a different key later is refused until the
// user accepts it on purpose; a key whose safety number the users compared is marked verified.
// Kept in one file of the user's data directory, readable by the user only.
#pragma once

#include <QString>

#include <map>
#include <optional>

namespace charla::security {

enum class KeyTrust {
    FirstContact, // no key remembered for this contact
    Known,        // the remembered key
    Changed,      // another key than the remembered one: refuse, warn, let the user decide
};

struct KnownKey {
    QString fingerprint; // identity.h fingerprintOf()
    bool verified = false;
};

class TrustStore {
public:
    // The store in `path`; a missing file is an empty store. A file we cannot read or parse is an
    // error (and is left as it is): trusting anything on top of it would forget a pinned key.
    static std::optional<TrustStore> load(const QString& path, QString* error);

    // `contact` is how the user names the contact's place: "host:port".
    KeyTrust check(const QString& contact, const QString& fingerprint) const;
    std::optional<KnownKey> known(const QString& contact) const;

    // Remembers `fingerprint` for `contact`, not verified: on first contact, or when the user
    // accepts a changed key on purpose. Saved at once; false and *error if it cannot be.
    bool trust(const QString& contact, const QString& fingerprint, QString* error);
    // Marks the remembered key verified (or not); false if `fingerprint` is not the remembered one.
    bool setVerified(const QString& contact, const QString& fingerprint, bool verified,
                     QString* error);

private:
    explicit TrustStore(QString path) : path_(std::move(path)) {}
    bool save(QString* error) const;

    QString path_;
    std::map<QString, KnownKey> keys_;
};

} // namespace charla::security
