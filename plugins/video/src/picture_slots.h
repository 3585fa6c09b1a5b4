// The latest local (self-view) and remote pictures, for the GUI, and the listeners told of each
// new one. Written by the capture and decode threads, read by the GUI thread.
#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace charla::video {

// One picture ready for the GUI: 8-bit BGR (QImage::Format_BGR888 shows it without a copy).
struct VideoPicture {
    cv::Mat bgr;
    std::uint64_t seq = 0; // increases with every new picture in the slot
    double ts = 0;         // capture time, ms since the Unix epoch
};

class PictureSlots {
public:
    enum class Slot { Local, Remote };

    // Puts a new picture in `slot` and tells the listeners.
    void publish(Slot slot, cv::Mat bgr, double ts);
    // Empties `slot` (or both) and tells the listeners.
    void clear(Slot slot);
    void clearAll();
    std::optional<VideoPicture> picture(Slot slot) const;
    // The remote picture's size; 0x0 without one.
    cv::Size remoteSize() const;

    // Listeners run on the thread that changed a slot; they must only post work elsewhere.
    int addListener(std::function<void()> listener);
    void removeListener(int id);
    void notify();

private:
    std::optional<VideoPicture>& slot(Slot s) { return s == Slot::Local ? local_ : remote_; }

    mutable std::mutex mutex_;
    std::optional<VideoPicture> remote_;
    std::optional<VideoPicture> local_;
    std::uint64_t seq_ = 0;

    std::mutex listenersMutex_;
    std::map<int, std::function<void()>> listeners_;
    int nextListener_ = 1;
};

} // namespace charla::video
