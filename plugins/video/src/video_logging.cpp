#include "video_logging.h"

namespace charla::video {
Q_LOGGING_CATEGORY(lcVideo, "charla.video")
} // namespace charla::video
