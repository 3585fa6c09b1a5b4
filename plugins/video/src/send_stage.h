// Send: the newest captured picture -> VP8 or JPEG -> a video.frame call on the plugin's own
// PeerStreams. Runs on the sender thread; a picture too old by then is dropped, not sent. With a
// second stream two calls are in flight (each on its own connection), so the frame rate no
// longer falls with the round trip (one call per round trip was 25 fps at most over 40 ms).
#pragma once

#include "capture_stage.h"
#include "video_controls.h"

#include <charla/sdk/media/rate_meter.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stop_token>

namespace charla::video {

struct VideoCounters;

class SendStage {
public:
    // The call timeout of video.frame: a frame older than this is worthless anyway.
    static constexpr std::chrono::milliseconds kCallTimeout{500};
    // A captured frame older than this when the sender gets to it is dropped, not sent.
    static constexpr double kMaxSendAgeMs = 200;

    SendStage(VideoControls& controls, SendQueue& queue);

    void run(std::stop_token stop);
    void addTo(VideoCounters& counters) const;

    // Whether a video.frame answer carries {keyframe: true} (the receiver lost the VP8 chain).
    static bool keyframeAsked(const xmlrpc_c::value& answer);

private:
    struct Flight;
    VideoControls& controls_;
    SendQueue& queue_;
    sdk::media::RateMeter meter_; // latency: capture to the peer's answer; frames and bytes sent
    std::atomic<std::uint64_t> failures_{0};
    std::atomic<std::uint64_t> rejected_{0};
    std::atomic<std::uint64_t> stale_{0};
    std::atomic<std::uint64_t> keyframes_{0};        // VP8 keyframes encoded
    std::atomic<std::uint64_t> keyframeRequests_{0}; // answers that asked for one
    std::atomic<int> targetKbps_{0};                 // the VP8 encoder's target in force
    std::atomic<std::uint64_t> rateCuts_{0};         // times the link made us lower it
    std::atomic<int> sizeSteps_{0};                  // SizeLadder step (0: the source's size)
    std::atomic<int> sentWidth_{0};                  // the size of the last frame sent
    std::atomic<int> sentHeight_{0};
    std::atomic<int> sentCodec_{-1}; // the Codec of the last frame sent, -1: none
};

} // namespace charla::video
