#include <charla/sdk/media/latency_histogram.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace charla::sdk::media {
namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, PercentilesOfAKnownDistribution) {
    LatencyHistogram h(Millis(0.25), 1s);
    for (int i = 1; i <= 100; ++i)
        h.record(Millis(i));
    EXPECT_EQ(h.count(), 100u);
    EXPECT_NEAR(h.percentileMs(50), 50, 0.5);
    EXPECT_NEAR(h.percentileMs(95), 95, 0.5);
    EXPECT_NEAR(h.percentileMs(99), 99, 0.5);
    EXPECT_NEAR(h.percentileMs(100), 100, 0.5);
    EXPECT_NEAR(h.percentileMs(0), 1, 0.5);
}

// The nearest-rank rule: p95 of ten samples is the tenth, p50 the fifth; the answer is the
// middle of that sample's bin.
TEST(LatencyHistogram, NearestRankOfFewSamples) {
    LatencyHistogram h(1ms, 2s);
    for (int i = 1; i <= 10; ++i)
        h.record(std::chrono::microseconds(i * 10'000 + 200)); // 10.2, 20.2 ... 100.2 ms
    EXPECT_DOUBLE_EQ(h.percentileMs(95), 100.5);
    EXPECT_DOUBLE_EQ(h.percentileMs(50), 50.5);
    EXPECT_DOUBLE_EQ(h.percentileMs(51), 60.5);
    EXPECT_DOUBLE_EQ(h.percentileMs(10), 10.5);
}

TEST(LatencyHistogram, EmptyIsMinusOneAndResetEmpties) {
    LatencyHistogram h(1ms, 100ms);
    EXPECT_EQ(h.percentileMs(50), -1);
    h.record(5ms);
    EXPECT_EQ(h.count(), 1u);
    h.reset();
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentileMs(50), -1);
    EXPECT_EQ(h.snapshot().total(), 0u);
}

TEST(LatencyHistogram, TheLastBinHoldsEverythingBeyondTheRange) {
    LatencyHistogram h(Millis(0.25), 1s);
    EXPECT_EQ(h.binCount(), 4001u); // video.stats's wire size (docs/protocol-video.md)
    h.record(5s);
    h.record(Millis(1000.1));
    h.record(Millis(-3)); // clocks that disagree: counted as 0
    const LatencyBins bins = h.snapshot();
    EXPECT_EQ(bins.counts.back(), 2u);
    EXPECT_EQ(bins.counts.front(), 1u);
    EXPECT_DOUBLE_EQ(h.percentileMs(100), 4000.5 * 0.25);
    EXPECT_DOUBLE_EQ(h.percentileMs(0), 0.125);
}

TEST(LatencyHistogram, SnapshotsGiveTheSamplesBetweenThem) {
    LatencyHistogram h(1ms, 1s);
    for (int i = 0; i < 50; ++i)
        h.record(900ms);
    const LatencyBins before = h.snapshot();
    for (int i = 0; i < 10; ++i)
        h.record(10ms);
    const LatencyBins window = h.snapshot().since(before);
    EXPECT_EQ(window.total(), 10u);
    EXPECT_DOUBLE_EQ(window.percentileMs(99), 10.5);
    EXPECT_DOUBLE_EQ(h.snapshot().percentileMs(50), 900.5);
    // Counts read back from the wire work the same.
    const LatencyBins wire{Millis(0.25), {0, 0, 3, 1}};
    EXPECT_DOUBLE_EQ(wire.percentileMs(50), 2.5 * 0.25);
    EXPECT_DOUBLE_EQ(wire.percentileMs(100), 3.5 * 0.25);
}

TEST(LatencyHistogram, ConcurrentRecordersLoseNoSample) {
    LatencyHistogram h(1ms, 100ms);
    constexpr int kThreads = 4, kSamples = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kSamples; ++i)
                h.record(std::chrono::milliseconds(t * 10 + i % 10));
        });
    for (int i = 0; i < 100; ++i) { // a reader meanwhile sees consistent figures
        const double p = h.percentileMs(100);
        EXPECT_TRUE(p == -1 || (p >= 0 && p < 40)) << p;
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(h.count(), std::uint64_t(kThreads) * kSamples);
    EXPECT_EQ(h.snapshot().total(), h.count());
    EXPECT_DOUBLE_EQ(h.percentileMs(100), 39.5);
}

} // namespace
} // namespace charla::sdk::media
