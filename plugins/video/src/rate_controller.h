// The VP8 target bitrate that follows the link: cut when a call times out or its round trip grows
// above the smallest one seen lately (frames queue somewhere on the way), raised again slowly
// while answers come back at the base round trip. Delay-based, so a long but steady round trip
// (a distant peer) costs no bitrate; only a queue that grows does. A round trip that steps up and
// stays there whatever the rate (a longer route, a delay added on the way) is told apart from a
// queue by the cuts themselves: on a capped link the round trip shrinks with the frames, on a
// longer path it does not. Once the cuts made the frames 40 % smaller without a timeout and the
// round trip's excess over the base stayed what it was, the new round trip becomes the base and
// the rate from before the cuts comes back. Pure arithmetic on the times it is given (no clock of
// its own): the sender thread feeds it, the tests drive it.
#pragma once

#include <cstdint>
#include <deque>

namespace charla::video {

class RateController {
public:
    static constexpr double kQueueingMs = 40;    // round trip above the base that counts as a queue
    static constexpr int kHighInARow = 3;        // ... in this many answers in a row (a queue
                                                 // delays every frame; a busy CPU one or two)
    static constexpr double kCutFactor = 0.7;    // one cut
    static constexpr double kCutSpacingMs = 500; // at most one cut per half second
    static constexpr double kRaiseEveryMs = 1000;  // a raise after a second without trouble ...
    static constexpr double kRaiseFactor = 1.08;   // ... by 8 %
    static constexpr double kBaseWindowMs = 10000; // the base round trip: the least over 10 s
    static constexpr int kMinKbps = 100;
    // A run of high round trips is a longer path once the frames are this much smaller than
    // before it while the excess stayed within 0.8..1.25 of what it was in the run's first half
    // second, and no call timed out.
    static constexpr double kRebaseBytesFactor = 0.6;

    // `maxKbps`: the ceiling (the size's default, or what the user set); starts there.
    void setMax(int maxKbps);
    // A video.frame answer after `rttMs`, at `nowMs` (any monotonic milliseconds), for a frame of
    // `bytes`.
    void onAnswer(double rttMs, double nowMs, double bytes);
    // A call that timed out or failed on the way.
    void onFailure(double nowMs);
    int targetKbps() const { return static_cast<int>(target_); }
    int maxKbps() const { return max_; }
    std::uint64_t cuts() const { return cuts_; }
    // Times a step in the round trip was taken as a longer path, not a queue.
    std::uint64_t rebases() const { return rebases_; }

private:
    void cut(double nowMs);
    double baseRtt(double nowMs);

    int max_ = 0;
    double target_ = 0;
    double lastCutMs_ = -1e18;
    double calmSinceMs_ = -1; // since when answers came back at the base round trip
    std::deque<std::pair<double, double>> rtts_; // (time, rtt), increasing rtt: a running minimum
    std::uint64_t cuts_ = 0;
    std::uint64_t rebases_ = 0;
    struct Sample {
        double ms, rtt, bytes;
    };
    std::deque<Sample> recent_;   // the answers of the last half second
    std::deque<double> lastRtts_; // the last kHighInARow round trips
    // The current run of high round trips: since when, the target and the frame bytes before it,
    // the least excess over the base in its first half second, whether a call timed out.
    double highSinceMs_ = -1;
    double targetBeforeHigh_ = 0;
    double bytesBeforeHigh_ = 0;
    double firstExcessMs_ = 0;
    bool failedInHigh_ = false;
};

} // namespace charla::video
