#include "latency_histogram.h"

#include <algorithm>

namespace charla::audio {

void LatencyHistogram::record(std::int64_t micros) {
    const auto bin = std::clamp<std::int64_t>(micros / 1000, 0, kBins - 1);
    std::lock_guard lock(mutex_);
    ++bins_[static_cast<std::size_t>(bin)];
    ++count_;
}

double LatencyHistogram::percentileMs(double p) const {
    std::lock_guard lock(mutex_);
    if (count_ == 0)
        return -1;
    const auto rank = static_cast<std::uint64_t>(std::clamp(p, 0.0, 100.0) / 100.0 *
                                                 static_cast<double>(count_ - 1));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBins; ++i) {
        seen += bins_[static_cast<std::size_t>(i)];
        if (seen > rank)
            return i + 0.5; // the bin's middle
    }
    return kBins;
}

std::uint64_t LatencyHistogram::count() const {
    std::lock_guard lock(mutex_);
    return count_;
}

void LatencyHistogram::reset() {
    std::lock_guard lock(mutex_);
    bins_.fill(0);
    count_ = 0;
}

} // namespace charla::audio
