// The contacts' keys this installation has seen (issue 13), as SSH's known_hosts: the first key a
// contact presents is remembered (trust on first use); a different key later is refused until the
// user accepts it on purpose; a key whose safety number the users compared is marked verified.
// Kept in one file of the user's data directory, readable by the user only. Several Charla
// instances may share that file: each change is made under a lock on the file as it is on disk
// (re-read, changed, written), and a check sees the file as the others last wrote it.
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

    // `contact` is how the user names the contact's place: "host:port". Both re-read the file
    // first if another instance changed it.
    KeyTrust check(const QString& contact, const QString& fingerprint) const;
    std::optional<KnownKey> known(const QString& contact) const;

    // On first contact: remembers `fingerprint` for `contact` unless a key is remembered for it
    // by now (another instance got there first), and says how `fingerprint` stands against what
    // was remembered: FirstContact (remembered now), Known, or Changed (nothing written).
    // std::nullopt and *error if it cannot be saved.
    std::optional<KeyTrust> rememberFirst(const QString& contact, const QString& fingerprint,
                                          QString* error);
    // Remembers `fingerprint` for `contact`, not verified, whatever was remembered: when the user
    // accepts a changed key on purpose. Saved at once; false and *error if it cannot be.
    bool trust(const QString& contact, const QString& fingerprint, QString* error);
    // Marks the remembered key verified (or not); false if `fingerprint` is not the remembered one.
    bool setVerified(const QString& contact, const QString& fingerprint, bool verified,
                     QString* error);

private:
    using Keys = std::map<QString, KnownKey>;
    // What identifies one version of the file: each save is a new file renamed into place.
    struct Stamp {
        bool exists = false;
        unsigned long long device = 0, inode = 0, size = 0;
        long long modifiedNs = 0;
        bool operator==(const Stamp&) const = default;
    };

    explicit TrustStore(QString path) : path_(std::move(path)) {}
    static Stamp stampOf(const QString& path);
    static bool read(const QString& path, Keys* keys, QString* error);
    // Re-reads the file if another instance saved it since we last read or wrote it.
    void refresh() const;
    // Under the lock on the file: `change(Keys&)` applied to the file as it is now, saved if it
    // returns true, and kept as ours. False and *error only if the file cannot be read or saved.
    template <typename Change> bool update(Change change, QString* error);

    QString path_;
    mutable Keys keys_;
    mutable Stamp stamp_;
};

} // namespace charla::security
