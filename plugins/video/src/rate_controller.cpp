#include "rate_controller.h"

#include <algorithm>

namespace charla::video {

void RateController::setMax(int maxKbps) {
    maxKbps = std::max(maxKbps, kMinKbps);
    if (maxKbps == max_)
        return;
    const bool first = max_ == 0;
    max_ = maxKbps;
    target_ = first ? max_ : std::min(target_, static_cast<double>(max_));
}

double RateController::baseRtt(double nowMs) {
    while (!rtts_.empty() && rtts_.front().first < nowMs - kBaseWindowMs)
        rtts_.pop_front();
    return rtts_.empty() ? 0 : rtts_.front().second;
}

void RateController::onAnswer(double rttMs, double nowMs) {
    // A monotonic deque: its front is the least round trip within the window.
    while (!rtts_.empty() && rtts_.back().second >= rttMs)
        rtts_.pop_back();
    rtts_.emplace_back(nowMs, rttMs);
    if (rttMs > baseRtt(nowMs) + kQueueingMs) {
        cut(nowMs);
        return;
    }
    if (calmSinceMs_ < 0)
        calmSinceMs_ = nowMs;
    if (nowMs - calmSinceMs_ >= kRaiseEveryMs) {
        target_ = std::min(target_ * kRaiseFactor, static_cast<double>(max_));
        calmSinceMs_ = nowMs;
    }
}

void RateController::onFailure(double nowMs) {
    cut(nowMs);
}

void RateController::cut(double nowMs) {
    calmSinceMs_ = -1;
    if (nowMs - lastCutMs_ < kCutSpacingMs)
        return; // the last cut has not had time to show yet
    lastCutMs_ = nowMs;
    target_ = std::max(target_ * kCutFactor, static_cast<double>(kMinKbps));
    ++cuts_;
}

} // namespace charla::video
