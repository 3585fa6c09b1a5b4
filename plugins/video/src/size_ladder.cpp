#include "size_ladder.h"

#include <algorithm>
#include <cmath>

namespace charla::video {

cv::Size SizeLadder::sizeOf(int step, cv::Size source) {
    static constexpr int kNum[kSteps] = {1, 2, 1};
    static constexpr int kDen[kSteps] = {1, 3, 2};
    if (step <= 0)
        return source;
    step = step < kSteps ? step : kSteps - 1;
    auto side = [&](int s) {
        return std::max(2, static_cast<int>(std::lround(s * kNum[step] / (2.0 * kDen[step]))) * 2);
    };
    return {side(source.width), side(source.height)};
}

double SizeLadder::neededKbps(cv::Size size, int fps) {
    return kMinBitsPerPixel * size.width * size.height * fps / 1000.0;
}

int SizeLadder::update(int targetKbps, cv::Size source, int fps, double nowMs) {
    const double sinceChange = nowMs - lastChangeMs_;
    if (step_ + 1 < kSteps && targetKbps < neededKbps(sizeOf(step_, source), fps) &&
        sinceChange >= kDownHoldMs) {
        ++step_;
        lastChangeMs_ = nowMs;
    } else if (step_ > 0 && targetKbps >= kUpMargin * neededKbps(sizeOf(step_ - 1, source), fps) &&
               sinceChange >= kUpHoldMs) {
        --step_;
        lastChangeMs_ = nowMs;
    }
    return step_;
}

} // namespace charla::video
