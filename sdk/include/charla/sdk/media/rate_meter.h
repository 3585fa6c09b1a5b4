// Items and bytes per second over a sliding window (1 s unless told), with the mean latency of the
// items in it: the "now" figures of a stats line. Thread-safe. Keeps one entry per item in the
// window, so it suits media rates (tens to thousands of items a second). Header only (no ABI).
#pragma once

#include "clocks.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

namespace charla::sdk::media {

struct Rates {
    double itemsPerSecond = 0;
    double bytesPerSecond = 0;
    double meanLatencyMs = 0; // of the latencies recorded in the window; 0 without items
    // Since the meter was made, window or not: a stage's "sent"/"bytes" counters.
    std::uint64_t totalItems = 0;
    std::uint64_t totalBytes = 0;
    double kbps() const { return bytesPerSecond * 8 / 1000; }
};

class RateMeter {
public:
    explicit RateMeter(std::chrono::milliseconds window = std::chrono::seconds(1))
        : window_(window) {}

    void record(std::size_t bytes, Millis latency = Millis(0),
                MonotonicClock::time_point at = MonotonicClock::now()) {
        std::lock_guard lock(mutex_);
        expire(at);
        items_.push_back({at, bytes, latency.count()});
        ++totalItems_;
        totalBytes_ += bytes;
    }

    Rates rates(MonotonicClock::time_point now = MonotonicClock::now()) const {
        std::lock_guard lock(mutex_);
        expire(now);
        Rates r;
        r.totalItems = totalItems_;
        r.totalBytes = totalBytes_;
        double bytes = 0, latency = 0;
        for (const Item& item : items_) {
            bytes += static_cast<double>(item.bytes);
            latency += item.latencyMs;
        }
        const double seconds = std::chrono::duration<double>(window_).count();
        r.itemsPerSecond = static_cast<double>(items_.size()) / seconds;
        r.bytesPerSecond = bytes / seconds;
        if (!items_.empty())
            r.meanLatencyMs = latency / static_cast<double>(items_.size());
        return r;
    }

private:
    struct Item {
        MonotonicClock::time_point at;
        std::size_t bytes;
        double latencyMs;
    };
    void expire(MonotonicClock::time_point now) const {
        while (!items_.empty() && now - items_.front().at > window_)
            items_.pop_front();
    }

    const std::chrono::milliseconds window_;
    mutable std::mutex mutex_;
    mutable std::deque<Item> items_;
    std::uint64_t totalItems_ = 0;
    std::uint64_t totalBytes_ = 0;
};

} // namespace charla::sdk::media
