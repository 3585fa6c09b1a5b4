#include "frame_queue.h"

namespace charla::audio {

FrameQueue::FrameQueue(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

void FrameQueue::push(const CapturedFrame& frame) {
    {
        std::lock_guard lock(mutex_);
        if (frames_.size() >= capacity_) {
            frames_.pop_front();
            ++dropped_;
        }
        frames_.push_back(frame);
    }
    ready_.notify_one();
}

std::optional<CapturedFrame> FrameQueue::take(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    const std::uint64_t wakeups = wakeups_;
    ready_.wait(lock, stop, [&] { return !frames_.empty() || wakeups_ != wakeups; });
    if (frames_.empty())
        return std::nullopt;
    CapturedFrame frame = frames_.front();
    frames_.pop_front();
    return frame;
}

std::vector<CapturedFrame> FrameQueue::takeAvailable(std::size_t max) {
    std::lock_guard lock(mutex_);
    std::vector<CapturedFrame> out;
    while (!frames_.empty() && out.size() < max) {
        out.push_back(frames_.front());
        frames_.pop_front();
    }
    return out;
}

void FrameQueue::clear() {
    std::lock_guard lock(mutex_);
    frames_.clear();
}

void FrameQueue::wake() {
    {
        std::lock_guard lock(mutex_);
        ++wakeups_;
    }
    ready_.notify_all();
}

std::size_t FrameQueue::size() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
}

} // namespace charla::audio
