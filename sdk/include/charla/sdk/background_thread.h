// Bulk work (a file's bytes, hashing it) runs at the lowest CPU priority, so that beside a call
// the call's threads get the CPU first (docs/decisions.md "Transfers run at the lowest CPU
// priority"). With CPU to spare the work runs as fast as before; when a call needs the CPU, the
// scheduler gives a nice-19 thread about 1.5 % of a core against a nice-0 one. Header only (no
// ABI): the files plugin's workers and the host's bulk request workers share it, and a plugin
// that moves bulk data can use it too.
#pragma once

#include <cerrno>
#include <sys/resource.h>
#include <unistd.h>

namespace charla::sdk {

// Lowers the calling thread to nice 19. On Linux nice is per thread, and the threads it starts
// afterwards inherit it. An unprivileged process cannot raise it again, so only threads that do
// nothing but bulk work call this. Returns 0, or the errno of a refusal (nothing changed).
inline int runThisThreadInBackground() {
    // PRIO_PROCESS with a thread id: that thread alone (Linux; POSIX would mean the process).
    return ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19) == 0 ? 0 : errno;
}

} // namespace charla::sdk
