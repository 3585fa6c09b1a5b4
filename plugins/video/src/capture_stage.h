// Capture: the source (camera, file, pipeline, test pattern), grabbed continuously so that its
// buffers never go stale, paced to the configured rate -> the self-view and the send queue
// (2, drop oldest). Runs on the capture thread; releases the camera while capture is not wanted.
#pragma once

#include "picture_slots.h"
#include "video_controls.h"

#include <charla/sdk/media/drop_oldest_queue.h>

#include <opencv2/core/mat.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <stop_token>

namespace charla::video {

struct VideoCounters;

struct CapturedPicture {
    cv::Mat bgr;
    std::uint64_t seq = 0;
    double ts = 0; // capture time, ms since the Unix epoch
};
using SendQueue = sdk::media::DropOldestQueue<CapturedPicture>;

class CaptureStage {
public:
    // `sourceWorking` is called when the source stops or starts delivering.
    CaptureStage(VideoControls& controls, PictureSlots& pictures, SendQueue& queue,
                 std::function<void(bool working)> sourceWorking);

    void run(std::stop_token stop);
    void addTo(VideoCounters& counters) const;

private:
    VideoControls& controls_;
    PictureSlots& pictures_;
    SendQueue& queue_;
    const std::function<void(bool)> sourceWorking_;
    std::atomic<std::uint64_t> captured_{0};
};

} // namespace charla::video
