// The receiving half: audio.frame packets in (server threads), 20 ms of PCM out (playout thread).
//
//   handler: validated packet -> stream checks (new stream? absurd seq/time?) -> jitter buffer
//   playout: jitter buffer -> decode, or conceal a missing frame -> PCM
//
// The handler only copies into the jitter buffer under a short lock; decoding happens on the
// playout thread. Counters are atomics, readable from any thread without blocking media.
#pragma once

#include "audio_packet.h"
#include "jitter_buffer.h"

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>

namespace charla::audio {

struct ReceiverCounters {
    std::atomic<std::uint64_t> packets{0};  // audio.frame calls accepted for processing
    std::atomic<std::uint64_t> frames{0};   // frames in those packets
    std::atomic<std::uint64_t> accepted{0}; // stored in the jitter buffer
    std::atomic<std::uint64_t> late{0};     // arrived after their playout time, or duplicates
    std::atomic<std::uint64_t> absurd{0};   // sequence or capture time inconsistent with the stream
    std::atomic<std::uint64_t> refused{0};  // calls while not receiving (fault 503)
    std::atomic<std::uint64_t> decodeErrors{0};
    std::atomic<std::uint64_t> played{0};    // frames decoded from real packets
    std::atomic<std::uint64_t> concealed{0}; // frames concealed (lost or late)
    std::atomic<int> delayMs{0};             // jitter-buffer delay after the last pull
};

class AudioReceiver {
public:
    using Clock = std::chrono::steady_clock;

    explicit AudioReceiver(int maxDelayMs = 200);
    ~AudioReceiver();

    // Whether frames are wanted (a call is active and we can play). Disabling forgets the stream.
    void setEnabled(bool enabled);
    bool enabled() const { return enabled_; }

    // Any thread. Returns the number of frames stored. Throws xmlrpc_c::fault with
    // sdk::kFaultUnavailable while disabled.
    int push(const AudioPacket& packet, Clock::time_point arrival = Clock::now());

    struct Output {
        PcmFrame pcm{};
        bool real = false;              // decoded from a received frame (not concealment)
        std::int64_t captureMicros = 0; // of that frame
        // Playout has not started: no frame yet, or the newest arrived less than the start
        // margin ago. `pcm` is silence; the caller may ask again sooner than in 20 ms.
        bool waiting = false;
    };
    // Playout thread: the next 20 ms.
    Output pull(Clock::time_point now = Clock::now());

    // Playout of a stream starts once `frames` of it have arrived (a sound server's start-up is
    // irregular), with the newest frame that arrived at least the margin ago: that sets the phase
    // of the playout rhythm against the arrivals, leaving room for their jitter rather than a
    // whole frame. The older frames are skipped; a newer one (it came less than the margin before
    // the device asked) stays as cushion, and is drained later only when the margin allows it.
    // The margin is how much later than usual frames arrived in the last second (the largest
    // transit time minus the median, plus 1 ms), at least `margin`, at most a frame. It counts
    // from when a frame was due (its capture time plus the median transit), not from when it
    // happened to arrive, so one early or late arrival does not set the phase for the call.
    // `devicePeriod`: how often the device asks while playout waits (its buffer); when it asks
    // again before the next frame is due, waiting for the newest frame to reach the margin beats
    // starting a whole frame behind. Default 0, 0, 20 ms: at once, with the newest frame.
    void setStart(std::chrono::microseconds margin, int frames,
                  std::chrono::microseconds devicePeriod = std::chrono::milliseconds(kFrameMs)) {
        startMargin_ = margin;
        startFrames_ = frames;
        devicePeriod_ = devicePeriod;
    }

    const ReceiverCounters& counters() const { return counters_; }
    int delayMs() const;
    std::uint64_t skipped() const;
    // The playout margin now (see setStart).
    std::chrono::microseconds margin() const;

private:
    bool plausible(const EncodedFrame& frame, Clock::time_point arrival) const;
    // A stream ends or begins: the jitter buffer, the start count, the transit times and the
    // decoders start afresh.
    void resetTimelineLocked();
    void recordTransit(std::int64_t transitMicros);
    // The last second's arrivals. Until two transit times are known (`measured` false), the
    // margin is the floor and counts from a frame's own arrival.
    struct Jitter {
        bool measured = false;
        std::int64_t medianMicros = 0;
        std::chrono::microseconds margin{0};
    };
    Jitter jitterLocked() const;
    struct Arrival;
    // How long before `now` the frame was due (see setStart); negative when it is early.
    std::chrono::microseconds sinceDue(const Arrival& frame, const Jitter& jitter,
                                       Clock::time_point now) const;

    std::atomic<bool> enabled_{false};
    mutable std::mutex mutex_; // jitter buffer and stream state
    JitterBuffer jitter_;
    bool haveStream_ = false;
    std::uint32_t stream_ = 0;
    std::uint32_t lastSeq_ = 0;
    std::int64_t lastCapture_ = 0;
    Clock::time_point lastArrival_{};
    int absurdRun_ = 0;
    // The newest frame stored and the one before it, with their arrival: where playout starts.
    struct Arrival {
        std::uint32_t seq = 0;
        Clock::time_point at{};
        std::int64_t captureMicros = 0;
    };
    Arrival newest_, previous_;
    bool havePrevious_ = false;
    // Transit times (arrival, on our steady clock, minus capture time, on the sender's wall
    // clock: only their differences mean something) of the last second's frames.
    static constexpr std::size_t kTransitWindow = 50;
    std::array<std::int64_t, kTransitWindow> transit_{};
    std::size_t transitCount_ = 0;
    std::size_t transitNext_ = 0;
    std::atomic<std::chrono::microseconds> startMargin_{std::chrono::microseconds(0)};
    std::atomic<int> startFrames_{0};
    std::atomic<std::chrono::microseconds> devicePeriod_{std::chrono::milliseconds(kFrameMs)};
    int storedSinceReset_ = 0; // frames stored since the jitter buffer was last reset
    std::atomic<bool> resetDecoders_{false};

    // Playout thread only.
    JitterBuffer::Slot slot_;
    std::map<Codec, std::unique_ptr<AudioDecoder>> decoders_;
    Codec lastCodec_ = Codec::Opus;

    ReceiverCounters counters_;
};

} // namespace charla::audio
