// The VP8 target bitrate that follows the link: cut when a call times out or its round trip grows
// above the smallest one seen lately (frames queue somewhere on the way), raised again slowly
// while answers come back at the base round trip. Delay-based, so a long but steady round trip
// (a distant peer) costs no bitrate; only a queue that grows does. Pure arithmetic on the times it
// is given (no clock of its own): the sender thread feeds it, the tests drive it.
#pragma once

#include <cstdint>
#include <deque>

namespace charla::video {

class RateController {
public:
    static constexpr double kQueueingMs = 40;    // round trip above the base that counts as a queue
    static constexpr double kCutFactor = 0.7;    // one cut
    static constexpr double kCutSpacingMs = 500; // at most one cut per half second
    static constexpr double kRaiseEveryMs = 1000;  // a raise after a second without trouble ...
    static constexpr double kRaiseFactor = 1.08;   // ... by 8 %
    static constexpr double kBaseWindowMs = 10000; // the base round trip: the least over 10 s
    static constexpr int kMinKbps = 100;

    // `maxKbps`: the ceiling (the size's default, or what the user set); starts there.
    void setMax(int maxKbps);
    // A video.frame answer after `rttMs`, at `nowMs` (any monotonic milliseconds).
    void onAnswer(double rttMs, double nowMs);
    // A call that timed out or failed on the way.
    void onFailure(double nowMs);
    int targetKbps() const { return static_cast<int>(target_); }
    int maxKbps() const { return max_; }
    std::uint64_t cuts() const { return cuts_; }

private:
    void cut(double nowMs);
    double baseRtt(double nowMs);

    int max_ = 0;
    double target_ = 0;
    double lastCutMs_ = -1e18;
    double calmSinceMs_ = -1; // since when answers came back at the base round trip
    std::deque<std::pair<double, double>> rtts_; // (time, rtt), increasing rtt: a running minimum
    std::uint64_t cuts_ = 0;
};

} // namespace charla::video
