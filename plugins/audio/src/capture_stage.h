// Capture: microphone (PortAudio, 20 ms frames) -> echo/noise processing -> the send queue
// (bounded, drop oldest). Runs on the capture thread during calls in which we send.
#pragma once

#include "audio_format.h"
#include "audio_processor.h"
#include "call_watch.h"

#include <charla/sdk/media/drop_oldest_queue.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <stop_token>

namespace charla::audio {

struct AudioStats;

struct CapturedFrame {
    std::uint32_t stream = 0; // the sending run (one call) it belongs to
    std::uint32_t seq = 0;
    std::int64_t captureMicros = 0;
    PcmFrame pcm{};
};
// Between capture and send: at most this many frames, the oldest dropped (and counted).
using SendQueue = sdk::media::DropOldestQueue<CapturedFrame>;

class CaptureStage {
public:
    CaptureStage(DeviceStageSetup setup, AudioProcessor& processor, SendQueue& queue);

    void run(std::stop_token stop);
    void setMuted(bool muted) { muted_ = muted; }
    bool muted() const { return muted_; }
    void addTo(AudioStats& stats) const;

private:
    const DeviceStageSetup setup_;
    AudioProcessor& processor_;
    SendQueue& queue_;

    std::atomic<bool> muted_{false};
    std::atomic<bool> capturing_{false};
    std::atomic<double> inputLevelDb_{-100};
    std::atomic<std::uint64_t> framesCaptured_{0};
};

} // namespace charla::audio
