// The ring tones on their own (ring_stage.h): what sounds, when, and at which pitch.
#include "ring_stage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace charla::audio {
namespace {

constexpr int kRate = 48000;

struct Figures {
    double soundingSeconds = 0;
    double hz = 0;
};

// Over `seconds` of `ring`: how long it sounds, and its pitch from the zero crossings while it
// does.
Figures measure(Ring ring, double seconds) {
    Figures f;
    int crossings = 0;
    std::int64_t sounding = 0;
    int lastSign = 0; // of the last sample that was not 0 (a crossing may land on 0)
    for (std::int64_t i = 0; i < std::int64_t(seconds * kRate); ++i) {
        const std::int16_t s = ringSample(ring, i);
        if (s == 0)
            continue;
        ++sounding;
        const int sign = s < 0 ? -1 : 1;
        if (lastSign != 0 && sign != lastSign)
            ++crossings;
        lastSign = sign;
    }
    f.soundingSeconds = double(sounding) / kRate;
    f.hz = sounding ? crossings / 2.0 / f.soundingSeconds : 0;
    return f;
}

TEST(RingTones, TheRingtoneIsTwoShortBurstsEveryThreeSeconds) {
    const Figures f = measure(Ring::Incoming, 6.0);
    EXPECT_NEAR(f.soundingSeconds, 2 * 0.8, 0.01);
    EXPECT_NEAR(f.hz, 660, 5);
    // A quarter period past whole tenths of a second, where the sine peaks rather than crosses 0.
    const int quarter = kRate / 660 / 4;
    EXPECT_NE(ringSample(Ring::Incoming, kRate / 5 + quarter), 0);      // 0.2 s: first burst
    EXPECT_EQ(ringSample(Ring::Incoming, kRate / 2 + quarter), 0);      // 0.5 s: the gap
    EXPECT_NE(ringSample(Ring::Incoming, kRate * 8 / 10 + quarter), 0); // 0.8 s: second burst
    EXPECT_EQ(ringSample(Ring::Incoming, kRate * 2 + quarter), 0);      // 2 s: quiet until 3 s
}

TEST(RingTones, TheRingbackIsOneSecondInFiveAt425Hz) {
    const Figures f = measure(Ring::Outgoing, 10.0);
    EXPECT_NEAR(f.soundingSeconds, 2.0, 0.01);
    EXPECT_NEAR(f.hz, 425, 5);
}

TEST(RingTones, NoRingIsSilenceAndBurstsFadeInWithoutAClick) {
    EXPECT_EQ(measure(Ring::None, 5.0).soundingSeconds, 0);
    // The first samples of a burst are far below its peak (a 5 ms fade), the peak is 0.3 of full.
    int peak = 0;
    for (int i = 0; i < kRate / 10; ++i)
        peak = std::max(peak, std::abs(int(ringSample(Ring::Incoming, i))));
    EXPECT_NEAR(peak, 0.3 * 32767, 200);
    EXPECT_LT(std::abs(int(ringSample(Ring::Incoming, 24))), peak / 10);
}

} // namespace
} // namespace charla::audio
