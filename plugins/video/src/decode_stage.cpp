#include "decode_stage.h"

#include "jpeg_codec.h"
#include "video_stats.h"
#include "vp8_codec.h"

#include <array>

namespace charla::video {

DecodeStage::DecodeStage(VideoControls& controls, PictureSlots& pictures, ReceiveQueue& queue,
                         ReceiveStage& receive)
    : controls_(controls), pictures_(pictures), queue_(queue), receive_(receive),
      handoff_(kLatencyBin, kLatencyRange), painted_(kLatencyBin, kLatencyRange) {}

void DecodeStage::run(std::stop_token stop) {
    JpegDecoder decoder;
    Vp8Decoder vp8;
    std::int64_t lastVp8Seq = -1; // the VP8 frame decoded last; -1: the chain is broken
    Codec codec = Codec::Jpeg;
    // Decoded pictures go to the GUI, which may hold one while it paints; a buffer is decoded
    // into again only once nobody else holds it (the decoder allocates a new one otherwise).
    std::array<cv::Mat, 3> pool;
    std::size_t next = 0;
    while (!stop.stop_requested()) {
        // JPEG frames stand alone: take the newest. VP8 delta frames need every frame before
        // them: take them in order (decoding one is a few ms; the queue still drops the oldest
        // when the decoder falls behind, and the chain check below asks for a keyframe then).
        std::optional<WireFrame> item =
            codec == Codec::Vp8 ? queue_.pop(stop) : queue_.popLatest(stop);
        if (!item)
            continue;
        const WireFrame& f = *item;
        codec = f.codec;
        std::size_t slot = next++ % pool.size();
        for (std::size_t i = 0; i < pool.size(); ++i)
            if (pool[i].empty() || soleOwner(pool[i])) {
                slot = i;
                break;
            }
        cv::Mat& bgr = pool[slot];
        if (f.codec == Codec::Vp8) {
            const FrameError error = decodeVp8(vp8, f, lastVp8Seq, bgr);
            if (error != FrameError::None) {
                lastVp8Seq = -1;
                if (error == FrameError::NoReference)
                    receive_.countUnreferenced();
                else
                    receive_.countRejected(error);
                receive_.requestKeyframe(f.seq);
                continue;
            }
            lastVp8Seq = f.seq;
        } else if (!decoder.decode(f.data.data(), f.data.size(), bgr)) {
            receive_.countRejected(FrameError::Undecodable);
            continue;
        }
        if (bgr.cols != f.width || bgr.rows != f.height) {
            receive_.countRejected(FrameError::SizeMismatch);
            continue;
        }
        if (!controls_.callActive() || controls_.peerCamera() == PeerCamera::Off)
            continue; // the call ended, or the camera went off, while this frame was on its way
        const sdk::media::Millis latency(sdk::media::wallClockMs() - f.ts);
        pictures_.publish(PictureSlots::Slot::Remote, bgr, f.ts);
        handoff_.record(latency);
        meter_.record(f.data.size(), latency);
        ++displayed_;
    }
}

FrameError DecodeStage::decodeVp8(Vp8Decoder& decoder, const WireFrame& f, std::int64_t lastSeq,
                                  cv::Mat& bgr) {
    if (!f.keyframe && (lastSeq < 0 || f.prev != lastSeq)) {
        decoder.reset(); // a frame between was dropped on the way to the decoder
        return FrameError::NoReference;
    }
    switch (decoder.decode(f.data.data(), f.data.size(), bgr)) {
    case Vp8Decoder::Status::Ok:
        return FrameError::None;
    case Vp8Decoder::Status::NeedKeyframe:
        return FrameError::NoReference;
    case Vp8Decoder::Status::BadSize:
        return FrameError::BadSize;
    case Vp8Decoder::Status::Corrupt:
        break;
    }
    return FrameError::Vp8Undecodable;
}

void DecodeStage::recordPainted(double ts) {
    painted_.record(sdk::media::Millis(sdk::media::wallClockMs() - ts));
}

void DecodeStage::addTo(VideoCounters& c) const {
    c.displayed = displayed_;
    c.in = meter_.rates();
}

} // namespace charla::video
