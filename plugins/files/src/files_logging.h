// The plugin's logging category, "charla.files" (QT_LOGGING_RULES="charla.files.debug=true").
#pragma once

#include <QLoggingCategory>

namespace charla::files {
Q_DECLARE_LOGGING_CATEGORY(lcFiles)
} // namespace charla::files
