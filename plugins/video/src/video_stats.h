// Figures for the stats line and the benchmark: a one-second sliding window per direction (fps,
// kbps, mean latency), and a latency histogram for percentiles over a whole run.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace charla::video {

// Wall-clock milliseconds since the Unix epoch: what video.frame's ts is measured in.
double epochMs();

struct RateFigures {
    double fps = 0;
    double kbps = 0;      // of JPEG payload
    double latencyMs = 0; // mean over the window; 0 without samples
};

class RateMeter {
public:
    void add(std::size_t bytes, double latencyMs);
    RateFigures figures() const;

private:
    struct Event {
        std::chrono::steady_clock::time_point at;
        std::size_t bytes;
        double latencyMs;
    };
    void expire(std::chrono::steady_clock::time_point now) const;
    mutable std::mutex mutex_;
    mutable std::deque<Event> events_;
};

// Latency samples in 0.25 ms bins up to 1 s, plus one overflow bin.
class LatencyHistogram {
public:
    static constexpr double kBinMs = 0.25;
    static constexpr std::size_t kBins = 4000;

    void add(double ms);
    std::vector<std::uint32_t> bins() const; // kBins + 1 counts
    std::uint64_t count() const;

    // The p-th percentile (0..100) of the samples in `bins` (as returned by bins(), possibly the
    // difference of two snapshots); -1 without samples.
    static double percentile(const std::vector<std::uint32_t>& bins, double p);

private:
    mutable std::mutex mutex_;
    std::array<std::uint32_t, kBins + 1> bins_{};
    std::uint64_t count_ = 0;
};

} // namespace charla::video
