#include "audio_receiver.h"

#include "audio_logging.h"

#include <charla/sdk/channel.h>

#include <algorithm>
#include <cstdlib>

namespace charla::audio {

namespace {
// Transit times mix our steady clock with the sender's wall clock: only their differences count.
std::int64_t steadyMicros(AudioReceiver::Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
// A sequence number further than this from where the stream should be now is absurd.
constexpr std::int64_t kMaxSeqSkewFrames = 30 * 1000 / kFrameMs; // 30 s
// Capture times may drift from the sequence's 20 ms grid by this much, plus 1 %.
constexpr std::int64_t kMaxCaptureSkewMicros = 2'000'000;
// After this many absurd frames in a row the sender has evidently restarted its timeline:
// follow it rather than drop everything it sends.
constexpr int kResyncAfterAbsurd = 25;
} // namespace

AudioReceiver::AudioReceiver(int maxDelayMs) : jitter_(maxDelayMs) {}

AudioReceiver::~AudioReceiver() = default;

void AudioReceiver::setEnabled(bool enabled) {
    std::lock_guard lock(mutex_);
    enabled_ = enabled;
    if (!enabled) {
        resetTimelineLocked();
        haveStream_ = false;
    }
}

bool AudioReceiver::plausible(const EncodedFrame& frame, Clock::time_point arrival) const {
    const std::int64_t dseq = static_cast<std::int64_t>(frame.seq) - lastSeq_;
    const auto elapsedFrames =
        std::chrono::duration_cast<std::chrono::milliseconds>(arrival - lastArrival_).count() /
        kFrameMs;
    if (dseq > elapsedFrames + kMaxSeqSkewFrames || dseq < -kMaxSeqSkewFrames)
        return false;
    const std::int64_t gridMicros = dseq * kFrameMs * 1000;
    const std::int64_t skew = std::llabs(frame.captureMicros - lastCapture_ - gridMicros);
    return skew <= kMaxCaptureSkewMicros + std::llabs(gridMicros) / 100;
}

int AudioReceiver::push(const AudioPacket& packet, Clock::time_point arrival) {
    if (!enabled_) {
        ++counters_.refused;
        throw sdk::fault(sdk::kFaultUnavailable,
                         "audio.frame: not receiving audio now (no active call or no output)");
    }
    ++counters_.packets;
    counters_.frames += packet.frames.size();
    int stored = 0;
    std::lock_guard lock(mutex_);
    for (const EncodedFrame& frame : packet.frames) {
        const bool newStream = !haveStream_ || packet.stream != stream_;
        if (!newStream && !plausible(frame, arrival)) {
            ++counters_.absurd;
            if (++absurdRun_ < kResyncAfterAbsurd)
                continue;
            qCInfo(lcAudio) << "the sender's timeline jumped; following it";
        }
        if (newStream || absurdRun_ >= kResyncAfterAbsurd) {
            if (haveStream_)
                qCDebug(lcAudio) << "new audio stream" << packet.stream;
            resetTimelineLocked();
            haveStream_ = true;
            stream_ = packet.stream;
            lastSeq_ = frame.seq;
            lastCapture_ = frame.captureMicros;
            lastArrival_ = arrival;
        }
        absurdRun_ = 0;
        if (!jitter_.put(frame.seq, packet.codec, frame.captureMicros, frame.data)) {
            ++counters_.late;
            continue;
        }
        ++stored;
        recordTransit(steadyMicros(arrival) - frame.captureMicros);
        if (storedSinceReset_ == 0 || static_cast<std::int32_t>(frame.seq - newest_.seq) > 0) {
            havePrevious_ = storedSinceReset_ > 0;
            previous_ = newest_;
            newest_ = {frame.seq, arrival, frame.captureMicros};
        }
        ++storedSinceReset_;
        if (static_cast<std::int32_t>(frame.seq - lastSeq_) > 0) {
            lastSeq_ = frame.seq;
            lastCapture_ = frame.captureMicros;
            lastArrival_ = arrival;
        }
    }
    counters_.accepted += static_cast<std::uint64_t>(stored);
    return stored;
}

AudioReceiver::Output AudioReceiver::pull(Clock::time_point now) {
    JitterBuffer::Slot& slot = slot_; // playout thread only; its storage is reused
    bool streaming = false;
    Output out;
    {
        std::lock_guard lock(mutex_);
        streaming = haveStream_;
        const Jitter jitter = jitterLocked();
        if (streaming && !jitter_.started()) {
            if (jitter_.available() == 0 || storedSinceReset_ < startFrames_) {
                out.waiting = true;
                return out;
            }
            const auto period = devicePeriod_.load();
            if (sinceDue(newest_, jitter, now) >= jitter.margin) {
                jitter_.start(newest_.seq);
            } else if (period < std::chrono::milliseconds(kFrameMs) &&
                       sinceDue(newest_, jitter, now + period) >= jitter.margin) {
                out.waiting = true; // the device asks again soon enough: start then, no cushion
                return out;
            } else if (havePrevious_ && sinceDue(previous_, jitter, now) >= jitter.margin) {
                jitter_.start(previous_.seq); // the newest is the cushion
            } else {
                out.waiting = true;
                return out;
            }
        }
        if (streaming)
            jitter_.get(slot, sinceDue(newest_, jitter, now) >= jitter.margin);
        counters_.delayMs = jitter_.delayMs();
    }
    if (resetDecoders_.exchange(false))
        decoders_.clear();
    if (!streaming) {
        out.waiting = true;
        return out; // nobody is talking to us: silence, not a loss
    }
    const Codec codec = slot.present ? slot.codec : lastCodec_;
    auto& decoder = decoders_[codec];
    if (!decoder)
        decoder = std::make_unique<AudioDecoder>(codec);
    lastCodec_ = codec;
    if (!slot.present) {
        decoder->conceal(out.pcm);
        ++counters_.concealed;
        return out;
    }
    if (!decoder->decode(slot.data.data(), slot.data.size(), out.pcm)) {
        ++counters_.decodeErrors;
        ++counters_.concealed;
        return out;
    }
    ++counters_.played;
    out.real = true;
    out.captureMicros = slot.captureMicros;
    return out;
}

void AudioReceiver::resetTimelineLocked() {
    jitter_.reset();
    storedSinceReset_ = 0;
    transitCount_ = 0;
    transitNext_ = 0;
    resetDecoders_ = true;
}

void AudioReceiver::recordTransit(std::int64_t transitMicros) {
    transit_[transitNext_] = transitMicros;
    transitNext_ = (transitNext_ + 1) % kTransitWindow;
    transitCount_ = std::min(transitCount_ + 1, kTransitWindow);
}

AudioReceiver::Jitter AudioReceiver::jitterLocked() const {
    Jitter jitter;
    const auto floor = startMargin_.load();
    jitter.margin = floor;
    if (floor.count() == 0 || transitCount_ < 2)
        return jitter; // no margin wanted (tests), or nothing to measure yet
    // Late arrivals matter, early ones (a capture timestamp's noise) do not: max minus median.
    std::array<std::int64_t, kTransitWindow> sorted{};
    std::copy_n(transit_.begin(), transitCount_, sorted.begin());
    const auto end = sorted.begin() + static_cast<std::ptrdiff_t>(transitCount_);
    std::nth_element(sorted.begin(),
                     sorted.begin() + static_cast<std::ptrdiff_t>(transitCount_ / 2), end);
    const std::int64_t median = sorted[transitCount_ / 2];
    const std::int64_t latest = *std::max_element(sorted.begin(), end);
    constexpr std::int64_t kGuardMicros = 1000; // the device callback's own jitter
    jitter.measured = true;
    jitter.medianMicros = median;
    jitter.margin = std::chrono::microseconds(
        std::clamp<std::int64_t>(latest - median + kGuardMicros, floor.count(), kFrameMs * 1000));
    return jitter;
}

std::chrono::microseconds AudioReceiver::sinceDue(const Arrival& frame, const Jitter& jitter,
                                                  Clock::time_point now) const {
    if (!jitter.measured)
        return std::chrono::duration_cast<std::chrono::microseconds>(now - frame.at);
    return std::chrono::microseconds(steadyMicros(now) - frame.captureMicros - jitter.medianMicros);
}

std::chrono::microseconds AudioReceiver::margin() const {
    std::lock_guard lock(mutex_);
    return jitterLocked().margin;
}

int AudioReceiver::delayMs() const {
    return counters_.delayMs;
}

std::uint64_t AudioReceiver::skipped() const {
    std::lock_guard lock(mutex_);
    return jitter_.skipped();
}

} // namespace charla::audio
