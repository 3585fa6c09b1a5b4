// The SDK entry point: wires the VideoEngine to the Channel (video.frame, video.stats, the three
// workers, the "video" stream), to the call (callChanged) and to the windows (call panel,
// settings page).
#pragma once

#include "video_engine.h"
#include "video_settings.h"

#include <charla/sdk/plugin.h>
#include <charla/sdk/translator.h>

#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>
#include <optional>
#include <string>

namespace charla::video {

class VideoCallPanel;

class VideoPlugin : public sdk::TranslatedPlugin {
public:
    VideoPlugin() : TranslatedPlugin(QStringLiteral("charla_video")) {}

    // Loads the settings, probes the source (receive-only without one), registers video.frame,
    // video.stats and the three workers.
    void initialize(sdk::PluginContext& context) override;
    QWidget* createCallPanel(QWidget* parent) override;
    QWidget* createSettingsPage(QWidget* parent) override;
    // Opens the "video" stream and takes the peer's codecs as they are now.
    void start() override;
    void stop() override;
    // The peer's codecs and whether it receives; the call switches capture and sending.
    void peerChanged(const sdk::PeerInfo& peer) override;
    void callChanged(const sdk::CallInfo& call) override;

    // For charla_video_bench, which measures the quality of the pictures a session shows
    // against those its peer captured (bench/video/video_bench.cpp); after initialize().
    VideoEngine& engine() { return *engine_; }

private:
    // Configures the engine from settings_, probes the source and announces what we can do.
    QString reconfigure();
    QString applySettings(const VideoSettings& settings);
    // The call window's "Share screen": the screen replaces the camera until switched back (not
    // saved). Returns why it could not, empty when done.
    QString shareScreen(bool on);
    // Tells the peer (host.hello) whether we send video; we always receive it.
    void announce(bool canSend);

    sdk::PluginContext* context_ = nullptr;
    sdk::Channel* channel_ = nullptr;
    VideoSettings settings_;
    std::optional<std::string> sourceOverride_; // --camera
    std::optional<std::string> codecsOption_;   // video.codecs, e.g. "jpeg"
    bool sharingScreen_ = false;
    std::unique_ptr<VideoEngine> engine_;
    QPointer<VideoCallPanel> callPanel_;
};

} // namespace charla::video
