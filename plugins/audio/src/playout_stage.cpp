#include "playout_stage.h"

#include "audio_device.h"
#include "audio_logging.h"
#include "audio_stats.h"

#include <charla/sdk/media/clocks.h>

namespace charla::audio {

PlayoutStage::PlayoutStage(DeviceStageSetup setup, AudioReceiver& receiver,
                           AudioProcessor& processor)
    : setup_(setup), receiver_(receiver), processor_(processor),
      latency_(kLatencyBin, kLatencyRange), latencyToSpeaker_(kLatencyBin, kLatencyRange) {}

void PlayoutStage::setFailedHandler(std::function<void()> handler) {
    std::lock_guard lock(handlerMutex_);
    onFailed_ = std::move(handler);
}

void PlayoutStage::callStarted() {
    latency_.reset();
    latencyToSpeaker_.reset();
    failed_ = false;
}

void PlayoutStage::run(std::stop_token stop) {
    if (!setup_.device)
        return;
    while (!stop.stop_requested()) {
        const CallState call =
            setup_.call.waitFor(stop, [&](const CallState& s) { return s.active && !failed_; });
        if (stop.stop_requested())
            return;
        std::unique_ptr<AudioStream> speaker;
        // On PortAudio's callback thread, whenever the device takes the next 20 ms: that moment
        // is the hand-off the mouth-to-ear figure ends at.
        auto source = [this](PcmFrame& pcm, std::int64_t dacDelayMicros) {
            const AudioReceiver::Output out = receiver_.pull();
            if (out.waiting)
                return false;
            processor_.playback(out.pcm);
            pcm = out.pcm;
            if (out.real) {
                const std::int64_t age = sdk::media::wallClockMicros() - out.captureMicros;
                latency_.record(std::chrono::microseconds(age));
                latencyToSpeaker_.record(std::chrono::microseconds(age + dacDelayMicros));
            }
            return true;
        };
        try {
            speaker = std::make_unique<AudioStream>(*setup_.device, AudioStream::Direction::Output,
                                                    bufferSamples(setup_.bufferMs), source);
        } catch (const std::exception& e) {
            setup_.problem.set(std::string(e.what()) +
                               "; the call continues without playing audio");
        }
        if (speaker) {
            qCInfo(lcAudio).noquote() << "playing to" << speaker->deviceName().c_str() << "latency"
                                      << speaker->latencySeconds() * 1000 << "ms";
            playing_ = true;
            while (!stop.stop_requested()) {
                const CallState now = setup_.call.waitFor(
                    stop,
                    [&](const CallState& s) {
                        return !s.active || s.callNumber != call.callNumber;
                    },
                    kDeviceWait);
                if (!now.active || now.callNumber != call.callNumber)
                    break;
                if (!speaker->healthy()) {
                    setup_.problem.set("the speaker failed (" + speaker->error() +
                                       "); the call continues without playing audio");
                    speaker.reset();
                    break;
                }
            }
            playing_ = false;
            if (speaker) {
                speaker.reset();
                continue; // the call changed: wait for the next state
            }
        }
        // The speaker is gone for this call: stop accepting frames and tell the plugin, which
        // tells the peer that we no longer receive.
        failed_ = true;
        receiver_.setEnabled(false);
        std::function<void()> handler;
        {
            std::lock_guard lock(handlerMutex_);
            handler = onFailed_;
        }
        if (handler)
            handler();
    }
}

void PlayoutStage::addTo(AudioStats& s) const {
    s.latencySamples = latency_.count();
    s.latency = latency_.snapshot();
    s.speakerP50Ms = latencyToSpeaker_.percentileMs(50);
    s.speakerP95Ms = latencyToSpeaker_.percentileMs(95);
    s.playing = playing_;
}

} // namespace charla::audio
