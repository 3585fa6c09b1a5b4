#include <charla/sdk/media/clocks.h>

#include <gtest/gtest.h>

#include <thread>

namespace charla::sdk::media {
namespace {

using namespace std::chrono_literals;

TEST(Clocks, WallClockIsTheUnixEpochInBothUnits) {
    const auto before = std::chrono::system_clock::now();
    const std::int64_t micros = wallClockMicros();
    const double ms = wallClockMs();
    const auto after = std::chrono::system_clock::now();
    auto us = [](std::chrono::system_clock::time_point t) {
        return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    };
    EXPECT_GE(micros, us(before));
    EXPECT_LE(micros, us(after));
    EXPECT_GE(ms * 1000, double(micros) - 1);
    EXPECT_LE(ms * 1000, double(us(after)) + 1);
    EXPECT_GT(ms, 1.6e12); // after 2020: milliseconds, not seconds or microseconds
}

TEST(Clocks, MonotonicHelpersMeasureElapsedTime) {
    const auto start = MonotonicClock::now();
    const std::int64_t first = monotonicMicros(start);
    std::this_thread::sleep_for(20ms);
    EXPECT_GE(monotonicMicros() - first, 20'000);
    EXPECT_GE(since(start).count(), 20.0);
    EXPECT_LT(since(start).count(), 20'000.0);
    EXPECT_EQ(monotonicMicros(start), first);
}

} // namespace
} // namespace charla::sdk::media
