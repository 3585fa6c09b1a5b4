// A small bounded queue between two media threads that drops the OLDEST item when full: the
// consumer always gets the freshest items, and a consumer that falls behind makes items vanish
// (counted) instead of making latency grow. Thread-safe; any number of producers and consumers.
// Header only (no ABI).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>
#include <vector>

namespace charla::sdk::media {

template <typename T> class DropOldestQueue {
public:
    explicit DropOldestQueue(std::size_t capacity) : capacity_(capacity ? capacity : 1) {}
    DropOldestQueue(const DropOldestQueue&) = delete;
    DropOldestQueue& operator=(const DropOldestQueue&) = delete;

    // Adds `item`, discarding the oldest first if the queue is full. True when one was discarded.
    bool push(T item) {
        bool dropped = false;
        {
            std::lock_guard lock(mutex_);
            if (items_.size() >= capacity_) {
                items_.pop_front();
                ++dropped_;
                dropped = true;
            }
            items_.push_back(std::move(item));
        }
        ready_.notify_one();
        return dropped;
    }

    // Blocks until an item is queued and returns the oldest; nullopt once `stop` is requested,
    // or after wake() while the queue is empty.
    std::optional<T> pop(std::stop_token stop) { return take(stop, false); }

    // Like pop(), but returns the NEWEST item and discards the older ones (counted as dropped):
    // a consumer that fell behind catches up at once instead of working through stale items.
    std::optional<T> popLatest(std::stop_token stop) { return take(stop, true); }

    // Up to `max` of the oldest items, without waiting.
    std::vector<T> popAvailable(std::size_t max) {
        std::lock_guard lock(mutex_);
        std::vector<T> out;
        while (!items_.empty() && out.size() < max) {
            out.push_back(std::move(items_.front()));
            items_.pop_front();
        }
        return out;
    }

    // Makes the consumers waiting now return (nullopt if nothing is queued), so that they re-check
    // conditions of their own (a call that ended, a codec that changed).
    void wake() {
        {
            std::lock_guard lock(mutex_);
            ++wakeups_;
        }
        ready_.notify_all();
    }

    void clear() {
        std::lock_guard lock(mutex_);
        items_.clear();
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return items_.size();
    }
    std::size_t capacity() const { return capacity_; }
    // Items discarded so far, by push() on a full queue and by popLatest().
    std::uint64_t dropped() const {
        std::lock_guard lock(mutex_);
        return dropped_;
    }

private:
    std::optional<T> take(std::stop_token& stop, bool newest) {
        std::unique_lock lock(mutex_);
        const std::uint64_t wakeups = wakeups_;
        ready_.wait(lock, stop, [&] { return !items_.empty() || wakeups_ != wakeups; });
        if (items_.empty() || stop.stop_requested())
            return std::nullopt;
        if (!newest) {
            std::optional<T> item(std::move(items_.front()));
            items_.pop_front();
            return item;
        }
        dropped_ += items_.size() - 1;
        std::optional<T> item(std::move(items_.back()));
        items_.clear();
        return item;
    }

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable_any ready_;
    std::deque<T> items_;
    std::uint64_t dropped_ = 0;
    std::uint64_t wakeups_ = 0;
};

} // namespace charla::sdk::media
