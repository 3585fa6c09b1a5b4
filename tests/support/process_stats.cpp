#include "process_stats.h"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <string>

namespace charla::test {

long residentKiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

double cpuSeconds(const rusage& usage) {
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return cpuSeconds(usage);
}

double processCpuSeconds(int pid) {
    // Fields 14 and 15 of /proc/PID/stat: utime and stime, in clock ticks.
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string field;
    double utime = 0;
    for (int i = 1; i <= 15 && in >> field; ++i) {
        if (i == 14)
            utime = std::stod(field);
        if (i == 15)
            return (utime + std::stod(field)) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
    return 0;
}

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

} // namespace charla::test
