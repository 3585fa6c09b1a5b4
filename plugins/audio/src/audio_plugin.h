// The SDK entry point: wires AudioEngine to the Channel (audio.frame, audio.stats, the capture,
// sender and playout workers, the "audio" stream), to host.hello (what we send and receive, and
// our codecs) and to the windows (call panel, chat panel, settings page).
#pragma once

#include "audio_engine.h"

#include <charla/sdk/plugin.h>
#include <charla/sdk/translator.h>

#include <memory>

namespace charla::audio {

class AudioPlugin : public sdk::TranslatedPlugin {
public:
    AudioPlugin() : TranslatedPlugin(QStringLiteral("charla_audio")) {}

    // Registers audio.frame, audio.stats, the datagram handler and the workers the devices allow.
    void initialize(sdk::PluginContext& context) override;
    // Chat window: the devices' status only (mute and level belong to calls).
    QWidget* createPanel(QWidget* parent) override;
    QWidget* createCallPanel(QWidget* parent) override;
    QWidget* createSettingsPage(QWidget* parent) override;
    // Opens the "audio" stream before the sender runs.
    void start() override;
    void stop() override;
    // Both decide whether we send, with which codec and by which transport (updateCall).
    void peerChanged(const sdk::PeerInfo& peer) override;
    void callChanged(const sdk::CallInfo& call) override;

private:
    void announce();
    void updateCall();

    sdk::PluginContext* context_ = nullptr;
    std::unique_ptr<AudioEngine> engine_;
    std::shared_ptr<sdk::PeerStream> stream_; // opened in start(), before the sender runs
    sdk::PeerInfo peer_;
    sdk::CallInfo call_;
    bool outputLost_ = false;
    bool datagrams_ = false; // the host carries our datagrams, and we offer them
};

} // namespace charla::audio
