// The video plugin's VP8 path: video.frame validation of vp8 frames (parseFrame: the frame tag,
// a keyframe's start code and size) and the decode thread's step for the frames it accepts
// (DecodeStage::decodeVp8: the reference chain, then libvpx), over a sequence of frames so that
// delta frames meet a decoder that holds a picture.
//
// Input layout: byte 0 holds flags, then frames, each a 2-byte big-endian length and its bytes
// (the last one may be cut short). Frame i goes as seq 100 + i, a delta frame naming the one
// before it. Flags: bit 0 sends the data as a base64 <string> instead of <base64>; bit 1 makes a
// keyframe's width lie by one pixel (SizeMismatch expected).
#include "fuzz_common.h"

#include "decode_stage.h"
#include "video_wire.h"
#include "vp8_codec.h"

#include <opencv2/core/mat.hpp>

#include <string>
#include <vector>

using namespace charla;

namespace {

// A keyframe passed parseFrame, so at most 4096x4096; bigger pictures make each run slow
// without finding anything new.
constexpr long long kMaxDecodePixels = 1024 * 1024;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const bool asString = data[0] & 1;
    const int lie = (data[0] & 2) ? 1 : 0;
    std::size_t at = 1;
    int width = 1; // the size of the last keyframe the stream announced
    int height = 1;
    std::int64_t lastSeq = -1; // the frame the decoder holds, as the decode thread tracks it
    video::Vp8Decoder decoder; // one per input: every input starts a new stream
    cv::Mat bgr;
    for (int i = 0; at + 2 <= size && i < 64; ++i) {
        const std::size_t len = std::min<std::size_t>(data[at] << 8 | data[at + 1], size - at - 2);
        const std::vector<std::uint8_t> bytes(data + at + 2, data + at + 2 + len);
        at += 2 + len;

        const auto info = video::vp8FrameInfo(bytes.data(), bytes.size());
        if (info && info->keyframe && info->width >= 1 && info->height >= 1 &&
            info->width <= video::kMaxDimension && info->height <= video::kMaxDimension) {
            width = info->width + lie;
            height = info->height;
        }
        const int seq = 100 + i;
        video::WireFrame frame;
        const video::FrameError error = video::parseFrame(
            video::frameParams(seq, 1.7e12, std::min(width, video::kMaxDimension), height,
                               video::Codec::Vp8, bytes, seq - 1, asString),
            &frame);
        (void)video::toString(error);
        if (error != video::FrameError::None) {
            CHARLA_FUZZ_CHECK(!(info && info->keyframe && !lie) ||
                                  error == video::FrameError::SizeMismatch ||
                                  error == video::FrameError::TooLarge,
                              std::string("a keyframe refused: ") + video::toString(error));
            lastSeq = -1; // the receiver never queues it: the chain breaks here
            continue;
        }
        CHARLA_FUZZ_CHECK(info.has_value(), "accepted a frame without a VP8 frame tag");
        CHARLA_FUZZ_CHECK(frame.codec == video::Codec::Vp8 && frame.keyframe == info->keyframe,
                          "the parsed frame disagrees with its tag");
        if (!lie && frame.keyframe)
            CHARLA_FUZZ_CHECK(frame.width == info->width && frame.height == info->height,
                              "accepted a keyframe whose size disagrees with its header");
        if (frame.keyframe &&
            static_cast<long long>(frame.width) * frame.height > kMaxDecodePixels) {
            lastSeq = -1;
            decoder.reset();
            continue;
        }
        const video::FrameError decoded =
            video::DecodeStage::decodeVp8(decoder, frame, lastSeq, bgr);
        if (decoded != video::FrameError::None) {
            CHARLA_FUZZ_CHECK(!decoder.haveReference(),
                              "a refused frame left the decoder holding a reference");
            lastSeq = -1;
            continue;
        }
        CHARLA_FUZZ_CHECK(!bgr.empty() && bgr.type() == CV_8UC3, "decoded to a strange Mat");
        CHARLA_FUZZ_CHECK(bgr.cols <= video::Vp8Decoder::kMaxSide &&
                              bgr.rows <= video::Vp8Decoder::kMaxSide,
                          "decoded a picture larger than the limit");
        lastSeq = seq;
    }
    return 0;
}
