// The plugin's logging category, "charla.video" (enable with QT_LOGGING_RULES="charla.video=true").
#pragma once

#include <QLoggingCategory>

namespace charla::video {
Q_DECLARE_LOGGING_CATEGORY(lcVideo)
} // namespace charla::video
