// The plugin's logging category, "charla.text" (enable with QT_LOGGING_RULES="charla.text=true").
#pragma once

#include <QLoggingCategory>

namespace charla::text {
Q_DECLARE_LOGGING_CATEGORY(lcText)
} // namespace charla::text
