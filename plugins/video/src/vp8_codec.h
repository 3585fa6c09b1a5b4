// VP8 through libvpx for calls: realtime, CBR, error resilient, no lag frames, one thread, a
// keyframe at the start and whenever asked, never on a timer (a receiver asks when it needs
// one). The speed setting and the bitrate come from bench/video/codec_bench.cpp on a recorded
// street scene (docs/decisions.md, docs/performance-video.md). BGR in and out, as the JPEG coder.
#pragma once

#include <opencv2/core/mat.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace charla::video {

// What a VP8 frame's first bytes say (RFC 6386, 9.1): no decoding, no allocation.
struct Vp8FrameInfo {
    bool keyframe = false;
    int width = 0; // keyframes only (the 14-bit size; the scaling bits are ignored)
    int height = 0;
};
// nullopt when the bytes cannot be a VP8 frame (too short, a keyframe without the start code).
std::optional<Vp8FrameInfo> vp8FrameInfo(const std::uint8_t* data, std::size_t size);

// The target bitrate for a picture size and rate: ~0.072 bit per pixel, 2000 kbit/s at 720p30
// (WebRTC's VP8 range at 720p is 600-2500), clamped to 150..4000 kbit/s.
int defaultVp8BitrateKbps(int width, int height, int fps);

// One encoder per thread. Not copyable (its libvpx context).
class Vp8Encoder {
public:
    // VP8E_SET_CPUUSED: the fixed speed chosen from measurements (negative: no adaptive speed).
    static constexpr int kCpuUsed = -8;

    // `cpuUsed` other than kCpuUsed only for the benchmark that chose it.
    explicit Vp8Encoder(int cpuUsed = kCpuUsed);
    ~Vp8Encoder();
    // Encodes an 8-bit BGR frame into `out`. The first frame, a frame of another size than the
    // previous one (the encoder is recreated) and a frame after requestKeyframe() are keyframes.
    // `fps` is the rate frames arrive at (rate control). False (and `out` empty) on failure.
    bool encode(const cv::Mat& bgr, int fps, std::vector<std::uint8_t>& out,
                bool* keyframe = nullptr);
    // The next frame will be a keyframe.
    void requestKeyframe() { keyframeWanted_ = true; }
    // Changes the target at once (the running encoder is reconfigured); 0 = the default for the
    // picture size.
    void setBitrateKbps(int kbps);
    // The target in force (the default for the size when none was set); 0 before the first frame.
    int bitrateKbps() const;
    std::uint64_t keyframes() const { return keyframes_; }

private:
    struct State;
    bool open(int width, int height, int fps);
    std::unique_ptr<State> state_;
    int cpuUsed_;
    bool keyframeWanted_ = true;
    int requestedKbps_ = 0;
    std::uint64_t keyframes_ = 0;
};

// One decoder per thread. Not copyable (its libvpx context).
class Vp8Decoder {
public:
    enum class Status {
        Ok,           // `bgr` holds the picture
        NeedKeyframe, // a delta frame without the picture it refers to: dropped
        Corrupt,      // not a VP8 frame, or libvpx failed or flagged it corrupt: dropped
        BadSize,      // a keyframe larger than kMaxSide either way: refused before decoding
    };
    static constexpr int kMaxSide = 4096;

    Vp8Decoder();
    ~Vp8Decoder();
    // Decodes one frame into `bgr` (its pixels reused when it has the size and nobody else holds
    // them). After anything but Ok the decoder waits for a keyframe: delta frames until then
    // answer NeedKeyframe.
    Status decode(const std::uint8_t* data, std::size_t size, cv::Mat& bgr);
    // Forget the reference picture (a frame in the chain was lost): wait for a keyframe.
    void reset() { haveReference_ = false; }
    bool haveReference() const { return haveReference_; }

private:
    struct State;
    std::unique_ptr<State> state_;
    bool haveReference_ = false;
};

} // namespace charla::video
