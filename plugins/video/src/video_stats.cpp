#include "video_stats.h"

#include <algorithm>

namespace charla::video {

double epochMs() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0;
}

void RateMeter::expire(std::chrono::steady_clock::time_point now) const {
    while (!events_.empty() && now - events_.front().at > std::chrono::seconds(1))
        events_.pop_front();
}

void RateMeter::add(std::size_t bytes, double latencyMs) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    expire(now);
    events_.push_back({now, bytes, latencyMs});
}

RateFigures RateMeter::figures() const {
    std::lock_guard lock(mutex_);
    expire(std::chrono::steady_clock::now());
    RateFigures f;
    double latency = 0;
    for (const auto& e : events_) {
        f.kbps += e.bytes * 8.0 / 1000.0;
        latency += e.latencyMs;
    }
    f.fps = static_cast<double>(events_.size());
    if (!events_.empty())
        f.latencyMs = latency / static_cast<double>(events_.size());
    return f;
}

void LatencyHistogram::add(double ms) {
    const double bin = std::max(0.0, ms) / kBinMs;
    const std::size_t i = bin >= kBins ? kBins : static_cast<std::size_t>(bin);
    std::lock_guard lock(mutex_);
    ++bins_[i];
    ++count_;
}

std::vector<std::uint32_t> LatencyHistogram::bins() const {
    std::lock_guard lock(mutex_);
    return {bins_.begin(), bins_.end()};
}

std::uint64_t LatencyHistogram::count() const {
    std::lock_guard lock(mutex_);
    return count_;
}

double LatencyHistogram::percentile(const std::vector<std::uint32_t>& bins, double p) {
    std::uint64_t total = 0;
    for (auto c : bins)
        total += c;
    if (!total)
        return -1;
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(total);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bins.size(); ++i) {
        seen += bins[i];
        if (static_cast<double>(seen) >= rank && bins[i])
            return (static_cast<double>(i) + 0.5) * kBinMs; // the bin's middle
    }
    return (static_cast<double>(bins.size()) - 0.5) * kBinMs;
}

} // namespace charla::video
