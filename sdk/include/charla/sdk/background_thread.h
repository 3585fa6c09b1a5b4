// Bulk work (a file's bytes, hashing it) runs at a lower CPU priority, so that beside a call the
// call's threads get the CPU first (docs/decisions.md "Transfers run at a lower CPU priority").
// With CPU to spare the work runs as fast as before. Against a busy nice-0 thread a nice-10 one
// gets about 10 % of a core: enough for a call's bursts to come first, not so little that a
// compiler running beside Charla stalls a transfer (nice 19, 1.5 %, did that in a loaded test
// run). Header only (no ABI): the files plugin's workers and the host's bulk request workers
// share it, and a plugin that moves bulk data can use it too.
#pragma once

#include <cerrno>
#include <sys/resource.h>
#include <unistd.h>

namespace charla::sdk {

inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread to nice kBackgroundNice. On Linux nice is per thread, and the
// threads it starts afterwards inherit it. An unprivileged process cannot raise it again, so
// only threads that do nothing but bulk work call this. Returns 0, or the errno of a refusal
// (nothing changed).
inline int runThisThreadInBackground() {
    // PRIO_PROCESS with a thread id: that thread alone (Linux; POSIX would mean the process).
    return ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kBackgroundNice) == 0 ? 0
                                                                                            : errno;
}

} // namespace charla::sdk
