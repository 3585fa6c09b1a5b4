// Files only the user may read (keys, the known peers): written 0600 from the first byte under a
// temporary name of their own, then put in place, so that neither the umask nor a crash mid-write
// exposes or truncates them, and two Charla instances sharing the data directory (`charla -l`
// twice) never write into each other's temporary file.
#pragma once

#include <QByteArray>
#include <QString>

namespace charla::security {

// Creates or replaces `path` with `data` (atomic rename; the last writer wins).
bool writePrivateFile(const QString& path, const QByteArray& data, QString* error);

enum class CreateResult {
    Created, // `path` now holds `data`
    Exists,  // `path` was there already (another process won the race): left untouched
    Failed,  // *error says why
};

// Creates `path` with `data` only if it does not exist, atomically: a reader sees no file or the
// whole of it, and of several processes creating it at once exactly one gets Created.
CreateResult createPrivateFile(const QString& path, const QByteArray& data, QString* error);

// Whether group or others may read or write `path`; if so, narrows it to 0600 and says so (log).
void narrowToOwner(const QString& path);

} // namespace charla::security
