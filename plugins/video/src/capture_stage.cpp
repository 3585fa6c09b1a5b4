#include "capture_stage.h"

#include "video_logging.h"
#include "video_stats.h"

#include <algorithm>

namespace charla::video {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

CaptureStage::CaptureStage(VideoControls& controls, PictureSlots& pictures, SendQueue& queue,
                           std::function<void(bool working)> sourceWorking)
    : controls_(controls), pictures_(pictures), queue_(queue),
      sourceWorking_(std::move(sourceWorking)) {}

void CaptureStage::run(std::stop_token stop) {
    std::unique_ptr<VideoSource> source;
    std::uint64_t openedGeneration = 0;
    std::uint64_t seq = 0;
    bool warned = false;
    bool delivered = false; // the open source has given a frame
    Clock::time_point nextDue = Clock::now();
    while (!stop.stop_requested()) {
        const std::optional<VideoControls::CaptureOrder> order = controls_.captureOrder();
        if (!order) {
            if (source) {
                source.reset(); // release the camera while it is not needed
                qCDebug(lcVideo) << "capture paused";
            }
            controls_.waitForCapture(stop, 250ms);
            continue;
        }
        const VideoConfig& cfg = order->config;
        if (!source || order->generation != openedGeneration) {
            source.reset();
            std::string error;
            source = openSource(cfg.source, cfg.format, &error);
            openedGeneration = order->generation;
            if (!source) {
                if (!warned)
                    qCWarning(lcVideo).noquote() << QString::fromStdString(error);
                warned = true;
                sourceWorking_(false);
                controls_.sleepUntil(stop, Clock::now() + 1s);
                continue;
            }
            warned = false;
            delivered = false;
            nextDue = Clock::now();
        }
        const auto period = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(1.0 / std::clamp(cfg.format.fps, 1, 120)));
        if (!source->live()) {
            // Files and the test pattern would run as fast as the CPU allows: pace them.
            if (!controls_.sleepUntil(stop, nextDue))
                break;
            nextDue = std::max(nextDue + period, Clock::now() - period);
        }
        cv::Mat frame;
        if (!source->read(frame)) {
            qCWarning(lcVideo) << "the camera stopped delivering frames; reopening";
            source.reset();
            controls_.sleepUntil(stop, Clock::now() + 500ms);
            continue;
        }
        const double ts = sdk::media::wallClockMs();
        if (!delivered) {
            delivered = true;
            sourceWorking_(true);
        }
        if (source->live()) {
            // Keep grabbing at the device's pace (never let its buffers go stale) but pass on
            // only the configured rate; a quarter period of slack absorbs jitter.
            const auto now = Clock::now();
            if (now + period / 4 < nextDue)
                continue;
            nextDue = std::max(nextDue + period, now - period);
        }
        ++captured_;
        pictures_.publish(PictureSlots::Slot::Local, frame, ts);
        queue_.push({frame, ++seq, ts});
    }
}

void CaptureStage::addTo(VideoCounters& c) const {
    c.captured = captured_;
    c.sendQueueDrops = queue_.dropped();
}

} // namespace charla::video
