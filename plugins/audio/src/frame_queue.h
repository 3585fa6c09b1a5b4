// The bounded queue between the capture thread and the sender: when the sender falls behind, the
// oldest frame goes (and is counted), so what is sent is always recent.
#pragma once

#include "audio_format.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

namespace charla::audio {

struct CapturedFrame {
    std::uint32_t stream = 0; // the sending run (one call) it belongs to
    std::uint32_t seq = 0;
    std::int64_t captureMicros = 0;
    PcmFrame pcm{};
};

class FrameQueue {
public:
    explicit FrameQueue(std::size_t capacity);

    void push(const CapturedFrame& frame); // drops the oldest when full
    // Blocks until at least one frame is queued (returns it), or until wake() or `stop`
    // (returns nullopt).
    std::optional<CapturedFrame> take(std::stop_token stop);
    // Takes up to `max` frames without waiting.
    std::vector<CapturedFrame> takeAvailable(std::size_t max);
    void clear();
    // Wakes take() so that its caller re-checks its own conditions.
    void wake();

    std::size_t size() const;
    std::uint64_t dropped() const { return dropped_; }

private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable_any ready_;
    std::deque<CapturedFrame> frames_;
    std::uint64_t wakeups_ = 0;
    std::atomic<std::uint64_t> dropped_{0};
};

} // namespace charla::audio
