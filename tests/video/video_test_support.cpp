#include "video_test_support.h"

#include <map>
#include <string>

namespace charla::video::test {

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
    engine_.setStream(scope_->openStream("video"), scope_->openStream("video-2"));
    engine_.setPeerReceives(true);
    scope_->startWorkers();
}

void startVp8Call(EnginePeer& a, EnginePeer& b, std::uint16_t aSendsTo) {
    const std::map<std::string, std::string> vp8{{"codecs", "vp8,jpeg"}};
    a.engine().setPeerParams(&vp8);
    a.connectTo(aSendsTo);
    b.connectTo(a.port());
    a.engine().setCallActive(true);
    b.engine().setCallActive(true);
}

} // namespace charla::video::test
