#include "audio_processor.h"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

namespace charla::audio {

namespace {
// 100 ms of echo tail: a room, not a hall. The cost grows with the tail.
constexpr int kEchoTailSamples = kSampleRate / 10;
// Reference frames kept for pairing: more than the capture side's usual burst, less than the
// echo tail would make useless.
constexpr std::size_t kMaxReferenceFrames = 8;
} // namespace

AudioProcessor::AudioProcessor(bool enabled) : enabled_(enabled) {}

AudioProcessor::~AudioProcessor() {
    destroyStates();
}

void AudioProcessor::destroyStates() {
    if (preprocess_)
        speex_preprocess_state_destroy(preprocess_);
    if (echo_)
        speex_echo_state_destroy(echo_);
    preprocess_ = nullptr;
    echo_ = nullptr;
    reference_.clear();
}

void AudioProcessor::reset() {
    std::lock_guard lock(mutex_);
    destroyStates();
}

void AudioProcessor::playback(const PcmFrame& frame) {
    if (!enabled_)
        return;
    std::lock_guard lock(mutex_);
    if (!echo_) {
        echo_ = speex_echo_state_init(kFrameSamples, kEchoTailSamples);
        int rate = kSampleRate;
        speex_echo_ctl(echo_, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
        if (preprocess_)
            speex_preprocess_ctl(preprocess_, SPEEX_PREPROCESS_SET_ECHO_STATE, echo_);
    }
    if (reference_.size() >= kMaxReferenceFrames)
        reference_.pop_front();
    reference_.push_back(frame);
}

void AudioProcessor::process(PcmFrame& frame) {
    if (!enabled_)
        return;
    std::lock_guard lock(mutex_);
    if (!preprocess_) {
        preprocess_ = speex_preprocess_state_init(kFrameSamples, kSampleRate);
        int on = 1;
        speex_preprocess_ctl(preprocess_, SPEEX_PREPROCESS_SET_DENOISE, &on);
        if (echo_)
            speex_preprocess_ctl(preprocess_, SPEEX_PREPROCESS_SET_ECHO_STATE, echo_);
    }
    // Without a reference (we are not playing) the echo canceller has nothing to remove.
    if (echo_ && !reference_.empty()) {
        PcmFrame cleaned;
        speex_echo_cancellation(echo_, frame.data(), reference_.front().data(), cleaned.data());
        reference_.pop_front();
        frame = cleaned;
    }
    speex_preprocess_run(preprocess_, frame.data());
}

} // namespace charla::audio
