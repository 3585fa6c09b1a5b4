// Echo cancellation and noise suppression with speexdsp: the echo canceller learns the path from
// what we play (playback(), playout thread) to what the microphone hears (process(), capture
// thread); the preprocessor then removes stationary noise and the echo the filter left over.
//
// The two threads run on two device clocks, so the played frames wait in a short FIFO of our own
// and each captured frame is paired with the oldest one (speex's own speex_echo_playback/capture
// pairing is easily upset by the bursts a blocking capture delivers, and then writes to stderr).
// The FIFO is bounded: if capture stops taking, the oldest reference frames go. Both threads meet
// under one short lock: speex's echo state is not thread-safe.
#pragma once

#include "audio_format.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>

struct SpeexEchoState_;
struct SpeexPreprocessState_;

namespace charla::audio {

class AudioProcessor {
public:
    explicit AudioProcessor(bool enabled = true);
    ~AudioProcessor();
    AudioProcessor(const AudioProcessor&) = delete;
    AudioProcessor& operator=(const AudioProcessor&) = delete;

    void setEnabled(bool enabled) { enabled_ = enabled; }
    bool enabled() const { return enabled_; }

    // Capture thread: cleans one microphone frame in place (a no-op while disabled).
    void process(PcmFrame& frame);
    // Playout thread: the frame just handed to the speaker (the echo reference).
    void playback(const PcmFrame& frame);
    // Forget what was learnt (a new call, other devices).
    void reset();

private:
    void destroyStates();

    std::atomic<bool> enabled_;
    std::mutex mutex_;
    SpeexEchoState_* echo_ = nullptr;
    SpeexPreprocessState_* preprocess_ = nullptr;
    std::deque<PcmFrame> reference_; // played, not yet paired with a captured frame
};

} // namespace charla::audio
