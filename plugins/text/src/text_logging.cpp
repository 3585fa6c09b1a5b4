#include "text_logging.h"

namespace charla::text {
Q_LOGGING_CATEGORY(lcText, "charla.text")
} // namespace charla::text
