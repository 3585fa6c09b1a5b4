// A TCP proxy on loopback for tests and benchmarks that must see, count or hold what two peers
// send each other: every connection to port() is forwarded to 127.0.0.1:target, both ways.
#pragma once

#include "loopback_listener.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace charla::test {

class TcpProxy {
public:
    enum class Direction { ToTarget, FromTarget };
    // Sees each chunk read, on the connection's forwarding thread, before it is passed on.
    using Observer = std::function<void(Direction, std::string_view)>;

    explicit TcpProxy(std::uint16_t target, Observer observer = {});
    ~TcpProxy();
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    std::uint16_t port() const { return relay_.port(); }
    // Connections accepted so far.
    int accepted() const { return relay_.accepted(); }
    // Bytes forwarded so far in one direction (ToTarget: what the clients sent).
    std::uint64_t bytes(Direction direction) const { return bytes_[index(direction)]; }
    // While stalled nothing is read: the bytes wait in the kernel's buffers, as on a stalled link.
    void setStalled(bool stalled) { stalled_ = stalled; }
    // CPU time the forwarding threads have used (a benchmark's own overhead, not the peers').
    double cpuSeconds() const { return static_cast<double>(cpuMicros_) / 1e6; }

private:
    static int index(Direction d) { return d == Direction::ToTarget ? 0 : 1; }
    void pump(int client, int upstream);

    Observer observer_;
    std::atomic<std::uint64_t> bytes_[2] = {0, 0};
    std::atomic<std::uint64_t> cpuMicros_{0};
    std::atomic<bool> stalled_{false};
    LoopbackRelay relay_; // last: its threads stop before the rest goes
};

} // namespace charla::test
