#include "loopback_listener.h"

#include "ports.h"

#include <fcntl.h>
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

} // namespace charla::test
