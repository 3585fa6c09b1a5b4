#include "loopback_listener.h"

#include "ports.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace charla::test {

LoopbackListener::LoopbackListener() {
    fd_ = loopbackSocket(/*listen=*/true, &port_);
    if (::pipe2(wakePipe_, O_CLOEXEC) != 0) {
        ::close(fd_);
        throw std::runtime_error("pipe2() failed");
    }
}

LoopbackListener::~LoopbackListener() {
    for (int fd : wakePipe_)
        ::close(fd);
    ::close(fd_);
}

void LoopbackListener::wake() {
    const char c = 'x'; // never read: the pipe stays readable
    [[maybe_unused]] auto n = ::write(wakePipe_[1], &c, 1);
}

int LoopbackListener::accept() {
    pollfd fds[2] = {{wakePipe_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0)
            continue;
        if (fds[0].revents)
            return -1;
        const int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (connection >= 0)
            return connection;
    }
}

LoopbackRelay::LoopbackRelay(std::uint16_t target, Serve serve)
    : target_(target), serve_(std::move(serve)), acceptor_([this] { run(); }) {}

LoopbackRelay::~LoopbackRelay() {
    stop();
}

void LoopbackRelay::stop() {
    listener_.wake(); // the accepting thread and every connection's
    if (acceptor_.joinable())
        acceptor_.join();
    for (auto& t : connections_)
        t.join();
    connections_.clear();
}

void LoopbackRelay::run() {
    for (;;) {
        const int client = listener_.accept();
        if (client < 0)
            return;
        ++accepted_;
        const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const sockaddr_in addr = loopbackAddress(target_);
        if (::connect(upstream, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(upstream);
            ::close(client);
            continue;
        }
        const int one = 1;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        connections_.emplace_back([this, client, upstream] { serve_(client, upstream); });
    }
}

} // namespace charla::test
