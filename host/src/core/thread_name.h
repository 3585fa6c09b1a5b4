// Names the calling thread so that `top -H`, `ps -L`, gdb and perf show which part of Charla a
// thread belongs to (the kernel keeps 15 characters; longer names are cut).
#pragma once

#include <string>

namespace charla {

void nameThisThread(const std::string& name);

} // namespace charla
