// Loopback ports for tests. A port is free when asked and may be taken by the time it is used;
// tests that need two ports at once take them together so that they differ.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <utility>

namespace charla::test {

// 127.0.0.1:port, as bind(), connect() and sendto() take it.
sockaddr_in loopbackAddress(std::uint16_t port);

// A TCP socket on 127.0.0.1, on a port the kernel picks (written to *port), listening if asked;
// the caller closes it. Throws std::runtime_error when the system refuses.
int loopbackSocket(bool listen, std::uint16_t* port);

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t freePort();

// Two distinct such ports (for two hosts that must know each other's port before either starts).
std::pair<std::uint16_t, std::uint16_t> reserveTwoPorts();

} // namespace charla::test
