#include "send_stage.h"

#include "jpeg_codec.h"
#include "rate_controller.h"
#include "video_logging.h"
#include "video_stats.h"
#include "video_wire.h"
#include "vp8_codec.h"

#include <map>
#include <string>
#include <vector>

namespace charla::video {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

SendStage::SendStage(VideoControls& controls, SendQueue& queue)
    : controls_(controls), queue_(queue) {}

namespace {

double msSince(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

} // namespace

void SendStage::run(std::stop_token stop) {
    const auto start = Clock::now();
    std::uint64_t failuresInARow = 0;
    JpegEncoder jpegEncoder;
    Vp8Encoder vp8;
    std::vector<std::uint8_t> data; // its capacity is reused from frame to frame
    std::int64_t lastVp8Seq = -1;   // the frame the next VP8 delta frame refers to
    std::optional<Codec> lastCodec;
    bool wasSending = false;
    RateController rate; // the VP8 target, following the link
    while (!stop.stop_requested()) {
        std::optional<CapturedPicture> frame = queue_.popLatest(stop);
        if (!frame)
            continue;
        const std::optional<VideoControls::SendOrder> order = controls_.sendOrder();
        if (!order) {
            wasSending = false; // no call, camera off, or a peer without video: drop
            continue;
        }
        // A new call, a resumed camera or another codec: the receiver has no picture to refer to.
        if (!wasSending || lastCodec != order->codec)
            vp8.requestKeyframe();
        wasSending = true;
        lastCodec = order->codec;
        if (sdk::media::wallClockMs() - frame->ts > kMaxSendAgeMs) {
            ++stale_;
            continue;
        }
        const auto seq = static_cast<std::int32_t>(frame->seq & 0x7FFFFFFF);
        int width = frame->bgr.cols;
        int height = frame->bgr.rows;
        std::int64_t prev = -1;
        if (order->codec == Codec::Vp8) {
            // The ceiling is the size's default or what was set; below it the link decides.
            rate.setMax(order->targetKbps > 0
                            ? order->targetKbps
                            : defaultVp8BitrateKbps(width & ~1, height & ~1, order->fps));
            if (rate.targetKbps() != vp8.bitrateKbps()) // reconfigures the running encoder
                vp8.setBitrateKbps(rate.targetKbps());
            bool key = false;
            if (!vp8.encode(frame->bgr, order->fps, data, &key))
                continue;
            width &= ~1; // the encoder leaves an odd last column/row out
            height &= ~1;
            prev = key ? -1 : lastVp8Seq;
            lastVp8Seq = seq; // the encoder refers to it now, whether or not it arrives
            keyframes_ = vp8.keyframes();
            targetKbps_ = vp8.bitrateKbps();
        } else if (!jpegEncoder.encode(frame->bgr, order->quality, data)) {
            continue;
        }
        frame->bgr.release(); // back to the capture side's pool before the call's round trip
        const xmlrpc_c::paramList params =
            frameParams(seq, frame->ts, width, height, order->codec, data, prev);
        try {
            const auto sentAt = Clock::now();
            const xmlrpc_c::value answer = order->stream->call(kFrameMethod, params, kCallTimeout);
            if (order->codec == Codec::Vp8)
                rate.onAnswer(msSince(sentAt), msSince(start));
            meter_.record(data.size(), sdk::media::Millis(sdk::media::wallClockMs() - frame->ts));
            failuresInARow = 0;
            if (order->codec == Codec::Vp8 && keyframeAsked(answer)) {
                ++keyframeRequests_;
                vp8.requestKeyframe();
            }
        } catch (const sdk::PeerCallError& e) {
            using Kind = sdk::PeerCallError::Kind;
            if (e.kind() == Kind::Interrupted)
                return; // the plugin is being stopped
            ++(e.kind() == Kind::Fault ? rejected_ : failures_);
            if (order->codec == Codec::Vp8 && e.kind() != Kind::Fault)
                rate.onFailure(msSince(start)); // a timeout: the link did not carry it
            if (failuresInARow++ % 100 == 0)
                qCDebug(lcVideo) << "video.frame failed:" << e.what();
            // An unreachable peer fails at once: do not spin, try again with a newer frame.
            if (e.kind() == Kind::Unreachable)
                controls_.sleepUntil(stop, Clock::now() + 100ms);
        }
        sentCodec_ = static_cast<int>(order->codec);
        rateCuts_ = rate.cuts();
    }
}

bool SendStage::keyframeAsked(const xmlrpc_c::value& answer) {
    if (answer.type() != xmlrpc_c::value::TYPE_STRUCT)
        return false;
    const std::map<std::string, xmlrpc_c::value> m = xmlrpc_c::value_struct(answer);
    const auto it = m.find("keyframe");
    return it != m.end() && it->second.type() == xmlrpc_c::value::TYPE_BOOLEAN &&
           xmlrpc_c::value_boolean(it->second);
}

void SendStage::addTo(VideoCounters& c) const {
    c.out = meter_.rates();
    c.sent = c.out.totalItems;
    c.jpegBytesSent = static_cast<double>(c.out.totalBytes);
    c.sendFailures = failures_;
    c.sendRejected = rejected_;
    c.sendStale = stale_;
    c.keyframesSent = keyframes_;
    c.keyframeRequestsReceived = keyframeRequests_;
    c.targetKbps = targetKbps_;
    c.rateCuts = rateCuts_;
    const int codec = sentCodec_;
    c.codecOut = codec < 0 ? "" : kCodecs.name(static_cast<Codec>(codec));
}

} // namespace charla::video
