#include "decode_stage.h"

#include "jpeg_codec.h"
#include "video_stats.h"

#include <array>

namespace charla::video {

DecodeStage::DecodeStage(VideoControls& controls, PictureSlots& pictures, ReceiveQueue& queue,
                         ReceiveStage& receive)
    : controls_(controls), pictures_(pictures), queue_(queue), receive_(receive),
      handoff_(kLatencyBin, kLatencyRange), painted_(kLatencyBin, kLatencyRange) {}

void DecodeStage::run(std::stop_token stop) {
    JpegDecoder decoder;
    // Decoded pictures go to the GUI, which may hold one while it paints; a buffer is decoded
    // into again only once nobody else holds it (the decoder allocates a new one otherwise).
    std::array<cv::Mat, 3> pool;
    std::size_t next = 0;
    while (!stop.stop_requested()) {
        std::optional<WireFrame> item = queue_.popLatest(stop);
        if (!item)
            continue;
        const WireFrame& f = *item;
        std::size_t slot = next++ % pool.size();
        for (std::size_t i = 0; i < pool.size(); ++i)
            if (pool[i].empty() || soleOwner(pool[i])) {
                slot = i;
                break;
            }
        cv::Mat& bgr = pool[slot];
        if (!decoder.decode(f.jpeg.data(), f.jpeg.size(), bgr)) {
            receive_.countRejected(FrameError::Undecodable);
            continue;
        }
        if (bgr.cols != f.width || bgr.rows != f.height) {
            receive_.countRejected(FrameError::SizeMismatch);
            continue;
        }
        if (!controls_.callActive())
            continue; // the call ended while this frame was on its way
        const sdk::media::Millis latency(sdk::media::wallClockMs() - f.ts);
        pictures_.publish(PictureSlots::Slot::Remote, bgr, f.ts);
        handoff_.record(latency);
        meter_.record(f.jpeg.size(), latency);
        ++displayed_;
    }
}

void DecodeStage::recordPainted(double ts) {
    painted_.record(sdk::media::Millis(sdk::media::wallClockMs() - ts));
}

void DecodeStage::addTo(VideoCounters& c) const {
    c.displayed = displayed_;
    c.in = meter_.rates();
}

} // namespace charla::video
