// Helpers of the video suite: polling with Qt events, two engines over two real Channels
// (HostChannel + PluginScope, the host's own classes, on loopback), and a TCP proxy that can
// stall on command.
#pragma once

#include "core/host_channel.h"

#include "video_engine.h"

#include "ports.h" // tests/support
#include "wait.h"

#include <QCoreApplication>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace charla::video::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using charla::test::pumpFor;
using charla::test::reserveTwoPorts;
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

// Forwards 127.0.0.1:port() to 127.0.0.1:target; while stalled it holds every byte.
class StallProxy {
public:
    explicit StallProxy(std::uint16_t target);
    ~StallProxy();
    std::uint16_t port() const { return port_; }
    void setStalled(bool stalled) { stalled_ = stalled; }

private:
    void run();
    std::uint16_t target_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stalled_{false};
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    std::vector<std::thread> pumps_;
};

} // namespace charla::video::test
