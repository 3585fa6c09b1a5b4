// Figures about this test process, for tests and benchmarks that print what they cost.
#pragma once

namespace charla::test {

// Resident set size (VmRSS) in KiB, or -1 if /proc cannot tell.
long residentKiB();

} // namespace charla::test
