// JPEG through libjpeg-turbo's own API (the library OpenCV's imgcodecs uses on Debian), with
// state and buffers kept between frames: BGR in and out directly (JCS_EXT_BGR, no separate colour
// conversion pass), the fast integer DCT both ways and merged chroma upsampling on decode
// (GStreamer's jpegenc/jpegdec defaults too).
// CPU per 1280x720 q75 frame on this kind of machine: ~1.5 ms to encode, ~0.9 ms to decode
// (cv::imencode / cv::imdecode: ~2.0 and ~4.3 ms).
// Every JPEG decoder reads what this writes (baseline, Huffman, 4:2:0).
#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace charla::video {

struct JpegSize {
    int width = 0;
    int height = 0;
};

// One encoder per thread; reuses its libjpeg state and output buffer. Not copyable (its state_).
class JpegEncoder {
public:
    JpegEncoder();
    ~JpegEncoder();
    // Encodes an 8-bit BGR (or grey) frame at quality 1..100 into `out` (its capacity is reused).
    // False (and `out` empty) for an empty or unsupported frame.
    bool encode(const cv::Mat& bgr, int quality, std::vector<std::uint8_t>& out);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// One decoder per thread; reuses its libjpeg state. Not copyable (its state_).
class JpegDecoder {
public:
    // Larger pictures are refused before any pixel memory is allocated.
    static constexpr int kMaxSide = 16384;
    JpegDecoder();
    ~JpegDecoder();
    // Decodes to 8-bit BGR into `bgr`, reusing its pixels when it already has the size and type
    // and nobody else holds them (refcount 1); otherwise `bgr` gets a new buffer. False (and `bgr`
    // released) when the bytes are not a decodable JPEG. A truncated JPEG decodes, with libjpeg's
    // grey fill for the missing part.
    bool decode(const std::uint8_t* data, std::size_t size, cv::Mat& bgr);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// One-shot helpers (a new encoder/decoder each call): tests, tools.
// Encodes a BGR frame; quality 1..100. Empty for an empty frame.
std::vector<std::uint8_t> encodeJpeg(const cv::Mat& bgr, int quality);
// Decodes to BGR; an empty Mat when the bytes are not a decodable JPEG.
cv::Mat decodeJpeg(const std::vector<std::uint8_t>& jpeg);
// Reads the frame size from the SOFn marker without decoding (microseconds, no allocation):
// lets the receiver refuse a lying header or a decompression bomb before spending a decode.
std::optional<JpegSize> jpegDimensions(const std::uint8_t* data, std::size_t size);
inline std::optional<JpegSize> jpegDimensions(const std::vector<std::uint8_t>& jpeg) {
    return jpegDimensions(jpeg.data(), jpeg.size());
}

// Whether `m` owns its pixels alone (nobody else holds a reference): it may be written again.
bool soleOwner(const cv::Mat& m);
// Says that this thread is done reading `m`'s pixels, before it lets go of them: a release on
// the reference count that soleOwner() acquires. OpenCV's own decrement does the same, but in a
// library built without TSan's instrumentation, so TSan would take the pool's next write for a
// race with our last read (it did, once the VP8 encoder copied odd-sized frames with memcpy).
void doneReading(const cv::Mat& m);

} // namespace charla::video
