// The plugin's logging category, "charla.audio" (enable with QT_LOGGING_RULES="charla.audio=true").
#pragma once

#include <QLoggingCategory>

namespace charla::audio {
Q_DECLARE_LOGGING_CATEGORY(lcAudio)
} // namespace charla::audio
