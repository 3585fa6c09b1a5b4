// The adaptive jitter buffer: speexdsp's (it picks the delay that minimises delay plus a penalty
// for late frames, over a sliding window of recent arrivals), with a hard ceiling on top so that a
// burst after a stall can never leave the call permanently behind: whatever exceeds the ceiling is
// skipped at once, and speex's own adaptation brings the delay down to its target after that.
//
// Not thread-safe: AudioReceiver serialises access.
#pragma once

#include "codec.h"

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

    // Audio buffered ahead of the playout point, in ms (0 when empty).
    int delayMs() const;
    std::uint64_t skipped() const { return skipped_; } // frames dropped by the ceiling
    void reset();

private:
    int bufferedMs() const;

    JitterBuffer_* jb_ = nullptr;
    const int maxDelayMs_;
    bool started_ = false;        // a get() happened since the last reset
    std::uint32_t newestEnd_ = 0; // timestamp just past the newest stored frame
    bool haveNewest_ = false;
    std::uint64_t skipped_ = 0;
    std::vector<char> scratch_;
};

} // namespace charla::audio
