#include "ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace charla::test {

sockaddr_in loopbackAddress(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    return addr;
}

int loopbackSocket(bool listen, std::uint16_t* port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopbackAddress(0);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        (listen && ::listen(fd, 16) != 0)) {
        if (fd >= 0)
            ::close(fd);
        throw std::runtime_error("cannot bind a socket on 127.0.0.1");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    *port = ntohs(addr.sin_port);
    return fd;
}

std::uint16_t freePort() {
    std::uint16_t port = 0;
    ::close(loopbackSocket(false, &port));
    return port;
}

std::pair<std::uint16_t, std::uint16_t> reserveTwoPorts() {
    std::uint16_t a = 0, b = 0;
    const int fa =
        loopbackSocket(false, &a); // both held at once: the kernel gives two different ports
    const int fb = loopbackSocket(false, &b);
    ::close(fa);
    ::close(fb);
    return {a, b};
}

} // namespace charla::test
