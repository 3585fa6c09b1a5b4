#include "outbox.h"

namespace charla::text {

void Outbox::push(TextMessage message) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(message));
    }
    ready_.notify_one();
}

std::optional<TextMessage> Outbox::take(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    // The stop_token overload wakes up on request_stop(): no extra wake-up is needed on shutdown.
    if (!ready_.wait(lock, stop, [this] { return !queue_.empty(); }))
        return std::nullopt;
    TextMessage message = std::move(queue_.front());
    queue_.pop_front();
    return message;
}

std::size_t Outbox::size() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

} // namespace charla::text
