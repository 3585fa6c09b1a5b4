// Names a contact offers become names on this disk only through here: whatever the offer says, the
// file lands directly inside the download directory, under a name that is visible, portable and
// not already taken.
#pragma once

#include <QDir>
#include <QString>

namespace charla::files {

// The longest name kept, in UTF-8 bytes (ext4 allows 255; room is left for " (NN)" and ".part").
inline constexpr int kMaxNameBytes = 200;

// A safe file name for `offered`: path separators (/ and \) and characters other systems refuse
// (<>:"|?*) become '_'; control and format characters (C0, C1, DEL, bidi overrides that could
// disguise an extension) are dropped; leading dots and spaces (hidden files, "." and "..") and
// trailing dots and spaces are removed; Windows' reserved device names (CON, NUL, COM1, ...) get
// a '_' in front; the name is cut to kMaxNameBytes keeping its extension. Never empty ("file").
QString sanitizeFileName(const QString& offered);

// `name` inside `dir` if no such entry exists, else "stem (2).ext", "stem (3).ext", ...
// The caller still creates or renames without overwriting (the check is not atomic).
QString uniquePath(const QDir& dir, const QString& name);

// "stem (n).ext" for name "stem.ext" (n >= 2).
QString numberedName(const QString& name, int n);

} // namespace charla::files
