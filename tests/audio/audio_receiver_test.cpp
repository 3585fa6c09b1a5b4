#include "audio_engine.h"
#include "audio_receiver.h"

#include <charla/sdk/channel.h>

#include <gtest/gtest.h>

namespace charla::audio {
namespace {

using Clock = AudioReceiver::Clock;
constexpr std::int64_t kT0 = 1'700'000'000'000'000;

AudioPacket packet(std::uint32_t stream, std::uint32_t seq, std::int64_t capture,
                   Codec codec = Codec::Pcm16) {
    AudioPacket p;
    p.codec = codec;
    p.stream = stream;
    PcmFrame pcm{};
    pcm[0] = static_cast<std::int16_t>(seq);
    AudioEncoder enc(codec);
    p.frames.push_back({seq, capture, enc.encode(pcm)});
    return p;
}

TEST(AudioReceiver, RefusesWhileDisabled) {
    AudioReceiver r;
    try {
        r.push(packet(1, 0, kT0));
        FAIL() << "no fault";
    } catch (const xmlrpc_c::fault& f) {
        EXPECT_EQ(f.getCode(), sdk::kFaultUnavailable);
    }
    EXPECT_EQ(r.counters().refused, 1u);
}

TEST(AudioReceiver, PlaysAStreamAndConcealsGaps) {
    AudioReceiver r;
    r.setEnabled(true);
    auto now = Clock::now();
    for (std::uint32_t seq = 0; seq < 100; ++seq) {
        if (seq % 10 != 5) {
            EXPECT_EQ(r.push(packet(1, seq, kT0 + seq * 20000), now), 1);
        }
        now += kFrameDuration;
        const auto out = r.pull();
        if (out.real) {
            EXPECT_EQ(out.pcm[0], static_cast<std::int16_t>((out.captureMicros - kT0) / 20000));
        }
    }
    EXPECT_GE(r.counters().played, 85u);
    EXPECT_GE(r.counters().concealed, 9u);
}

// The playout margin follows the arrivals' jitter: the floor while frames come on time, the
// lateness of a late frame (plus 1 ms) for the next second, then the floor again.
TEST(AudioReceiver, TheMarginFollowsHowLateFramesArrive) {
    using std::chrono::microseconds;
    AudioReceiver r;
    r.setStart(microseconds(2000), 1);
    r.setEnabled(true);
    auto now = Clock::now();
    std::uint32_t seq = 0;
    auto arrive = [&](microseconds late) {
        r.push(packet(1, seq, kT0 + seq * 20000), now + late);
        ++seq;
        now += kFrameDuration;
    };
    for (int i = 0; i < 20; ++i)
        arrive(microseconds(0));
    EXPECT_EQ(r.margin(), microseconds(2000)) << "on time: the floor";
    arrive(microseconds(9000));
    EXPECT_EQ(r.margin(), microseconds(10000)) << "9 ms late + 1 ms";
    for (int i = 0; i < 49; ++i)
        arrive(microseconds(0));
    EXPECT_EQ(r.margin(), microseconds(10000)) << "remembered for a second";
    arrive(microseconds(0));
    EXPECT_EQ(r.margin(), microseconds(2000)) << "then forgotten";
    for (int i = 0; i < 60; ++i)
        arrive(microseconds(i % 5 == 0 ? 40000 : 0));
    EXPECT_EQ(r.margin(), microseconds(20000)) << "never more than a frame";
}

// Playout starts with the newest frame that arrived at least the margin before the device asked.
// When the device asks again within the frame (small buffers), waiting for that beats starting a
// whole frame behind; when it asks once per frame, the frame before the newest is played and the
// newest is the cushion.
TEST(AudioReceiver, StartWaitsForTheMarginOrTakesTheFrameBefore) {
    using std::chrono::microseconds;
    using std::chrono::milliseconds;
    for (const auto period : {milliseconds(10), milliseconds(20)}) {
        AudioReceiver r;
        r.setStart(microseconds(5000), 3, period);
        r.setEnabled(true);
        const auto t0 = Clock::now();
        for (std::uint32_t seq = 0; seq < 4; ++seq)
            r.push(packet(1, seq, kT0 + seq * 20000), t0 + seq * kFrameDuration);
        const auto newest = t0 + 3 * kFrameDuration;
        const auto first = r.pull(newest + milliseconds(1)); // 1 ms after the newest arrived
        if (period == milliseconds(10)) {
            EXPECT_TRUE(first.waiting) << "the next request, 10 ms on, leaves the margin";
            const auto second = r.pull(newest + milliseconds(11));
            ASSERT_TRUE(second.real);
            EXPECT_EQ(second.captureMicros, kT0 + 3 * 20000) << "the newest, no cushion";
            EXPECT_EQ(r.delayMs(), 0);
        } else {
            ASSERT_TRUE(first.real);
            EXPECT_EQ(first.captureMicros, kT0 + 2 * 20000) << "the frame before the newest";
            EXPECT_EQ(r.delayMs(), 20) << "the newest is the cushion";
        }
    }
}

// The margin counts from when a frame was due (capture time plus the median transit), not from
// its own arrival: a newest frame that came late is ripe sooner, so it does not push playout a
// frame behind.
TEST(AudioReceiver, TheMarginCountsFromWhenAFrameWasDue) {
    using std::chrono::microseconds;
    using std::chrono::milliseconds;
    AudioReceiver r;
    r.setStart(microseconds(2000), 1, milliseconds(20));
    r.setEnabled(true);
    const auto t0 = Clock::now();
    for (std::uint32_t seq = 0; seq < 20; ++seq)
        r.push(packet(1, seq, kT0 + seq * 20000), t0 + seq * kFrameDuration);
    const auto lateArrival = t0 + 20 * kFrameDuration + milliseconds(9);
    r.push(packet(1, 20, kT0 + 20 * 20000), lateArrival);
    ASSERT_EQ(r.margin(), microseconds(10000));
    const auto out = r.pull(lateArrival + milliseconds(1)); // due 10 ms ago, arrived 1 ms ago
    ASSERT_TRUE(out.real);
    EXPECT_EQ(out.captureMicros, kT0 + 20 * 20000) << "the late newest frame, no cushion";
    EXPECT_EQ(r.delayMs(), 0);
}

TEST(AudioReceiver, AbsurdSequenceAndTimesAreDroppedAndCounted) {
    AudioReceiver r;
    r.setEnabled(true);
    const auto now = Clock::now();
    r.push(packet(1, 100, kT0), now);
    EXPECT_EQ(r.push(packet(1, 100 + 1'000'000, kT0 + 20000), now), 0); // seq years ahead
    EXPECT_EQ(r.push(packet(1, 101, kT0 + 3'600'000'000LL), now), 0);   // an hour later
    EXPECT_EQ(r.push(packet(1, 101, kT0 - 60'000'000LL), now), 0);      // a minute earlier
    EXPECT_EQ(r.counters().absurd, 3u);
    EXPECT_EQ(r.push(packet(1, 101, kT0 + 20000), now), 1) << "the stream goes on";
}

TEST(AudioReceiver, FollowsASenderWhoseTimelineJumpedForGood) {
    AudioReceiver r;
    r.setEnabled(true);
    auto now = Clock::now();
    r.push(packet(1, 0, kT0), now);
    int stored = 0;
    for (std::uint32_t i = 0; i < 40; ++i) {
        stored += r.push(packet(1, 5'000'000 + i, kT0 + i * 20000), now);
        now += kFrameDuration;
        r.pull();
    }
    EXPECT_GT(stored, 10);
}

TEST(AudioReceiver, ANewStreamResetsTheTimeline) {
    AudioReceiver r;
    r.setEnabled(true);
    const auto now = Clock::now();
    r.push(packet(1, 5000, kT0), now);
    EXPECT_EQ(r.push(packet(2, 0, kT0 + 9'000'000'000LL), now), 1);
    EXPECT_EQ(r.counters().absurd, 0u);
}

TEST(AudioReceiver, MixedCodecsDecode) {
    AudioReceiver r;
    r.setEnabled(true);
    auto now = Clock::now();
    int real = 0;
    for (std::uint32_t seq = 0; seq < 60; ++seq) {
        r.push(packet(1, seq, kT0 + seq * 20000, seq < 30 ? Codec::Opus : Codec::Pcm16), now);
        now += kFrameDuration;
        real += r.pull().real ? 1 : 0;
    }
    EXPECT_GE(real, 55);
    EXPECT_EQ(r.counters().decodeErrors, 0u);
}

// The engine's handler without devices: faults for bad input, 503 while there is no call.
TEST(AudioEngineHandler, FaultsWithoutDevicesOrCall) {
    EngineConfig config;
    config.input = "none";
    config.output = "none";
    AudioEngine engine(config);
    EXPECT_FALSE(engine.hasInput());
    EXPECT_FALSE(engine.hasOutput());
    xmlrpc_c::paramList garbage;
    garbage.add(xmlrpc_c::value_bytestring(std::vector<unsigned char>{9, 9, 9, 9, 9, 9, 9, 9}));
    try {
        engine.handleFrameCall(garbage);
        FAIL();
    } catch (const xmlrpc_c::fault& f) {
        EXPECT_EQ(f.getCode(), sdk::kFaultBadParams);
    }
    engine.setCall(true, std::nullopt);
    try {
        engine.handleFrameCall(toFrameParams(packet(1, 0, kT0)));
        FAIL();
    } catch (const xmlrpc_c::fault& f) {
        EXPECT_EQ(f.getCode(), sdk::kFaultUnavailable) << "no speaker: not receiving";
    }
    const auto stats = xmlrpc_c::value_struct(engine.handleStatsCall({})).cvalue();
    EXPECT_EQ(xmlrpc_c::value_int(stats.at("refused")).cvalue(), 1);
}

} // namespace
} // namespace charla::audio
