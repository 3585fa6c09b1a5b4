#include "ring_stage.h"

#include "audio_device.h"
#include "audio_format.h"
#include "audio_logging.h"
#include "audio_stats.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>

namespace charla::audio {

namespace {

struct Cadence {
    double hz;
    double periodSeconds;
    // Bursts within a period: [start, end) in seconds.
    std::initializer_list<std::pair<double, double>> bursts;
};

constexpr double kAmplitude = 0.3 * 32767; // loud enough to hear across a room, not a shriek
constexpr double kFadeSeconds = 0.005;

const Cadence& cadence(Ring ring) {
    static const Cadence ringtone{660, 3.0, {{0.0, 0.4}, {0.6, 1.0}}};
    static const Cadence ringback{425, 5.0, {{0.0, 1.0}}};
    return ring == Ring::Incoming ? ringtone : ringback;
}

} // namespace

std::int16_t ringSample(Ring ring, std::int64_t index) {
    if (ring == Ring::None || index < 0)
        return 0;
    const Cadence& c = cadence(ring);
    const double t = double(index) / kSampleRate;
    const double inPeriod = std::fmod(t, c.periodSeconds);
    for (const auto& [start, end] : c.bursts) {
        if (inPeriod < start || inPeriod >= end)
            continue;
        const double fade =
            std::min({1.0, (inPeriod - start) / kFadeSeconds, (end - inPeriod) / kFadeSeconds});
        return std::int16_t(
            std::lround(kAmplitude * fade * std::sin(2 * std::numbers::pi * c.hz * t)));
    }
    return 0;
}

RingStage::RingStage(DeviceStageSetup setup) : setup_(setup) {}

void RingStage::addTo(AudioStats& stats) const {
    stats.framesRung = frames_;
}

void RingStage::run(std::stop_token stop) {
    if (!setup_.device)
        return;
    auto rings = [](const CallState& s) { return s.ring != Ring::None && !s.active; };
    while (!stop.stop_requested()) {
        const Ring ring = setup_.call.waitFor(stop, rings).ring;
        if (stop.stop_requested())
            return;
        // On PortAudio's callback thread: the tone from its first sample.
        auto source = [this, ring, next = std::int64_t(0)](PcmFrame& pcm, std::int64_t) mutable {
            for (std::int16_t& sample : pcm)
                sample = ringSample(ring, next++);
            ++frames_;
            return true;
        };
        std::unique_ptr<AudioStream> speaker;
        try {
            speaker = std::make_unique<AudioStream>(*setup_.device, AudioStream::Direction::Output,
                                                    bufferSamples(setup_.bufferMs), source);
        } catch (const std::exception& e) {
            // The call goes on without the tone; the next call tries again.
            qCWarning(lcAudio) << "cannot ring:" << e.what();
        }
        // Until the call is answered, over, or rings the other way.
        setup_.call.waitFor(stop, [&](const CallState& s) { return s.ring != ring || s.active; });
    }
}

} // namespace charla::audio
