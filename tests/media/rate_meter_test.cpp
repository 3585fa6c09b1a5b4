#include <charla/sdk/media/rate_meter.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace charla::sdk::media {
namespace {

using namespace std::chrono_literals;

TEST(RateMeter, CountsItemsBytesAndLatencyInTheWindow) {
    RateMeter m; // 1 s
    const auto t0 = MonotonicClock::now();
    for (int i = 0; i < 30; ++i) // 30 items a second of 1000 bytes, latency 10 or 20 ms
        m.record(1000, Millis(i % 2 ? 20 : 10), t0 + i * 33ms);
    const Rates r = m.rates(t0 + 990ms);
    EXPECT_DOUBLE_EQ(r.itemsPerSecond, 30);
    EXPECT_DOUBLE_EQ(r.bytesPerSecond, 30000);
    EXPECT_DOUBLE_EQ(r.kbps(), 240);
    EXPECT_DOUBLE_EQ(r.meanLatencyMs, 15);
    EXPECT_EQ(r.totalItems, 30u);
    EXPECT_EQ(r.totalBytes, 30000u);
}

TEST(RateMeter, ForgetsWhatLeftTheWindow) {
    RateMeter m(500ms);
    const auto t0 = MonotonicClock::now();
    m.record(100, Millis(50), t0);
    m.record(100, Millis(50), t0 + 100ms);
    m.record(300, Millis(10), t0 + 400ms);
    EXPECT_DOUBLE_EQ(m.rates(t0 + 450ms).itemsPerSecond, 6); // 3 in half a second
    const Rates later = m.rates(t0 + 550ms);                 // the first has left
    EXPECT_DOUBLE_EQ(later.itemsPerSecond, 4);
    EXPECT_DOUBLE_EQ(later.bytesPerSecond, 800);
    EXPECT_DOUBLE_EQ(later.meanLatencyMs, 30);
    const Rates idle = m.rates(t0 + 2s);
    EXPECT_EQ(idle.itemsPerSecond, 0);
    EXPECT_EQ(idle.bytesPerSecond, 0);
    EXPECT_EQ(idle.meanLatencyMs, 0);
    EXPECT_EQ(idle.totalItems, 3u) << "the totals keep what left the window";
    EXPECT_EQ(idle.totalBytes, 500u);
}

TEST(RateMeter, ConcurrentRecordersAndAReader) {
    RateMeter m(1h); // nothing expires: every item counts
    constexpr int kThreads = 3, kItems = 5000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < kItems; ++i)
                m.record(2);
        });
    for (int i = 0; i < 50; ++i)
        EXPECT_LE(m.rates().itemsPerSecond * 3600, kThreads * kItems + 0.5);
    for (auto& t : threads)
        t.join();
    EXPECT_NEAR(m.rates().itemsPerSecond * 3600, kThreads * kItems, 1e-6);
    EXPECT_NEAR(m.rates().bytesPerSecond * 3600, 2 * kThreads * kItems, 1e-6);
}

} // namespace
} // namespace charla::sdk::media
