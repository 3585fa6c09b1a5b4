#include "capture_stage.h"

#include "audio_device.h"
#include "audio_logging.h"
#include "audio_stats.h"

#include <cmath>
#include <memory>
#include <mutex>
#include <random>

namespace charla::audio {

namespace {

double levelDb(const PcmFrame& pcm) {
    double sum = 0;
    for (std::int16_t s : pcm)
        sum += static_cast<double>(s) * s;
    const double rms = std::sqrt(sum / kFrameSamples) / 32768.0;
    return rms > 1e-5 ? 20 * std::log10(rms) : -100;
}

std::uint32_t randomStreamId() {
    static std::mutex m;
    static std::mt19937 rng{std::random_device{}()};
    std::lock_guard lock(m);
    return static_cast<std::uint32_t>(rng());
}

} // namespace

CaptureStage::CaptureStage(DeviceStageSetup setup, AudioProcessor& processor, SendQueue& queue)
    : setup_(setup), processor_(processor), queue_(queue) {}

void CaptureStage::run(std::stop_token stop) {
    if (!setup_.device)
        return;                   // nothing to capture, ever: the thread is not needed
    std::uint64_t failedCall = 0; // the call in which the microphone failed
    while (!stop.stop_requested()) {
        const CallState call = setup_.call.waitFor(stop, [&](const CallState& s) {
            return s.active && s.sendCodec && s.callNumber != failedCall;
        });
        if (stop.stop_requested())
            return;
        std::unique_ptr<AudioStream> mic;
        try {
            mic = std::make_unique<AudioStream>(*setup_.device, AudioStream::Direction::Input,
                                                bufferSamples(setup_.bufferMs));
        } catch (const std::exception& e) {
            setup_.problem.set(std::string(e.what()) +
                               "; the call continues without sending audio");
            failedCall = call.callNumber;
            continue;
        }
        qCInfo(lcAudio).noquote() << "capturing from" << mic->deviceName().c_str() << "latency"
                                  << mic->latencySeconds() * 1000 << "ms";
        capturing_ = true;
        processor_.reset();
        CapturedFrame frame;
        frame.stream = randomStreamId();
        std::uint32_t seq = 0;
        while (!stop.stop_requested()) {
            const CallState now = setup_.call.current();
            if (!now.active || !now.sendCodec || now.callNumber != call.callNumber)
                break;
            // The timestamp is the device's (ADC time of the first sample), not the read's.
            const auto result = mic->read(frame.pcm, frame.captureMicros, kDeviceWait);
            if (result == AudioStream::ReadResult::Timeout)
                continue;
            if (result == AudioStream::ReadResult::Failed) {
                setup_.problem.set("the microphone failed (" + mic->error() +
                                   "); the call continues without sending audio");
                failedCall = call.callNumber;
                break;
            }
            frame.seq = seq++; // muted frames keep their numbers: the receiver sees a gap
            ++framesCaptured_;
            inputLevelDb_ = levelDb(frame.pcm);
            if (muted_)
                continue;
            processor_.process(frame.pcm);
            queue_.push(frame);
        }
        capturing_ = false;
        inputLevelDb_ = -100;
        qCInfo(lcAudio) << "capture stopped";
    }
}

void CaptureStage::addTo(AudioStats& s) const {
    s.framesCaptured = framesCaptured_;
    s.queueDropped = queue_.dropped();
    s.inputLevelDb = inputLevelDb_;
    s.capturing = capturing_;
    s.muted = muted_;
}

} // namespace charla::audio
