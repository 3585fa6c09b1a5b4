// Decode: the newest received JPEG -> BGR -> the remote picture slot (the GUI paints it). Runs
// on the decode thread; measures capture-to-hand-off latency, and the GUI reports painting.
#pragma once

#include "picture_slots.h"
#include "receive_stage.h"
#include "video_controls.h"

#include <charla/sdk/media/latency_histogram.h>
#include <charla/sdk/media/rate_meter.h>

#include <atomic>
#include <cstdint>
#include <stop_token>

namespace charla::video {

class Vp8Decoder;

struct VideoCounters;

// The decode stage's latency histograms (hand-off, painted): 0.25 ms bins up to 1 s, the wire's
// latency_bin_ms and 4001 counts.
inline constexpr sdk::media::Millis kLatencyBin{0.25};
inline constexpr sdk::media::Millis kLatencyRange{1000};

class DecodeStage {
public:
    DecodeStage(VideoControls& controls, PictureSlots& pictures, ReceiveQueue& queue,
                ReceiveStage& receive);

    void run(std::stop_token stop);
    // The GUI painted the remote picture captured at `ts`.
    void recordPainted(double ts);
    void addTo(VideoCounters& counters) const;
    const sdk::media::LatencyHistogram& handoff() const { return handoff_; }
    const sdk::media::LatencyHistogram& painted() const { return painted_; }
    // One VP8 frame into `bgr`, or why not: a delta frame whose predecessor (`lastSeq`, -1 when
    // the chain is broken) is not the frame it refers to, or the decoder's verdict.
    static FrameError decodeVp8(Vp8Decoder& decoder, const WireFrame& frame, std::int64_t lastSeq,
                                cv::Mat& bgr);

private:
    VideoControls& controls_;
    PictureSlots& pictures_;
    ReceiveQueue& queue_;
    ReceiveStage& receive_;       // counts the frames that do not decode
    sdk::media::RateMeter meter_; // latency: capture to hand-off to the GUI
    sdk::media::LatencyHistogram handoff_;
    sdk::media::LatencyHistogram painted_;
    std::atomic<std::uint64_t> displayed_{0};
};

} // namespace charla::video
