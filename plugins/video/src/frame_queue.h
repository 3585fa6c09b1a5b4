// A small bounded queue between two media threads that drops the OLDEST item when full: the
// consumer always gets the freshest frames, and a slow consumer makes frames vanish instead of
// making latency grow. Every hop of the video path is one of these (or a single-slot "latest").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>

namespace charla::video {

template <typename T> class FrameQueue {
public:
    explicit FrameQueue(std::size_t capacity) : capacity_(capacity ? capacity : 1) {}

    // Adds `item`; if the queue was full the oldest item is discarded first. Returns true when
    // something was discarded.
    bool push(T item) {
        bool dropped = false;
        {
            std::lock_guard lock(mutex_);
            if (queue_.size() >= capacity_) {
                queue_.pop_front();
                ++dropped_;
                dropped = true;
            }
            queue_.push_back(std::move(item));
        }
        ready_.notify_one();
        return dropped;
    }

    // Waits up to `timeout` for an item; nullopt on timeout, on stop or after close().
    std::optional<T> pop(std::stop_token stop, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        ready_.wait_for(lock, stop, timeout, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty() || stop.stop_requested())
            return std::nullopt;
        T item = std::move(queue_.front());
        queue_.pop_front();
        return item;
    }

    // Like pop(), but returns the NEWEST item and discards the older ones (counted as dropped):
    // a consumer that fell behind catches up at once instead of working through stale frames.
    std::optional<T> popLatest(std::stop_token stop, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        ready_.wait_for(lock, stop, timeout, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty() || stop.stop_requested())
            return std::nullopt;
        dropped_ += queue_.size() - 1;
        T item = std::move(queue_.back());
        queue_.clear();
        return item;
    }

    // Wakes every waiter for good (pop returns nullopt once the queue is empty).
    void close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        ready_.notify_all();
    }
    void clear() {
        std::lock_guard lock(mutex_);
        queue_.clear();
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return queue_.size();
    }
    std::size_t capacity() const { return capacity_; }
    std::uint64_t dropped() const {
        std::lock_guard lock(mutex_);
        return dropped_;
    }

private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable_any ready_;
    std::deque<T> queue_;
    std::uint64_t dropped_ = 0;
    bool closed_ = false;
};

} // namespace charla::video
