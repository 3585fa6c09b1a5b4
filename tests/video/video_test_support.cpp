#include "video_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace charla::video::test {

using charla::test::loopbackSocket;

std::string videoPluginDir() {
    return CHARLA_VIDEO_TEST_PLUGIN_DIR;
}

VideoConfig patternConfig(int width, int height, int fps) {
    VideoConfig c;
    c.source = SourceSpec::parse("test");
    c.format = {width, height, fps};
    c.quality = 75;
    return c;
}

EnginePeer::EnginePeer(const VideoConfig& config) : engine_(config) {
    channel_.listen("127.0.0.1", 0);
    engine_.probe();
}

EnginePeer::~EnginePeer() {
    if (scope_) {
        scope_->removeMethods();
        engine_.wake();
        scope_->stopWorkers();
    }
}

void EnginePeer::connectTo(std::uint16_t port) {
    channel_.setPeerAddress({"127.0.0.1", port});
    scope_ = channel_.createScope("video");
    sdk::MethodSpec frame;
    frame.name = kFrameMethod;
    frame.maxPayloadBytes = kMaxFramePayloadBytes;
    frame.handler = [this](const xmlrpc_c::paramList& p) { return engine_.handleFrame(p); };
    scope_->registerMethod(std::move(frame));
    sdk::MethodSpec stats;
    stats.name = kStatsMethod;
    stats.handler = [this](const xmlrpc_c::paramList& p) { return engine_.handleStats(p); };
    scope_->registerMethod(std::move(stats));
    scope_->registerWorker({"capture", [this](std::stop_token s) { engine_.runCapture(s); }});
    scope_->registerWorker({"sender", [this](std::stop_token s) { engine_.runSender(s); }});
    scope_->registerWorker({"decoder", [this](std::stop_token s) { engine_.runDecoder(s); }});
    scope_->closeRegistration();
    scope_->publishMethods();
    engine_.setStream(scope_->openStream("video"));
    engine_.setPeerReceives(true);
    scope_->startWorkers();
}

StallProxy::StallProxy(std::uint16_t target) : target_(target) {
    fd_ = loopbackSocket(true, &port_);
    thread_ = std::thread([this] { run(); });
}

StallProxy::~StallProxy() {
    stopping_ = true;
    thread_.join();
    for (auto& t : pumps_)
        t.join();
    ::close(fd_);
}

void StallProxy::run() {
    while (!stopping_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
            continue;
        int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(target_);
        if (::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(upstream);
            ::close(client);
            continue;
        }
        pumps_.emplace_back([this, client, upstream] {
            pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
            char buf[65536];
            bool open = true;
            while (open && !stopping_) {
                if (stalled_) { // hold everything: bytes wait in the kernel's buffers
                    std::this_thread::sleep_for(5ms);
                    continue;
                }
                if (::poll(p, 2, 20) <= 0)
                    continue;
                for (int i = 0; i < 2 && open; ++i) {
                    if (!p[i].revents)
                        continue;
                    ssize_t n = ::read(p[i].fd, buf, sizeof buf);
                    if (n <= 0) {
                        open = false;
                        break;
                    }
                    for (ssize_t off = 0; off < n;) {
                        ssize_t w = ::write(p[1 - i].fd, buf + off, static_cast<size_t>(n - off));
                        if (w <= 0) {
                            open = false;
                            break;
                        }
                        off += w;
                    }
                }
            }
            ::close(client);
            ::close(upstream);
        });
    }
}

} // namespace charla::video::test
