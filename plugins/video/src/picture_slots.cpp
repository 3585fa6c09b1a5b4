#include "picture_slots.h"

namespace charla::video {

void PictureSlots::publish(Slot s, cv::Mat bgr, double ts) {
    {
        std::lock_guard lock(mutex_);
        slot(s) = VideoPicture{std::move(bgr), ++seq_, ts};
    }
    notify();
}

void PictureSlots::clear(Slot s) {
    {
        std::lock_guard lock(mutex_);
        slot(s).reset();
    }
    notify();
}

void PictureSlots::clearAll() {
    {
        std::lock_guard lock(mutex_);
        remote_.reset();
        local_.reset();
    }
    notify();
}

std::optional<VideoPicture> PictureSlots::picture(Slot s) const {
    std::lock_guard lock(mutex_);
    return s == Slot::Local ? local_ : remote_;
}

cv::Size PictureSlots::remoteSize() const {
    std::lock_guard lock(mutex_);
    return remote_ ? remote_->bgr.size() : cv::Size();
}

int PictureSlots::addListener(std::function<void()> listener) {
    std::lock_guard lock(listenersMutex_);
    const int id = nextListener_++;
    listeners_[id] = std::move(listener);
    return id;
}

void PictureSlots::removeListener(int id) {
    std::lock_guard lock(listenersMutex_);
    listeners_.erase(id);
}

void PictureSlots::notify() {
    std::lock_guard lock(listenersMutex_);
    for (auto& [id, listener] : listeners_)
        listener();
}

} // namespace charla::video
