#include "send_stage.h"

#include "jpeg_codec.h"
#include "video_logging.h"
#include "video_stats.h"
#include "video_wire.h"

#include <vector>

namespace charla::video {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

SendStage::SendStage(VideoControls& controls, SendQueue& queue)
    : controls_(controls), queue_(queue) {}

void SendStage::run(std::stop_token stop) {
    std::uint64_t failuresInARow = 0;
    JpegEncoder encoder;
    std::vector<std::uint8_t> jpeg; // its capacity is reused from frame to frame
    while (!stop.stop_requested()) {
        std::optional<CapturedPicture> frame = queue_.popLatest(stop);
        if (!frame)
            continue;
        const std::optional<VideoControls::SendOrder> order = controls_.sendOrder();
        if (!order)
            continue; // no call, camera off, or a peer without video: drop
        if (sdk::media::wallClockMs() - frame->ts > kMaxSendAgeMs) {
            ++stale_;
            continue;
        }
        if (!encoder.encode(frame->bgr, order->quality, jpeg))
            continue;
        const int width = frame->bgr.cols;
        const int height = frame->bgr.rows;
        frame->bgr.release(); // back to the capture side's pool before the call's round trip
        const auto seq = static_cast<std::int32_t>(frame->seq & 0x7FFFFFFF);
        const xmlrpc_c::paramList params = frameParams(seq, frame->ts, width, height, jpeg);
        try {
            order->stream->call(kFrameMethod, params, kCallTimeout);
            meter_.record(jpeg.size(), sdk::media::Millis(sdk::media::wallClockMs() - frame->ts));
            failuresInARow = 0;
        } catch (const sdk::PeerCallError& e) {
            using Kind = sdk::PeerCallError::Kind;
            if (e.kind() == Kind::Interrupted)
                return; // the plugin is being stopped
            ++(e.kind() == Kind::Fault ? rejected_ : failures_);
            if (failuresInARow++ % 100 == 0)
                qCDebug(lcVideo) << "video.frame failed:" << e.what();
            // An unreachable peer fails at once: do not spin, try again with a newer frame.
            if (e.kind() == Kind::Unreachable)
                controls_.sleepUntil(stop, Clock::now() + 100ms);
        }
    }
}

void SendStage::addTo(VideoCounters& c) const {
    c.out = meter_.rates();
    c.sent = c.out.totalItems;
    c.jpegBytesSent = static_cast<double>(c.out.totalBytes);
    c.sendFailures = failures_;
    c.sendRejected = rejected_;
    c.sendStale = stale_;
}

} // namespace charla::video
