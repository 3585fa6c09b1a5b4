#include "thread_name.h"

#include <pthread.h>

namespace charla {

void nameThisThread(const std::string& name) {
    constexpr std::size_t kKernelLimit = 15; // TASK_COMM_LEN minus the terminating zero
    pthread_setname_np(pthread_self(), name.substr(0, kKernelLimit).c_str());
}

} // namespace charla
