#include "send_stage.h"

#include "jpeg_codec.h"
#include "rate_controller.h"
#include "size_ladder.h"
#include "video_logging.h"
#include "video_stats.h"
#include "video_wire.h"
#include "vp8_codec.h"

#include <opencv2/imgproc.hpp>

#include <deque>
#include <future>
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

// One video.frame call on its way: the answer comes on a thread of its own.
struct SendStage::Flight {
    struct Answer {
        xmlrpc_c::value value;
        Clock::time_point at; // when it came: the sender thread may take it later
    };
    std::future<Answer> answer;
    Codec codec = Codec::Jpeg;
    double ts = 0;               // the frame's capture time
    Clock::time_point sentAt;    // for the round trip
    std::size_t bytes = 0;       // compressed
    std::uint64_t keyframes = 0; // VP8 keyframes encoded up to this frame, this one included
    bool second = false;         // on the second stream
};

void SendStage::run(std::stop_token stop) {
    const auto start = Clock::now();
    std::uint64_t failuresInARow = 0;
    JpegEncoder jpegEncoder;
    Vp8Encoder vp8;
    std::vector<std::uint8_t> data; // its capacity is reused from frame to frame
    std::int64_t lastVp8Seq = -1;   // the frame the next VP8 delta frame refers to
    std::optional<Codec> lastCodec;
    bool wasSending = false;
    RateController rate;        // the VP8 target, following the link
    SizeLadder ladder;          // the VP8 picture size, following the target
    cv::Mat scaled;             // the picture at the ladder's size, reused
    std::deque<Flight> flights; // oldest first; at most one per stream
    std::size_t streams = 1;    // streams of the last send order
    // Takes the oldest call's answer (waiting for it); false when the plugin is being stopped.
    auto settle = [&]() -> bool {
        Flight f = std::move(flights.front());
        flights.pop_front();
        try {
            const Flight::Answer answer = f.answer.get();
            if (f.codec == Codec::Vp8)
                rate.onAnswer(
                    std::chrono::duration<double, std::milli>(answer.at - f.sentAt).count(),
                    std::chrono::duration<double, std::milli>(answer.at - start).count(),
                    static_cast<double>(f.bytes));
            meter_.record(f.bytes, sdk::media::Millis(sdk::media::wallClockMs() - f.ts));
            failuresInARow = 0;
            // A frame encoded before our latest keyframe asks for what is already on its way.
            if (f.codec == Codec::Vp8 && keyframeAsked(answer.value) &&
                f.keyframes == vp8.keyframes()) {
                ++keyframeRequests_;
                vp8.requestKeyframe();
            }
        } catch (const sdk::PeerCallError& e) {
            using Kind = sdk::PeerCallError::Kind;
            if (e.kind() == Kind::Interrupted)
                return false; // the plugin is being stopped
            ++(e.kind() == Kind::Fault ? rejected_ : failures_);
            if (f.codec == Codec::Vp8 && e.kind() != Kind::Fault)
                rate.onFailure(msSince(start)); // a timeout: the link did not carry it
            if (failuresInARow++ % 100 == 0)
                qCDebug(lcVideo) << "video.frame failed:" << e.what();
            // An unreachable peer fails at once: do not spin, try again with a newer frame.
            if (e.kind() == Kind::Unreachable)
                controls_.sleepUntil(stop, Clock::now() + 100ms);
        }
        rateCuts_ = rate.cuts();
        return true;
    };
    while (!stop.stop_requested()) {
        // Answers already in, then room for the next call (waiting for the oldest if none),
        // before taking the newest picture.
        while (!flights.empty() &&
               (flights.size() >= streams ||
                flights.front().answer.wait_for(0s) == std::future_status::ready))
            if (!settle())
                return;
        std::optional<CapturedPicture> frame = queue_.popLatest(stop);
        if (!frame)
            continue;
        const std::optional<VideoControls::SendOrder> order = controls_.sendOrder();
        if (!order) {
            wasSending = false; // no call, camera off, or a peer without video: drop
            continue;
        }
        streams = order->second ? 2 : 1;
        while (flights.size() >= streams) // the second stream went away meanwhile
            if (!settle())
                return;
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
            // The ceiling is the source size's default or what was set; below it the link
            // decides, and the size follows the rate (a keyframe of the new size on a change).
            const cv::Size source(width, height);
            rate.setMax(order->targetKbps > 0 ? order->targetKbps
                                              : defaultVp8BitrateKbps(width, height, order->fps));
            if (rate.targetKbps() != vp8.bitrateKbps()) // reconfigures the running encoder
                vp8.setBitrateKbps(rate.targetKbps());
            const int step = ladder.update(rate.targetKbps(), source, order->fps, msSince(start));
            const cv::Mat* picture = &frame->bgr;
            if (step > 0) {
                cv::resize(frame->bgr, scaled, SizeLadder::sizeOf(step, source), 0, 0,
                           cv::INTER_AREA);
                picture = &scaled;
            }
            bool key = false;
            const bool encoded = vp8.encode(*picture, order->fps, data, &key);
            doneReading(frame->bgr);
            if (!encoded)
                continue;
            width = picture->cols;
            height = picture->rows;
            prev = key ? -1 : lastVp8Seq;
            lastVp8Seq = seq; // the encoder refers to it now, whether or not it arrives
            keyframes_ = vp8.keyframes();
            targetKbps_ = vp8.bitrateKbps();
            sizeSteps_ = ladder.step();
        } else {
            const bool encoded = jpegEncoder.encode(frame->bgr, order->quality, data);
            doneReading(frame->bgr);
            if (!encoded)
                continue;
        }
        frame->bgr.release(); // back to the capture side's pool before the call's round trip
        // The free stream: the first, or the second while the first carries the call before.
        const bool second = !flights.empty() && !flights.front().second;
        std::shared_ptr<sdk::PeerStream> stream = second ? order->second : order->stream;
        Flight f;
        f.codec = order->codec;
        f.ts = frame->ts;
        f.bytes = data.size();
        f.keyframes = vp8.keyframes();
        f.second = second;
        f.sentAt = Clock::now();
        f.answer = std::async(
            std::launch::async, [stream, params = frameParams(seq, frame->ts, width, height,
                                                              order->codec, data, prev)] {
                xmlrpc_c::value v = stream->call(kFrameMethod, params, kCallTimeout);
                return Flight::Answer{std::move(v), Clock::now()};
            });
        flights.push_back(std::move(f));
        sentCodec_ = static_cast<int>(order->codec);
        sentWidth_ = width;
        sentHeight_ = height;
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
    c.sizeStep = sizeSteps_;
    c.sentWidth = sentWidth_;
    c.sentHeight = sentHeight_;
    const int codec = sentCodec_;
    c.codecOut = codec < 0 ? "" : kCodecs.name(static_cast<Codec>(codec));
}

} // namespace charla::video
