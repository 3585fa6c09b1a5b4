// The jitter buffer driven tick by tick: each get() is one 20 ms playout period, and puts between
// gets are the arrivals of that period. Deterministic, no clocks.
#include "jitter_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace charla::audio {
namespace {

const std::vector<std::uint8_t> kData{1, 2, 3};

struct Playback {
    int present = 0;
    int missing = 0;
};

// Plays `ticks` periods; `arrivals(tick)` lists the seqs arriving during that tick.
template <typename F>
Playback play(JitterBuffer& jb, int firstTick, int ticks, F arrivals,
              std::vector<int>* delays = nullptr) {
    Playback run;
    for (int t = firstTick; t < firstTick + ticks; ++t) {
        for (std::uint32_t seq : arrivals(t))
            jb.put(seq, Codec::Opus, seq * 20000, kData);
        const auto slot = jb.get();
        (slot.present ? run.present : run.missing)++;
        if (delays)
            delays->push_back(jb.delayMs());
    }
    return run;
}

std::vector<std::uint32_t> one(int t) {
    return {static_cast<std::uint32_t>(t)};
}

TEST(JitterBuffer, SteadyStreamPlaysEveryFrameAtLowDelay) {
    JitterBuffer jb;
    std::vector<int> delays;
    const Playback run = play(jb, 0, 500, one, &delays);
    EXPECT_LE(run.missing, 3);
    EXPECT_LE(delays.back(), 40);
}

TEST(JitterBuffer, ReorderedFramesAreAllPlayed) {
    JitterBuffer jb;
    play(jb, 0, 100, one);
    // From tick 100 on, pairs arrive swapped: 101, 100, 103, 102, ...
    const Playback run = play(jb, 100, 400, [](int t) {
        return std::vector<std::uint32_t>{static_cast<std::uint32_t>(t % 2 == 0 ? t + 1 : t - 1)};
    });
    EXPECT_LE(run.missing, 5) << "the buffer should grow one frame and play the swapped pairs";
}

TEST(JitterBuffer, LostFramesAreConcealedNotWaitedFor) {
    JitterBuffer jb;
    play(jb, 0, 100, one);
    // Every 10th frame never arrives.
    const Playback run = play(
        jb, 100, 500, [](int t) { return t % 10 == 0 ? std::vector<std::uint32_t>{} : one(t); });
    EXPECT_NEAR(run.missing, 50, 5);
    EXPECT_GE(run.present, 440);
}

TEST(JitterBuffer, DelayReturnsToTargetAfterAStallAndBurst) {
    JitterBuffer jb(200);
    std::vector<int> delays;
    play(jb, 0, 250, one, &delays);
    const int target = delays.back();
    // Nothing arrives for 400 ms, then the 20 held frames arrive at once, then steady again.
    play(jb, 250, 20, [](int) { return std::vector<std::uint32_t>{}; });
    std::vector<int> after;
    play(
        jb, 270, 1000,
        [](int t) {
            std::vector<std::uint32_t> seqs;
            if (t == 270)
                for (int s = 250; s <= 270; ++s)
                    seqs.push_back(static_cast<std::uint32_t>(s));
            else
                seqs.push_back(static_cast<std::uint32_t>(t));
            return seqs;
        },
        &after);
    const int peak = *std::max_element(after.begin(), after.end());
    EXPECT_LE(peak, 200 + 20) << "the ceiling bounds the delay";
    EXPECT_LE(after.back(), std::max(target, 40) + 20)
        << "the delay must drain back to its target (was " << target << " ms before the stall)";
}

TEST(JitterBuffer, RepeatedBurstsNeverAccumulate) {
    JitterBuffer jb(200);
    std::vector<int> delays;
    // Every second, 300 ms of frames arrive in one burst.
    play(
        jb, 0, 3000,
        [](int t) {
            std::vector<std::uint32_t> seqs;
            if (t % 50 == 15)
                for (int s = t - 15; s <= t; ++s)
                    seqs.push_back(static_cast<std::uint32_t>(s));
            else if (t % 50 < 15)
                return seqs;
            else
                seqs.push_back(static_cast<std::uint32_t>(t));
            return seqs;
        },
        &delays);
    EXPECT_LE(*std::max_element(delays.begin() + 2500, delays.end()), 220);
}

TEST(JitterBuffer, PlayoutStartsAtTheNewestFrameNotTheBacklog) {
    JitterBuffer jb;
    // The speaker took 200 ms to open: ten frames are waiting when playout begins.
    for (std::uint32_t seq = 0; seq < 10; ++seq)
        jb.put(seq, Codec::Opus, seq * 20000, kData);
    const auto first = jb.get();
    EXPECT_TRUE(first.present);
    EXPECT_EQ(first.captureMicros, 9 * 20000) << "the newest frame, not the oldest";
    EXPECT_EQ(jb.skipped(), 9u);
    EXPECT_LE(jb.delayMs(), 20);
}

TEST(JitterBuffer, AStandingBacklogIsDrained) {
    JitterBuffer jb;
    play(jb, 0, 100, one);
    // Three frames arrive ahead of time, once: they would stay as extra delay.
    for (std::uint32_t seq = 100; seq < 103; ++seq)
        jb.put(seq, Codec::Opus, seq * 20000, kData);
    std::vector<int> delays;
    play(
        jb, 100, 500, [](int t) { return one(t + 3); }, &delays);
    EXPECT_LE(delays.back(), 20) << "frames that were always waiting are skipped";
}

// Issue 3: after one late frame the delay goes back down within seconds (speexdsp's buffer kept
// the extra 20 ms for ~20 s), and the late frame itself is played, not lost.
TEST(JitterBuffer, OneLateFrameCostsAFrameForSecondsNotForTheCall) {
    JitterBuffer jb;
    play(jb, 0, 100, one);
    // Frame 100 arrives one period late, together with 101.
    const Playback late = play(jb, 100, 2, [](int t) {
        return t == 100 ? std::vector<std::uint32_t>{} : std::vector<std::uint32_t>{100, 101};
    });
    EXPECT_EQ(late.missing, 1) << "its own period is concealed ...";
    EXPECT_EQ(late.present, 1);
    EXPECT_EQ(jb.lateRecovered(), 1u) << "... and it is played right after";
    EXPECT_EQ(jb.delayMs(), 20) << "one frame deeper";
    std::vector<int> delays;
    const Playback after = play(jb, 102, 600, one, &delays);
    EXPECT_EQ(after.missing, 0);
    const auto back = std::find(delays.begin(), delays.end(), 0) - delays.begin();
    EXPECT_LE(back, 110) << "back to no cushion within ~2 s (a 1 s window, wherever it began)";
    EXPECT_EQ(delays.back(), 0);
}

// A side that never sees a late frame keeps no cushion at all: every frame is played in the
// period it arrives in.
TEST(JitterBuffer, NoLateFramesNoCushion) {
    JitterBuffer jb;
    std::vector<int> delays;
    const Playback run = play(jb, 0, 300, one, &delays);
    EXPECT_EQ(run.missing, 0);
    EXPECT_EQ(*std::max_element(delays.begin(), delays.end()), 0);
}

// Real jitter: every 1.2 s one frame comes a period late. A cushion of one frame is needed;
// draining it every second would conceal a frame every time. The slow window grows instead.
TEST(JitterBuffer, RecurringLateFramesKeepTheCushionInsteadOfOscillating) {
    JitterBuffer jb;
    const auto lateEvery60 = [](int t) {
        if (t % 60 == 30)
            return std::vector<std::uint32_t>{};
        if (t % 60 == 31)
            return std::vector<std::uint32_t>{static_cast<std::uint32_t>(t - 1),
                                              static_cast<std::uint32_t>(t)};
        return one(t);
    };
    play(jb, 0, 1000, lateEvery60);
    const Playback run = play(jb, 1000, 3000, lateEvery60); // one minute
    EXPECT_LE(run.missing, 6) << "at most a few drains in a minute turn out premature";
}

// The receiver starts playout one frame behind the newest when the newest came too recently to
// leave room for jitter: the newer frame is the cushion, the older ones are history.
TEST(JitterBuffer, StartKeepsNewerFramesAsCushionAndSkipsOlderOnes) {
    JitterBuffer jb;
    for (std::uint32_t seq = 0; seq < 5; ++seq)
        jb.put(seq, Codec::Opus, seq * 20000, kData);
    jb.start(3);
    EXPECT_EQ(jb.skipped(), 3u) << "frames 0-2 are history";
    EXPECT_EQ(jb.delayMs(), 40) << "3 and 4 wait";
    const auto slot = jb.get();
    EXPECT_TRUE(slot.present);
    EXPECT_EQ(slot.captureMicros, 3 * 20000);
    EXPECT_EQ(jb.delayMs(), 20) << "4 is the cushion";
}

// The last frame of cushion is drained only over a window of periods in which playing a frame
// sooner would still have left room for the arrivals' jitter (`spare`): else the drain would
// make the next ordinary jitter a concealed frame.
TEST(JitterBuffer, TheLastFrameOfCushionStaysUntilThereIsSpareTime) {
    JitterBuffer jb;
    jb.put(0, Codec::Opus, 0, kData);
    jb.put(1, Codec::Opus, 20000, kData);
    jb.start(0);
    std::vector<int> delays;
    JitterBuffer::Slot slot;
    for (std::uint32_t t = 0; t < 200; ++t) {
        jb.put(t + 2, Codec::Opus, (t + 2) * 20000, kData);
        jb.get(slot, /*spare=*/false);
        delays.push_back(jb.delayMs());
    }
    EXPECT_EQ(*std::min_element(delays.begin(), delays.end()), 20) << "4 s without spare time";
    for (std::uint32_t t = 200; t < 260; ++t) {
        jb.put(t + 2, Codec::Opus, (t + 2) * 20000, kData);
        jb.get(slot, /*spare=*/true);
        delays.push_back(jb.delayMs());
    }
    EXPECT_EQ(delays.back(), 0) << "drained within 1.2 s once there is spare time";
}

TEST(JitterBuffer, LateFramesAreRefused) {
    JitterBuffer jb;
    play(jb, 0, 100, one);
    EXPECT_FALSE(jb.put(10, Codec::Opus, 0, kData)) << "its time has long passed";
    EXPECT_FALSE(jb.put(99, Codec::Opus, 0, kData)) << "played already: a duplicate, not late";
    EXPECT_EQ(jb.lateRecovered(), 0u);
}

} // namespace
} // namespace charla::audio
