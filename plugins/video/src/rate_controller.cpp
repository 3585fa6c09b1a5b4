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

void RateController::onAnswer(double rttMs, double nowMs, double bytes) {
    // A monotonic deque: its front is the least round trip within the window.
    while (!rtts_.empty() && rtts_.back().second >= rttMs)
        rtts_.pop_back();
    rtts_.emplace_back(nowMs, rttMs);
    const double base = baseRtt(nowMs);
    lastRtts_.push_back(rttMs);
    if (lastRtts_.size() > kHighInARow)
        lastRtts_.pop_front();
    const bool high = lastRtts_.size() == kHighInARow &&
                      *std::min_element(lastRtts_.begin(), lastRtts_.end()) > base + kQueueingMs;
    auto meanBytes = [&] {
        double sum = 0;
        for (const Sample& s : recent_)
            sum += s.bytes;
        return recent_.empty() ? 0 : sum / static_cast<double>(recent_.size());
    };
    if (high && highSinceMs_ < 0) {
        highSinceMs_ = nowMs;
        targetBeforeHigh_ = target_;
        bytesBeforeHigh_ = meanBytes(); // the frames before the run
        firstExcessMs_ = rttMs - base;
        failedInHigh_ = false;
    }
    recent_.push_back({nowMs, rttMs, bytes});
    while (recent_.front().ms < nowMs - kCutSpacingMs)
        recent_.pop_front();
    if (highSinceMs_ >= 0) {
        if (nowMs - highSinceMs_ < kCutSpacingMs)
            firstExcessMs_ = std::min(firstExcessMs_, rttMs - base);
        if (!high && calmSinceMs_ >= 0 && nowMs - calmSinceMs_ >= kCutSpacingMs) {
            highSinceMs_ = -1; // calm for a while: the run is over
        } else if (nowMs - highSinceMs_ >= kCutSpacingMs && !failedInHigh_ &&
                   meanBytes() <= kRebaseBytesFactor * bytesBeforeHigh_) {
            double least = rttMs;
            for (const Sample& s : recent_)
                least = std::min(least, s.rtt);
            const double excess = least - base;
            if (excess >= 0.8 * firstExcessMs_ && excess <= 1.25 * firstExcessMs_) {
                // Smaller frames, the same round trip: a longer path, not a queue.
                rtts_.clear();
                rtts_.emplace_back(nowMs, least);
                target_ = std::max(target_, targetBeforeHigh_);
                highSinceMs_ = -1;
                calmSinceMs_ = nowMs;
                ++rebases_;
                return;
            }
        }
    }
    if (high) {
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
    failedInHigh_ = true; // a call lost: whatever the round trips say, the link is full
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
