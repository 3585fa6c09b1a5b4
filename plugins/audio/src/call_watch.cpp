#include "call_watch.h"

#include "audio_logging.h"

namespace charla::audio {

CallState CallWatch::current() const {
    std::lock_guard lock(mutex_);
    return state_;
}

void CallWatch::change(const std::function<void(CallState&)>& change) {
    std::lock_guard lock(mutex_);
    change(state_);
}

void CallWatch::notify() {
    changed_.notify_all();
}

CallState CallWatch::waitFor(std::stop_token stop,
                             const std::function<bool(const CallState&)>& pred) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, stop, [&] { return pred(state_); });
    return state_;
}

CallState CallWatch::waitFor(std::stop_token stop,
                             const std::function<bool(const CallState&)>& pred,
                             std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, stop, timeout, [&] { return pred(state_); });
    return state_;
}

void DeviceProblem::set(const std::string& problem) {
    qCWarning(lcAudio).noquote() << problem.c_str();
    std::lock_guard lock(mutex_);
    problem_ = problem;
}

std::string DeviceProblem::get() const {
    std::lock_guard lock(mutex_);
    return problem_;
}

} // namespace charla::audio
