#include "wait.h"

#include <QCoreApplication>

#include <thread>

namespace charla::test {

bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (pred())
            return true;
        if (Clock::now() >= deadline)
            return pred();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void pumpFor(std::chrono::milliseconds duration) {
    waitUntil([] { return false; }, duration);
}

} // namespace charla::test
