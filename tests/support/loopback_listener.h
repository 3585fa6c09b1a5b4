// The listening side of the tests' own servers (proxies, fake contacts): a TCP socket listening on
// 127.0.0.1 and a wake-up pipe; and the accepting half of the relays built on it. The server's
// threads poll wakeFd() beside their sockets; after wake() it stays readable, so every one of them
// sees it and stops.
#pragma once

#include <QtGlobal>

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

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

// The accepting half of the tests' relays (TcpProxy, TlsRelay): each connection to port() is
// connected onward to 127.0.0.1:target (TCP_NODELAY both ways: a relay must not add Nagle +
// delayed-ACK stalls) and both are handed to `serve` on a thread of their own, which closes them.
// `serve` polls wakeFd() beside its sockets and returns once it turns readable. stop() (or the
// destructor) wakes and joins every thread: call it before anything `serve` uses is destroyed.
class LoopbackRelay {
public:
    using Serve = std::function<void(int client, int upstream)>;

    LoopbackRelay(std::uint16_t target, Serve serve);
    ~LoopbackRelay();
    Q_DISABLE_COPY(LoopbackRelay) // owns its threads

    std::uint16_t port() const { return listener_.port(); }
    int wakeFd() const { return listener_.wakeFd(); }
    // Connections accepted so far (also those the target refused).
    int accepted() const { return accepted_; }
    void stop();

private:
    void run();

    std::uint16_t target_;
    Serve serve_;
    LoopbackListener listener_;
    std::atomic<int> accepted_{0};
    std::vector<std::thread> connections_; // only the accepting thread adds to it
    std::thread acceptor_;
};

} // namespace charla::test
