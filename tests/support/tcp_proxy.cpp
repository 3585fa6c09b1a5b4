#include "tcp_proxy.h"

#include "process_stats.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace charla::test {

namespace {

std::uint64_t threadCpuMicros() {
    return static_cast<std::uint64_t>(threadCpuSeconds() * 1e6);
}

} // namespace

TcpProxy::TcpProxy(std::uint16_t target, Observer observer)
    : observer_(std::move(observer)),
      relay_(target, [this](int client, int upstream) { pump(client, upstream); }) {}

TcpProxy::~TcpProxy() = default;

void TcpProxy::pump(int client, int upstream) {
    pollfd p[3] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}, {relay_.wakeFd(), POLLIN, 0}};
    char buf[65536];
    std::uint64_t accounted = threadCpuMicros();
    for (bool open = true; open;) {
        const std::uint64_t now = threadCpuMicros();
        cpuMicros_ += now - accounted;
        accounted = now;
        if (stalled_) { // only the wake pipe: the peers' bytes stay unread
            if (::poll(&p[2], 1, 5) > 0)
                break;
            continue;
        }
        if (::poll(p, 3, -1) <= 0)
            continue;
        if (p[2].revents)
            break;
        if (stalled_) // stalled while waiting: what just arrived waits too
            continue;
        for (int i = 0; i < 2 && open; ++i) {
            if (!p[i].revents)
                continue;
            const ssize_t n = ::read(p[i].fd, buf, sizeof buf);
            if (n <= 0) {
                open = false;
                break;
            }
            const auto direction = i == 0 ? Direction::ToTarget : Direction::FromTarget;
            bytes_[i] += static_cast<std::uint64_t>(n);
            if (observer_)
                observer_(direction, std::string_view(buf, static_cast<std::size_t>(n)));
            for (ssize_t off = 0; off < n;) {
                const ssize_t w = ::write(p[1 - i].fd, buf + off, static_cast<size_t>(n - off));
                if (w <= 0) {
                    open = false;
                    break;
                }
                off += w;
            }
        }
    }
    cpuMicros_ += threadCpuMicros() - accounted;
    ::close(client);
    ::close(upstream);
}

} // namespace charla::test
