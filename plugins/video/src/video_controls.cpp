#include "video_controls.h"

#include <algorithm>

namespace charla::video {

bool VideoControls::setConfig(const VideoConfig& config) {
    {
        std::lock_guard lock(mutex_);
        if (config == config_)
            return false;
        config_ = config;
        ++generation_;
    }
    changed_.notify_all();
    return true;
}

VideoConfig VideoControls::config() const {
    return read(config_);
}

void VideoControls::setCanSend(bool canSend) {
    {
        std::lock_guard lock(mutex_);
        canSend_ = canSend;
        sourceWorking_ = true; // a fresh start: the capture thread reports what follows
    }
    changed_.notify_all();
}

bool VideoControls::canSend() const {
    return read(canSend_);
}

void VideoControls::setCameraOn(bool on) {
    change(cameraOn_, on);
}

bool VideoControls::cameraOn() const {
    return read(cameraOn_);
}

bool VideoControls::setCallActive(bool active) {
    return change(callActive_, active);
}

bool VideoControls::callActive() const {
    return read(callActive_);
}

void VideoControls::setPeerReceives(bool receives) {
    write(peerReceives_, receives);
}

void VideoControls::setPeerCamera(PeerCamera camera) {
    write(peerCamera_, camera);
}

PeerCamera VideoControls::peerCamera() const {
    return read(peerCamera_);
}

void VideoControls::setStream(std::shared_ptr<sdk::PeerStream> stream,
                              std::shared_ptr<sdk::PeerStream> second) {
    std::lock_guard lock(mutex_);
    stream_ = std::move(stream);
    second_ = std::move(second);
}

bool VideoControls::sending() const {
    std::lock_guard lock(mutex_);
    return captureWanted() && peerReceives_ && stream_;
}

void VideoControls::setSourceHealthListener(std::function<void(bool working)> listener) {
    write(sourceHealthListener_, std::move(listener));
}

bool VideoControls::sourceWorking() const {
    return read(sourceWorking_);
}

std::optional<std::function<void(bool)>> VideoControls::setSourceWorking(bool working) {
    std::lock_guard lock(mutex_);
    if (sourceWorking_ == working)
        return std::nullopt;
    sourceWorking_ = working;
    return sourceHealthListener_;
}

std::optional<VideoControls::CaptureOrder> VideoControls::captureOrder() const {
    std::lock_guard lock(mutex_);
    if (!captureWanted())
        return std::nullopt;
    return CaptureOrder{config_, generation_};
}

void VideoControls::waitForCapture(std::stop_token& stop, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, stop, timeout, [&] { return captureWanted(); });
}

void VideoControls::setSendCodec(std::optional<Codec> codec) {
    std::lock_guard lock(mutex_);
    sendCodec_ = codec;
}

std::optional<Codec> VideoControls::sendCodec() const {
    std::lock_guard lock(mutex_);
    return sendCodec_;
}

void VideoControls::setTargetKbps(int kbps) {
    std::lock_guard lock(mutex_);
    targetKbps_ = std::max(kbps, 0);
}

std::optional<VideoControls::SendOrder> VideoControls::sendOrder() const {
    std::lock_guard lock(mutex_);
    if (!(captureWanted() && peerReceives_ && stream_ && sendCodec_))
        return std::nullopt;
    return SendOrder{stream_,    second_, config_.quality, *sendCodec_, config_.format.fps,
                     targetKbps_};
}

bool VideoControls::sleepUntil(std::stop_token& stop, std::chrono::steady_clock::time_point until) {
    std::unique_lock lock(mutex_);
    // Wakes early on stop only: a state change re-checks at the next loop turn anyway.
    changed_.wait_until(lock, stop, until, [] { return false; });
    return !stop.stop_requested();
}

} // namespace charla::video
