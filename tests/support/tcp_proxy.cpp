#include "tcp_proxy.h"

#include "process_stats.h"

#include <algorithm>
#include <deque>
#include <string>

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

std::chrono::steady_clock::time_point TcpProxy::due(int direction, std::size_t bytes) {
    using namespace std::chrono;
    const auto now = steady_clock::now();
    auto departs = now;
    if (const double cap = capKbps_; cap > 0) {
        // One link per direction: a chunk leaves once the link has carried what came before it.
        std::lock_guard lock(linkMutex_);
        const auto start = std::max(now, linkFree_[direction]);
        linkFree_[direction] = start + duration_cast<steady_clock::duration>(
                                           duration<double>(bytes * 8 / (cap * 1000)));
        departs = linkFree_[direction];
    }
    return departs + microseconds(delayMicros_);
}

namespace {

bool writeAll(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t w = ::write(fd, data, size);
        if (w <= 0)
            return false;
        data += w;
        size -= static_cast<std::size_t>(w);
    }
    return true;
}

} // namespace

void TcpProxy::pump(int client, int upstream) {
    using Clock = std::chrono::steady_clock;
    struct Chunk {
        Clock::time_point due;
        std::string bytes;
    };
    // Per direction: chunks read and not yet due (only with a delay or a cap).
    std::deque<Chunk> pending[2];
    std::size_t pendingBytes[2] = {0, 0};
    constexpr std::size_t kMaxPending = 16 << 20; // beyond it, the kernel's buffers hold the rest
    const int fds[2] = {client, upstream};
    char buf[65536];
    std::uint64_t accounted = threadCpuMicros();
    for (bool open = true; open;) {
        const std::uint64_t now = threadCpuMicros();
        cpuMicros_ += now - accounted;
        accounted = now;
        if (stalled_) { // only the wake pipe: the peers' bytes stay unread
            pollfd wake{relay_.wakeFd(), POLLIN, 0};
            if (::poll(&wake, 1, 5) > 0)
                break;
            continue;
        }
        // Pass on what is due; wait no longer than until the next chunk is.
        timespec timeout{};
        const timespec* wait = nullptr;
        for (int i = 0; i < 2 && open; ++i) {
            while (!pending[i].empty() && pending[i].front().due <= Clock::now()) {
                const Chunk& c = pending[i].front();
                open = writeAll(fds[1 - i], c.bytes.data(), c.bytes.size());
                pendingBytes[i] -= c.bytes.size();
                pending[i].pop_front();
            }
        }
        if (!open)
            break;
        Clock::time_point next = Clock::time_point::max();
        for (const auto& p : pending)
            if (!p.empty())
                next = std::min(next, p.front().due);
        if (next != Clock::time_point::max()) {
            const auto ns = std::max<std::int64_t>(
                0,
                std::chrono::duration_cast<std::chrono::nanoseconds>(next - Clock::now()).count());
            timeout = {static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
            wait = &timeout;
        }
        pollfd p[3] = {
            {client, static_cast<short>(pendingBytes[0] < kMaxPending ? POLLIN : 0), 0},
            {upstream, static_cast<short>(pendingBytes[1] < kMaxPending ? POLLIN : 0), 0},
            {relay_.wakeFd(), POLLIN, 0}};
        if (::ppoll(p, 3, wait, nullptr) <= 0)
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
                // The end: what is still on its way arrives first (early, not lost).
                for (const Chunk& c : pending[i])
                    if (!writeAll(fds[1 - i], c.bytes.data(), c.bytes.size()))
                        break;
                open = false;
                break;
            }
            const auto direction = i == 0 ? Direction::ToTarget : Direction::FromTarget;
            const auto size = static_cast<std::size_t>(n);
            bytes_[i] += size;
            if (observer_)
                observer_(direction, std::string_view(buf, size));
            if (delayMicros_ == 0 && capKbps_ == 0 && pending[i].empty()) {
                open = writeAll(fds[1 - i], buf, size); // an open link: at once
                continue;
            }
            pending[i].push_back({due(i, size), std::string(buf, size)});
            pendingBytes[i] += size;
        }
    }
    cpuMicros_ += threadCpuMicros() - accounted;
    ::close(client);
    ::close(upstream);
}

} // namespace charla::test
