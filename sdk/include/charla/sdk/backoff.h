// Delays between attempts at something that keeps failing: `first`, doubling up to `max`. Header
// only (no ABI): the host's presence link and the text plugin's outbox share it, and a plugin
// that retries calls to the peer can use it too.
#pragma once

#include <algorithm>
#include <chrono>

namespace charla::sdk {

class Backoff {
public:
    Backoff(std::chrono::milliseconds first, std::chrono::milliseconds max)
        : first_(first), max_(max), next_(first) {}
    // The delay before the next attempt; each call doubles the one after.
    std::chrono::milliseconds next() {
        const auto delay = next_;
        next_ = std::min(next_ * 2, max_);
        return delay;
    }
    // After a success: the next failure waits `first` again.
    void reset() { next_ = first_; }

private:
    std::chrono::milliseconds first_, max_, next_;
};

} // namespace charla::sdk
