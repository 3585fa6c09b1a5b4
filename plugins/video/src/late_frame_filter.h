// Recognises frames the sender gave up on long ago. After a stall, the call the sender abandoned
// (its 500 ms timeout) may still be delivered first, before any fresh frame, so sequence numbers
// cannot tell it is stale. Its capture time can, but the two machines' clocks differ: the filter
// judges each frame's transit (receive time minus capture time) against the smallest transit
// seen in the call, which carries the clock offset and the path's best delay.
#pragma once

#include <cstdint>

namespace charla::video {

class LateFrameFilter {
public:
    // A frame this much slower than the best one has outlived the sender's call timeout.
    static constexpr double kMaxExtraTransitMs = 500;
    // This many "late" frames in a row are not abandoned calls but a new normal (a clock
    // stepped, a slower route): start over from them rather than dropping every frame.
    static constexpr int kRebaseAfter = 15;

    // True if the frame should be shown; false if it is late (and counts it).
    bool accept(double transitMs);
    void reset();

    std::uint64_t late() const { return late_; }
    double baselineMs() const { return baseline_; }

private:
    bool haveBaseline_ = false;
    double baseline_ = 0;
    int lateInARow_ = 0;
    std::uint64_t late_ = 0;
};

} // namespace charla::video
