// A TCP proxy on loopback for tests and benchmarks that must see, count or hold what two peers
// send each other: every connection to port() is forwarded to 127.0.0.1:target, both ways.
// It can also play a slower link (the kernel here has no netem): a one-way delay line and a
// bandwidth cap, each direction one link shared by all connections, with an unbounded FIFO in
// front of the cap (a router's buffer: what a sender sends beyond the cap waits and its round trip
// grows).
#pragma once

#include "loopback_listener.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
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
    // Every chunk is passed on `oneWay` after it was read (after the cap's queue, if any).
    void setDelay(std::chrono::microseconds oneWay) { delayMicros_ = oneWay.count(); }
    // Each direction carries at most `kbps` kbit/s (1000 bit/s); 0: as fast as loopback.
    void setCapKbps(double kbps) { capKbps_ = kbps; }
    // CPU time the forwarding threads have used (a benchmark's own overhead, not the peers').
    double cpuSeconds() const { return static_cast<double>(cpuMicros_) / 1e6; }

private:
    static int index(Direction d) { return d == Direction::ToTarget ? 0 : 1; }
    void pump(int client, int upstream);
    // When a chunk of `bytes` read now in `direction` is due at the other end.
    std::chrono::steady_clock::time_point due(int direction, std::size_t bytes);

    Observer observer_;
    std::atomic<std::uint64_t> bytes_[2] = {0, 0};
    std::atomic<std::uint64_t> cpuMicros_{0};
    std::atomic<bool> stalled_{false};
    std::atomic<std::int64_t> delayMicros_{0};
    std::atomic<double> capKbps_{0};
    std::mutex linkMutex_;
    std::chrono::steady_clock::time_point linkFree_[2]; // when each direction's link is idle again
    LoopbackRelay relay_; // last: its threads stop before the rest goes
};

} // namespace charla::test
