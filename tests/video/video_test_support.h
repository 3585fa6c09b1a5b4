// Helpers of the video suite: two engines over two real Channels (HostChannel + PluginScope, the
// host's own classes, on loopback); polling and the TCP proxy that stalls are tests/support's.
#pragma once

#include "core/host_channel.h"

#include "video_engine.h"

#include "ports.h" // tests/support
#include "tcp_proxy.h"
#include "wait.h"

#include <QCoreApplication>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace charla::video::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using charla::test::pumpFor;
using charla::test::reserveTwoPorts;
using charla::test::TcpProxy;
using charla::test::waitUntil;
std::string videoPluginDir();

// One side: a listening HostChannel with a "video" PluginScope serving a VideoEngine, the way
// the plugin wires it (methods, three workers, the "video" stream).
class EnginePeer {
public:
    explicit EnginePeer(const VideoConfig& config);
    ~EnginePeer();
    std::uint16_t port() const { return channel_.port(); }
    // Points the stream at `port` and starts the workers.
    void connectTo(std::uint16_t port);
    VideoEngine& engine() { return engine_; }

private:
    host::HostChannel channel_;
    VideoEngine engine_;
    std::unique_ptr<host::PluginScope> scope_;
};

VideoConfig patternConfig(int width, int height, int fps = 30);

// A call from `a` to `b` in VP8 (b offers it): a sends to `aSendsTo` (b's port, or a proxy's in
// front of it), b answers a directly, and both are in the call.
void startVp8Call(EnginePeer& a, EnginePeer& b, std::uint16_t aSendsTo);

} // namespace charla::video::test
