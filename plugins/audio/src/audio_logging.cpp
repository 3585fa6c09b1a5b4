#include "audio_logging.h"

namespace charla::audio {
Q_LOGGING_CATEGORY(lcAudio, "charla.audio")
} // namespace charla::audio
