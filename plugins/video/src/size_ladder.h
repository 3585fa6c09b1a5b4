// The picture size VP8 is encoded at, from the rate the link allows (issue 14): below what a size
// needs, a picture turns to mush (720p under ~500 kbit/s), and a smaller picture at the same rate
// looks better. One step down as soon as the target falls below what the current size needs, one
// step back up only once the target is well above what the bigger size needs and the last change
// is some seconds old (hysteresis: every change costs a keyframe). Pure arithmetic on the times
// it is given, like RateController; the sender thread feeds it, the tests drive it.
#pragma once

#include <opencv2/core/types.hpp>

namespace charla::video {

class SizeLadder {
public:
    // Bits per pixel below which a size is not worth its pixels: 720p30 needs 498 kbit/s, 854x480
    // 221, 640x360 124 (WebRTC's VP8 at 720p starts at 600; its lowest 720p rung is ~500).
    static constexpr double kMinBitsPerPixel = 0.018;
    static constexpr double kUpMargin = 1.3;    // up only at 1.3x what the bigger size needs ...
    static constexpr double kUpHoldMs = 4000;   // ... and 4 s after the last change
    static constexpr double kDownHoldMs = 1000; // down at most once a second
    static constexpr int kSteps = 3;            // full size, 2/3, 1/2

    // The step to encode at now (0: the source's size) for the target `targetKbps`.
    int update(int targetKbps, cv::Size source, int fps, double nowMs);
    int step() const { return step_; }
    // The size of `step` for a source of `source`: even sides, the aspect kept.
    static cv::Size sizeOf(int step, cv::Size source);
    // The rate `size` needs at `fps`, kbit/s.
    static double neededKbps(cv::Size size, int fps);

private:
    int step_ = 0;
    double lastChangeMs_ = -1e18;
};

} // namespace charla::video
