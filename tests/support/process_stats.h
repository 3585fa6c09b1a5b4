// Figures about processes, for tests and benchmarks that print or bound what they cost.
#pragma once

#include <sys/resource.h>

namespace charla::test {

// Resident set size (VmRSS) in KiB, or -1 if /proc cannot tell.
long residentKiB();

// CPU seconds (user + system) in a getrusage()/wait4() record.
double cpuSeconds(const rusage& usage);

// CPU seconds this process has used so far.
double processCpuSeconds();

// CPU seconds another running process has used so far (/proc/PID/stat), 0 if /proc cannot tell.
double processCpuSeconds(int pid);

// CPU seconds the calling thread has used so far.
double threadCpuSeconds();

} // namespace charla::test
