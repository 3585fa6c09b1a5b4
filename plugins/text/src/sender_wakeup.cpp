#include "sender_wakeup.h"

namespace charla::text {

void SenderWakeup::newWork() {
    {
        std::lock_guard lock(mutex_);
        ++serials_.work;
    }
    changed_.notify_all();
}

void SenderWakeup::retryNow() {
    {
        std::lock_guard lock(mutex_);
        ++serials_.urgent;
    }
    changed_.notify_all();
}

SenderWakeup::Ticket SenderWakeup::ticket() const {
    std::lock_guard lock(mutex_);
    return serials_;
}

SenderWakeup::Woken SenderWakeup::waitForWork(std::stop_token stop, Ticket ticket) {
    std::unique_lock lock(mutex_);
    // The stop_token overload wakes up on request_stop(): no extra wake-up is needed on shutdown.
    changed_.wait(lock, stop,
                  [&] { return serials_.work != ticket.work || serials_.urgent != ticket.urgent; });
    if (stop.stop_requested())
        return Woken::Stopped;
    return serials_.urgent != ticket.urgent ? Woken::RetryNow : Woken::Work;
}

SenderWakeup::Woken SenderWakeup::waitBackoff(std::stop_token stop, Ticket ticket,
                                              std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    const bool urgent =
        changed_.wait_for(lock, stop, delay, [&] { return serials_.urgent != ticket.urgent; });
    if (stop.stop_requested())
        return Woken::Stopped;
    return urgent ? Woken::RetryNow : Woken::Timeout;
}

} // namespace charla::text
