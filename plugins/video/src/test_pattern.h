// Charla's own camera for machines without one: a moving picture that shows the frame counter and
// the time, and carries the counter in a machine-readable strip so tests can check what arrived.
//
// Layout (any size >= 64x48): a 32-cell strip across the top encodes the counter's low 32 bits,
// most significant first (white = 1, black = 0); four colour bars across the bottom (red, green,
// blue, white); a yellow square bouncing left and right; the counter and the time as text.
#pragma once

#include <opencv2/core/mat.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace charla::video {

class TestPattern {
public:
    TestPattern(int width, int height);
    // The frame with counter `n`, stamped with `now`. The pixels come from a small pool of
    // buffers: one is written again only once every Mat returned for it has been released, so a
    // caller may keep (and share) a frame for as long as it likes. Only the parts that change
    // (the counter strip, the square, the text) are redrawn; the picture is identical to a fresh
    // render.
    cv::Mat render(std::uint32_t n, std::chrono::system_clock::time_point now);
    int width() const { return width_; }
    int height() const { return height_; }

    // Reads the counter back from a (possibly JPEG-degraded) frame; nullopt if the strip is not
    // clearly black and white.
    static std::optional<std::uint32_t> readCounter(const cv::Mat& bgr);
    // The rectangles of the colour bars and their BGR colours, for checks.
    static cv::Rect colourBar(int width, int height, int index);
    static cv::Scalar colourOf(int index);

private:
    int width_;
    int height_;
    cv::Mat background_; // the gradient and colour bars, drawn once
    struct Buffer {
        cv::Mat frame;
        std::vector<cv::Rect> dirty; // what differs from background_ besides the counter strip
    };
    std::vector<Buffer> pool_;
};

} // namespace charla::video
