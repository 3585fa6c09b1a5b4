// The adaptive jitter buffer: speexdsp's (it picks the delay that minimises delay plus a penalty
// for late frames, over a sliding window of recent arrivals), with a hard ceiling on top so that a
// burst after a stall can never leave the call permanently behind: whatever exceeds the ceiling is
// skipped at once, and speex's own adaptation brings the delay down to its target after that.
//
// Not thread-safe: AudioReceiver serialises access.
#pragma once

#include "codec.h"

#include <climits>
#include <cstdint>
#include <vector>

struct JitterBuffer_;

namespace charla::audio {

class JitterBuffer {
public:
    explicit JitterBuffer(int maxDelayMs = 200);
    ~JitterBuffer();
    JitterBuffer(const JitterBuffer&) = delete;
    JitterBuffer& operator=(const JitterBuffer&) = delete;

    // Stores one frame. False if it is too late to be played (not stored).
    bool put(std::uint32_t seq, Codec codec, std::int64_t captureMicros,
             const std::vector<std::uint8_t>& data);

    struct Slot {
        bool present = false; // false: conceal this 20 ms
        Codec codec = Codec::Opus;
        std::int64_t captureMicros = 0;
        std::vector<std::uint8_t> data;
    };
    // The next 20 ms of the playout timeline. Call once per frame period.
    Slot get();
    // The same into `slot`, reusing its storage (no allocation per frame).
    void get(Slot& slot);

    // Audio buffered ahead of the playout point, in ms (0 when empty).
    int delayMs() const;
    // Frames dropped by the ceiling, at start-up, or by the drain (a delay no longer needed).
    std::uint64_t skipped() const { return skipped_; }
    // Whether playout has begun (a get() since the last reset), and frames stored.
    bool started() const { return started_; }
    int available() const;
    void reset();

private:
    int bufferedMs() const;

    JitterBuffer_* jb_ = nullptr;
    const int maxDelayMs_;
    bool started_ = false;        // a get() happened since the last reset
    std::uint32_t newestEnd_ = 0; // timestamp just past the newest stored frame
    bool haveNewest_ = false;
    std::uint64_t skipped_ = 0;
    std::uint64_t drained_ = 0; // of those, skipped by the drain
    struct DrainWindow {
        int length;  // gets
        int aboveMs; // drain if the delay after every get of the window was at least this
        int gets = 0;
        int min = INT32_MAX;
    };
    DrainWindow drainWindows_[2] = {{25, 40}, {250, 20}};
    std::vector<char> scratch_;
    std::vector<char> entry_; // put()'s staging, kept to avoid an allocation per frame
};

} // namespace charla::audio
