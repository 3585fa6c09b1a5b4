#include "files_logging.h"

namespace charla::files {
Q_LOGGING_CATEGORY(lcFiles, "charla.files")
} // namespace charla::files
