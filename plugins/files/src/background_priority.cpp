#include "background_priority.h"

#include "files_logging.h"

#include <cerrno>
#include <cstring>
#include <sys/resource.h>
#include <unistd.h>

namespace charla::files {

void runThisThreadInBackground() {
    // PRIO_PROCESS with a thread id: the thread alone (Linux; POSIX would say the whole process).
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19) != 0)
        qCWarning(lcFiles) << "cannot lower a transfer thread's priority:" << std::strerror(errno);
}

} // namespace charla::files
