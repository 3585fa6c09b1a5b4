// Latencies in fixed-width bins, for percentiles over a whole run (a call, a benchmark window)
// at a constant cost per sample. Recorded by one thread, read by any. Header only (no ABI).
//
// One convention for every figure taken from it: a percentile is the middle of the bin that
// holds the nearest-rank sample (the ceil(p/100 * n)-th smallest), in ms; -1 without samples.
#pragma once

#include "clocks.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace charla::sdk::media {

// A copy of a histogram's counts (or counts read back from the wire): the last bin holds every
// sample at or beyond the range.
struct LatencyBins {
    Millis binWidth{1};
    std::vector<std::uint64_t> counts;

    std::uint64_t total() const {
        std::uint64_t n = 0;
        for (auto c : counts)
            n += c;
        return n;
    }
    // The p-th percentile (0..100) in ms; -1 without samples.
    double percentileMs(double p) const { return percentile(counts, total(), binWidth, p); }
    // The samples recorded between `earlier` and this copy of the same histogram.
    LatencyBins since(const LatencyBins& earlier) const {
        LatencyBins d = *this;
        for (std::size_t i = 0; i < d.counts.size() && i < earlier.counts.size(); ++i)
            d.counts[i] -= std::min(d.counts[i], earlier.counts[i]);
        return d;
    }

    static double percentile(const std::vector<std::uint64_t>& counts, std::uint64_t total,
                             Millis binWidth, double p) {
        if (total == 0)
            return -1;
        const double wanted = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * double(total));
        const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
        std::uint64_t seen = 0;
        std::size_t i = 0;
        for (; i + 1 < counts.size(); ++i) {
            seen += counts[i];
            if (seen >= rank)
                break;
        }
        return (static_cast<double>(i) + 0.5) * binWidth.count(); // the bin's middle
    }
};

class LatencyHistogram {
public:
    // Bins of `binWidth` from 0 up to `range`, plus one for everything beyond.
    LatencyHistogram(Millis binWidth, Millis range)
        : binWidth_(binWidth),
          counts_(static_cast<std::size_t>(std::max(1.0, std::ceil(range / binWidth))) + 1) {}

    // A negative latency (clocks that disagree) counts as 0.
    void record(Millis latency) {
        const double bin = std::max(0.0, latency / binWidth_);
        const std::size_t last = counts_.size() - 1;
        const std::size_t i = bin >= double(last) ? last : static_cast<std::size_t>(bin);
        std::lock_guard lock(mutex_);
        ++counts_[i];
        ++total_;
    }
    // The p-th percentile (0..100) in ms; -1 without samples.
    double percentileMs(double p) const {
        std::lock_guard lock(mutex_);
        return LatencyBins::percentile(counts_, total_, binWidth_, p);
    }
    std::uint64_t count() const {
        std::lock_guard lock(mutex_);
        return total_;
    }
    LatencyBins snapshot() const {
        std::lock_guard lock(mutex_);
        return {binWidth_, counts_};
    }
    void reset() {
        std::lock_guard lock(mutex_);
        std::fill(counts_.begin(), counts_.end(), 0);
        total_ = 0;
    }
    Millis binWidth() const { return binWidth_; }
    std::size_t binCount() const { return counts_.size(); }

private:
    const Millis binWidth_;
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
};

} // namespace charla::sdk::media
