#include "audio_plugin.h"

#include "audio_call_panel.h"
#include "audio_logging.h"
#include "audio_packet.h"
#include "audio_settings.h"
#include "audio_settings_page.h"
#include "audio_status_panel.h"

#include <charla/sdk/declare_plugin.h>

namespace charla::audio {

namespace {
constexpr char kKind[] = "audio";
// host.hello param: "1" when this side sends and receives audio packets as datagrams.
constexpr char kDatagramParam[] = "datagram";
} // namespace

void AudioPlugin::initialize(sdk::PluginContext& context) {
    context_ = &context;
    engine_ = std::make_unique<AudioEngine>(
        makeEngineConfig(AudioSettings::load(*context.settings()),
                         [&context](const std::string& key) { return context.option(key); }));
    sdk::Channel& channel = context.channel();

    sdk::MethodSpec frame;
    frame.name = kFrameMethod;
    frame.signature = "i:6";
    frame.help = "Delivers 1-5 encoded 20 ms audio frames in one binary packet "
                 "(docs/protocol-audio.md); returns how many were queued for playout.";
    // The packet itself, plus slack for how the host counts: the limit must never refuse a
    // valid packet.
    frame.maxPayloadBytes = kMaxPacketBytes + 256;
    frame.handler = [engine = engine_.get()](const xmlrpc_c::paramList& params) {
        return engine->handleFrameCall(params);
    };
    channel.registerMethod(std::move(frame));

    sdk::MethodSpec stats;
    stats.name = kStatsMethod;
    stats.signature = "S:";
    stats.help = "Counters of this side's audio: frames sent, received, played, concealed, "
                 "jitter delay, mouth-to-ear latency percentiles.";
    stats.maxPayloadBytes = 256;
    stats.handler = [engine = engine_.get()](const xmlrpc_c::paramList& params) {
        return engine->handleStatsCall(params);
    };
    channel.registerMethod(std::move(stats));

    // The cheap media path (docs/decisions.md): one datagram per packet instead of an HTTP call.
    if (engine_->config().datagrams) {
        datagrams_ = channel.registerDatagramHandler(
            [engine = engine_.get()](const std::uint8_t* data, std::size_t size) {
                engine->handleDatagram(data, size);
            });
        if (datagrams_)
            engine_->setDatagramSender(
                [&channel](const std::uint8_t* data, std::size_t size) {
                    return channel.sendDatagram(data, size);
                },
                channel.maxDatagramPayload());
    }

    if (engine_->hasInput()) {
        channel.registerWorker({"audio-capture", [engine = engine_.get()](std::stop_token stop) {
                                    engine->runCapture(stop);
                                }});
        channel.registerWorker(
            {"audio-sender", [this](std::stop_token stop) { engine_->runSender(stop, stream_); }});
    }
    if (engine_->hasOutput()) {
        channel.registerWorker({"audio-playout", [engine = engine_.get()](std::stop_token stop) {
                                    engine->runPlayout(stop);
                                }});
        channel.registerWorker({"audio-ring", [engine = engine_.get()](std::stop_token stop) {
                                    engine->runRing(stop);
                                }});
    }
    engine_->setOutputFailedHandler([this] {
        context_->postToGui([this] {
            outputLost_ = true;
            announce();
        });
    });
    announce();
}

void AudioPlugin::announce() {
    sdk::Announcement a;
    if (engine_->hasInput())
        a.sends.push_back(kKind);
    if (engine_->hasOutput() && !outputLost_)
        a.receives.push_back(kKind);
    a.params[kCodecsParam] = kCodecs.format(engine_->config().codecs);
    if (datagrams_)
        a.params[kDatagramParam] = "1";
    context_->announce(a);
    qCInfo(lcAudio).noquote() << "announcing sends" << (a.sends.empty() ? "nothing" : "audio")
                              << ", receives" << (a.receives.empty() ? "nothing" : "audio")
                              << ", codecs" << a.params[kCodecsParam].c_str()
                              << (datagrams_ ? ", by datagram" : ", by XML-RPC only");
}

// The chat window gets the devices' status only; mute and level belong to calls.
QWidget* AudioPlugin::createPanel(QWidget* parent) {
    return new AudioStatusPanel(*engine_, parent);
}

QWidget* AudioPlugin::createCallPanel(QWidget* parent) {
    return new AudioCallPanel(*engine_, parent);
}

QWidget* AudioPlugin::createSettingsPage(QWidget* parent) {
    return new AudioSettingsPage(*engine_, *context_, parent);
}

void AudioPlugin::start() {
    stream_ = context_->channel().openStream(kKind);
}

void AudioPlugin::stop() {
    engine_->setCall(false, std::nullopt);
    engine_->wakeAll();
}

void AudioPlugin::peerChanged(const sdk::PeerInfo& peer) {
    peer_ = peer;
    updateCall();
}

void AudioPlugin::callChanged(const sdk::CallInfo& call) {
    const bool wasActive = call_.active();
    call_ = call;
    engine_->setRing(call.state == sdk::CallInfo::State::Incoming   ? Ring::Incoming
                     : call.state == sdk::CallInfo::State::Outgoing ? Ring::Outgoing
                                                                    : Ring::None);
    if (call_.active() && !wasActive && outputLost_) {
        outputLost_ = false; // a new call tries the speaker again
        announce();
    }
    updateCall();
}

// Sends when the call is active, we have a microphone, and the peer receives audio in a codec we
// share; receives (plays) whenever the call is active and we have a speaker.
void AudioPlugin::updateCall() {
    std::optional<Codec> codec;
    Transport transport = Transport::XmlRpc;
    const sdk::PeerPlugin* theirs = peer_.plugin(kKind);
    if (call_.active() && engine_->hasInput() && theirs && theirs->canReceive(kKind)) {
        codec = kCodecs.choose(engine_->config().codecs, &theirs->params);
        if (!codec)
            qCWarning(lcAudio) << "no codec in common with the peer: not sending audio";
        const auto offered = theirs->params.find(kDatagramParam);
        if (datagrams_ && offered != theirs->params.end() && offered->second == "1")
            transport = Transport::Datagram;
    }
    engine_->setCall(call_.active(), codec, transport);
}

} // namespace charla::audio

CHARLA_DECLARE_PLUGIN(charla::audio::AudioPlugin)
