#include "video_plugin.h"

#include "video_call_panel.h"
#include "video_logging.h"
#include "video_settings_page.h"

#include <charla/sdk/declare_plugin.h>

namespace charla::video {

void VideoPlugin::initialize(sdk::PluginContext& context) {
    context_ = &context;
    channel_ = &context.channel();
    settings_ = VideoSettings::load(*context.settings());
    sourceOverride_ = context.option("camera");
    codecsOption_ = context.option("codecs"); // --plugin-option video.codecs=jpeg: offer less
    engine_ = std::make_unique<VideoEngine>();
    // The capture thread learns that the camera is gone (or back); the announcement is made on
    // the GUI thread. postToGui drops what is still queued once the plugin is disabled.
    engine_->setSourceHealthListener([this](bool working) {
        context_->postToGui([this, working] { announce(engine_->canSend() && working); });
    });
    reconfigure();

    sdk::MethodSpec frame;
    frame.name = kFrameMethod;
    frame.signature = "S:S";
    frame.help = "Delivers one video frame {seq: int, ts: double (capture time, ms since the Unix "
                 "epoch), width: int, height: int, codec: \"vp8\" or \"jpeg\", prev: int (vp8 "
                 "delta frames: the seq they are predicted from), data: base64 text or <base64>}; "
                 "returns {seq}, with keyframe: true when the receiver needs one. Only during an "
                 "active call (docs/protocol-video.md).";
    frame.maxPayloadBytes = kMaxFramePayloadBytes;
    frame.handler = [engine = engine_.get()](const xmlrpc_c::paramList& params) {
        return engine->handleFrame(params);
    };
    channel_->registerMethod(std::move(frame));

    sdk::MethodSpec stats;
    stats.name = kStatsMethod;
    stats.signature = "S:,S:S";
    stats.help = "Counters and figures of this side's video: frames captured, sent, received, "
                 "rejected by reason; fps, kbps and latency each way. {histogram: true} adds the "
                 "latency histograms.";
    stats.maxPayloadBytes = 1024;
    stats.handler = [engine = engine_.get()](const xmlrpc_c::paramList& params) {
        return engine->handleStats(params);
    };
    channel_->registerMethod(std::move(stats));

    VideoEngine* engine = engine_.get();
    channel_->registerWorker(
        {"video-capture", [engine](std::stop_token s) { engine->runCapture(s); }});
    channel_->registerWorker(
        {"video-sender", [engine](std::stop_token s) { engine->runSender(s); }});
    channel_->registerWorker(
        {"video-decoder", [engine](std::stop_token s) { engine->runDecoder(s); }});
}

QString VideoPlugin::reconfigure() {
    VideoConfig config =
        settings_.toConfig(sharingScreen_ ? std::optional<std::string>("screen") : sourceOverride_);
    if (codecsOption_) {
        if (auto codecs = kCodecs.parse(*codecsOption_); !codecs.empty())
            config.codecs = codecs;
        else
            qCWarning(lcVideo) << "ignoring video.codecs =" << codecsOption_->c_str();
    }
    engine_->setConfig(config);
    engine_->setCameraOn(settings_.cameraOn);
    std::string error;
    const bool canSend = engine_->probe(&error);
    announce(canSend);
    const std::string source = engine_->config().source.describe();
    if (canSend)
        return QCoreApplication::translate("charla::video::VideoPlugin", "Sending from %1.")
            .arg(QString::fromStdString(source));
    return QCoreApplication::translate("charla::video::VideoPlugin", "Receive-only: %1.")
        .arg(QString::fromStdString(error));
}

void VideoPlugin::announce(bool canSend) {
    sdk::Announcement announcement;
    if (canSend)
        announcement.sends = {"video"};
    announcement.receives = {"video"};
    announcement.params = {{kCodecsParam, kCodecs.format(engine_->config().codecs)}};
    if (!engine_->controls().cameraOn())
        announcement.params[kCameraParam] = "off";
    context_->announce(announcement);
}

QString VideoPlugin::applySettings(const VideoSettings& settings) {
    settings_ = settings;
    settings_.save(*context_->settings());
    return reconfigure();
}

QWidget* VideoPlugin::createCallPanel(QWidget* parent) {
    VideoCallPanel::Callbacks callbacks;
    callbacks.cameraToggled = [this](bool on) {
        settings_.cameraOn = on;
        settings_.save(*context_->settings());
        announce(engine_->canSend() && engine_->sourceWorking()); // the contact learns it
    };
    callbacks.selfViewToggled = [this](bool visible) {
        settings_.selfView = visible;
        settings_.save(*context_->settings());
    };
    callbacks.screenShareToggled = [this](bool on) { return shareScreen(on); };
    auto* panel = new VideoCallPanel(*engine_, settings_.selfView, std::move(callbacks), parent);
    callPanel_ = panel;
    return panel;
}

QString VideoPlugin::shareScreen(bool on) {
    sharingScreen_ = on;
    const QString status = reconfigure();
    if (!on || engine_->canSend())
        return {};
    sharingScreen_ = false; // back to the camera; the panel says why sharing failed
    reconfigure();
    return status;
}

QWidget* VideoPlugin::createSettingsPage(QWidget* parent) {
    const QString status =
        engine_->canSend()
            ? QCoreApplication::translate("charla::video::VideoPlugin", "Sending from %1.")
                  .arg(QString::fromStdString(engine_->config().source.describe()))
            : QCoreApplication::translate("charla::video::VideoPlugin", "Receive-only.");
    return new VideoSettingsPage(
        settings_, sourceOverride_, status,
        [this](const VideoSettings& s) { return applySettings(s); }, parent);
}

void VideoPlugin::start() {
    // Two connections: a frame goes out while the one before is still on its way.
    engine_->setStream(channel_->openStream("video"), channel_->openStream("video-2"));
    peerChanged(channel_->peer()); // the copy lives until peerChanged returns
    qCDebug(lcVideo) << "started";
}

// The workers wait on the engine's queues and state with their stop_token, and the host
// interrupts the stream's call in flight; waking them is all that is left to do.
void VideoPlugin::stop() {
    engine_->wake();
    qCDebug(lcVideo) << "stopping";
}

void VideoPlugin::peerChanged(const sdk::PeerInfo& peer) {
    engine_->setPeerReceives(peer.receives("video", "video"));
    const sdk::PeerPlugin* theirs = peer.plugin("video");
    engine_->setPeerParams(theirs ? &theirs->params : nullptr);
    const bool cameraOff =
        theirs && theirs->params.count(kCameraParam) && theirs->params.at(kCameraParam) == "off";
    engine_->setPeerCamera(!peer.sends("video", "video") ? PeerCamera::Missing
                           : cameraOff                   ? PeerCamera::Off
                                                         : PeerCamera::On);
}

void VideoPlugin::callChanged(const sdk::CallInfo& call) {
    engine_->setCallActive(call.active());
}

} // namespace charla::video

CHARLA_DECLARE_PLUGIN(charla::video::VideoPlugin)
