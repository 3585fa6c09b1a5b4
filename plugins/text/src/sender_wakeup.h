// How the sender worker waits: idle until there is something to send, and between two attempts at
// the outbox's head for a backoff delay that "retry now" events cut short.
//
//   newWork()  a message was queued: wakes an idle sender (not one backing off: the head of the
//              queue is still the message that failed, and it is not due yet)
//   retryNow() the contact came online, or the user asked to retry: wakes the sender whatever it
//              waits for, and the backoff starts again from its first delay
//
// A Ticket taken before looking at the outbox (or before an attempt) makes the wait return at once
// if an event came in between, so no wake-up is ever lost.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>

namespace charla::text {

class SenderWakeup {
public:
    struct Ticket {
        std::uint64_t work = 0;
        std::uint64_t urgent = 0;
    };
    enum class Woken { Work, RetryNow, Timeout, Stopped };

    void newWork();
    void retryNow();
    Ticket ticket() const;
    // Until newWork() or retryNow() since `ticket`, or stop.
    Woken waitForWork(std::stop_token stop, Ticket ticket);
    // Until retryNow() since `ticket`, `delay`, or stop.
    Woken waitBackoff(std::stop_token stop, Ticket ticket, std::chrono::milliseconds delay);

private:
    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    Ticket serials_;
};

} // namespace charla::text
