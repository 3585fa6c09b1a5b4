// File transfers are background work: beside a call, the call's threads must get the CPU first
// (docs/decisions.md "Transfers run at the lowest CPU priority"). On a machine with CPU to
// spare the transfer runs as fast as before; when a call needs the CPU, the scheduler gives a
// nice-19 thread about 1.5 % of a core against a nice-0 one.
#pragma once

namespace charla::files {

// Lowers the calling thread to nice 19. On Linux nice is per thread, and the threads it starts
// afterwards inherit it. An unprivileged process cannot raise it again, so only threads that do
// nothing but transfer work call this. Logs, and changes nothing, where it is refused.
void runThisThreadInBackground();

} // namespace charla::files
