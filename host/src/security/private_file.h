// Files only the user may read (keys, the known peers): written 0600 from the first byte, through
// a temporary name renamed into place, so that neither the umask nor a crash mid-write exposes or
// truncates them.
#pragma once

#include <QByteArray>
#include <QString>

namespace charla::security {

bool writePrivateFile(const QString& path, const QByteArray& data, QString* error);

// Whether group or others may read or write `path`; if so, narrows it to 0600 and says so (log).
void narrowToOwner(const QString& path);

} // namespace charla::security
