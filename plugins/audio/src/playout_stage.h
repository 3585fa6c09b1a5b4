// Play: PortAudio's output callback -> AudioReceiver -> decode/conceal -> speaker. The playout
// thread only opens the device for each call and watches its health; when the speaker fails,
// receiving stops and the failed-handler tells the plugin (which tells the peer).
#pragma once

#include "audio_processor.h"
#include "audio_receiver.h"
#include "call_watch.h"

#include <charla/sdk/media/latency_histogram.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>

namespace charla::audio {

struct AudioStats;

class PlayoutStage {
public:
    PlayoutStage(DeviceStageSetup setup, AudioReceiver& receiver, AudioProcessor& processor);

    void run(std::stop_token stop);
    // Called (from the playout thread) when the speaker failed.
    void setFailedHandler(std::function<void()> handler);
    // The speaker failed in this call.
    bool failed() const { return failed_; }
    // A call starts: the device is tried again and the figures start afresh.
    void callStarted();
    void addTo(AudioStats& stats) const;

private:
    const DeviceStageSetup setup_;
    AudioReceiver& receiver_;
    AudioProcessor& processor_;

    mutable std::mutex handlerMutex_;
    std::function<void()> onFailed_;
    std::atomic<bool> failed_{false};
    std::atomic<bool> playing_{false};
    // Mouth-to-ear of played frames: to the hand-off, and plus the device's own delay.
    sdk::media::LatencyHistogram latency_;
    sdk::media::LatencyHistogram latencyToSpeaker_;
};

} // namespace charla::audio
