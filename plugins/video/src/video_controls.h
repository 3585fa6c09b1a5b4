// What the video workers obey, set from the GUI thread: the source's configuration, the camera
// switch, the call, and what the peer does. The workers read it and wait on it.
#pragma once

#include "video_source.h"
#include "video_wire.h"

#include <charla/sdk/channel.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

namespace charla::video {

struct VideoConfig {
    SourceSpec source;
    CaptureFormat format;
    int quality = 75; // JPEG quality 1..100
    // The codecs we offer (host.hello "codecs"), preferred first.
    std::vector<Codec> codecs{Codec::Vp8, Codec::Jpeg};
    bool operator==(const VideoConfig&) const = default;
};

// The contact's camera as its host.hello says: it sends video, its user turned the camera off
// (video params "camera": "off"), or it has no working camera (receive-only).
enum class PeerCamera { On, Off, Missing };

class VideoControls {
public:
    explicit VideoControls(VideoConfig config) : config_(std::move(config)) {}

    // False when `config` equals the current one (nothing to reopen).
    bool setConfig(const VideoConfig& config);
    VideoConfig config() const;
    void setCanSend(bool canSend);
    bool canSend() const;
    void setCameraOn(bool on);
    bool cameraOn() const;
    // False when the call was already so.
    bool setCallActive(bool active);
    bool callActive() const;
    void setPeerReceives(bool receives);
    void setPeerCamera(PeerCamera camera);
    PeerCamera peerCamera() const;
    // The codec frames go out in (negotiated from the peer's "codecs"); nullopt: none shared.
    void setSendCodec(std::optional<Codec> codec);
    std::optional<Codec> sendCodec() const;
    // The VP8 target in kbit/s; 0 = the default for the picture size (vp8_codec.h).
    void setTargetKbps(int kbps);
    // `second` (may be null): a second connection, so that two frames can be on their way.
    void setStream(std::shared_ptr<sdk::PeerStream> stream,
                   std::shared_ptr<sdk::PeerStream> second = {});
    // Whether frames go out right now: a source, camera on, active call, a peer that takes video.
    bool sending() const;

    // The source health the capture thread reports; the listener is called on a change.
    void setSourceHealthListener(std::function<void(bool working)> listener);
    bool sourceWorking() const;
    // nullopt when `working` is no change; else the listener to call (maybe empty).
    std::optional<std::function<void(bool)>> setSourceWorking(bool working);

    // --- for the workers ---
    struct CaptureOrder {
        VideoConfig config;
        std::uint64_t generation = 0; // bumped by every new config: reopen the source
    };
    // What to capture, or nullopt while capture is not wanted (no call, camera off, no source).
    std::optional<CaptureOrder> captureOrder() const;
    // Waits up to `timeout` for capture to become wanted.
    void waitForCapture(std::stop_token& stop, std::chrono::milliseconds timeout);
    struct SendOrder {
        std::shared_ptr<sdk::PeerStream> stream;
        std::shared_ptr<sdk::PeerStream> second; // null: one call at a time
        int quality = 75;
        Codec codec = Codec::Jpeg;
        int fps = 30;
        int targetKbps = 0; // 0: the default for the picture size
    };
    // Where and how to send a frame now; nullopt when frames must not go out.
    std::optional<SendOrder> sendOrder() const;
    // Sleeps until `until` or stop; false when stopping.
    bool sleepUntil(std::stop_token& stop, std::chrono::steady_clock::time_point until);
    // Wakes every worker wait.
    void notify() { changed_.notify_all(); }

private:
    bool captureWanted() const { return callActive_ && cameraOn_ && canSend_; } // mutex_ held
    // One member under mutex_: read, write, or change (write and wake the workers; false when
    // `value` is what it was already).
    template <typename T> T read(const T& member) const {
        std::lock_guard lock(mutex_);
        return member;
    }
    template <typename T> void write(T& member, T value) {
        std::lock_guard lock(mutex_);
        member = std::move(value);
    }
    template <typename T> bool change(T& member, T value) {
        {
            std::lock_guard lock(mutex_);
            if (member == value)
                return false;
            member = std::move(value);
        }
        changed_.notify_all();
        return true;
    }

    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    VideoConfig config_;
    std::uint64_t generation_ = 1;
    bool canSend_ = false;
    bool cameraOn_ = true;
    bool callActive_ = false;
    bool peerReceives_ = false;
    PeerCamera peerCamera_ = PeerCamera::On;
    std::optional<Codec> sendCodec_ = Codec::Jpeg; // until the peer's codecs are known
    int targetKbps_ = 0;
    bool sourceWorking_ = true;
    std::function<void(bool)> sourceHealthListener_;
    std::shared_ptr<sdk::PeerStream> stream_;
    std::shared_ptr<sdk::PeerStream> second_;
};

} // namespace charla::video
