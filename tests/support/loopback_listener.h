// The listening side of the tests' own servers (proxies, fake contacts): a TCP socket listening on
// 127.0.0.1 and a wake-up pipe. The server's threads poll wakeFd() beside their sockets; after
// wake() it stays readable, so every one of them sees it and stops.
#pragma once

#include <QtGlobal>

#include <cstdint>

namespace charla::test {

class LoopbackListener {
public:
    // Listens on a port the kernel picks. Throws std::runtime_error when the system refuses.
    LoopbackListener();
    ~LoopbackListener();
    Q_DISABLE_COPY(LoopbackListener) // owns its descriptors

    std::uint16_t port() const { return port_; }
    int fd() const { return fd_; }
    int wakeFd() const { return wakePipe_[0]; }
    // Wakes every thread polling wakeFd(), for good.
    void wake();
    // Waits for the next connection; -1 once woken.
    int accept();

private:
    int fd_ = -1;
    int wakePipe_[2] = {-1, -1};
    std::uint16_t port_ = 0;
};

} // namespace charla::test
