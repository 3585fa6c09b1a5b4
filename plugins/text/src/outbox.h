// Messages waiting to be sent, in order. Unbounded on purpose: unlike a media frame, a user's
// message is never dropped. Filled on the GUI thread, emptied by the sender worker.
#pragma once

#include "text_message.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>

namespace charla::text {

class Outbox {
public:
    void push(TextMessage message);
    // Blocks until a message is waiting or `stop` is requested (then returns nullopt).
    std::optional<TextMessage> take(std::stop_token stop);
    std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable_any ready_;
    std::deque<TextMessage> queue_;
};

} // namespace charla::text
