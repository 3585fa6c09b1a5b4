// Mouth-to-ear latencies of played frames (capture timestamp -> handed to the output device), in
// 1 ms bins up to 2 s. Recorded by the playout thread, read by anyone.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

namespace charla::audio {

class LatencyHistogram {
public:
    void record(std::int64_t micros);
    // The p-th percentile (0..100) in ms, or -1 with no samples.
    double percentileMs(double p) const;
    std::uint64_t count() const;
    void reset();

private:
    static constexpr int kBins = 2001; // the last bin holds everything >= 2 s
    mutable std::mutex mutex_;
    std::array<std::uint64_t, kBins> bins_{};
    std::uint64_t count_ = 0;
};

} // namespace charla::audio
