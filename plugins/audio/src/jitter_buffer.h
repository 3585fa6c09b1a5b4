// The jitter buffer: frames in by sequence number (any order, any time), one 20 ms frame out per
// playout period. Its rules are those of issue 3: a frame that is not there when its turn comes
// is concealed, never waited for; latency never accumulates.
//
//   - Playout starts at the newest frame (what arrived before the speaker opened is history).
//   - The cushion is zero frames by default: a frame is played in the first period after it
//     arrives. A frame that misses its turn by one period (its slot was just concealed) is played
//     next all the same, which moves playout one frame later: that is how the buffer grows, one
//     frame per late arrival, without waiting for anything.
//   - It shrinks with a short memory: when for 0.5 s (0.3 s for a cushion of two frames or more) a
//     frame was always waiting beyond the playout point, one frame is skipped. When a late frame
//     follows such a drain within 2 s, the drain was premature: the 0.5 s window doubles (up to
//     10 s), so that real jitter does not make the buffer oscillate; 10 s without a late frame
//     halve it again. (At 1 s, an isolated late frame kept 5-7 % of a call's frames 20 ms
//     later: enough to set the 95th percentile; docs/performance-audio.md.)
//     (speexdsp's buffer, used before, keeps a late arrival in mind for ~20 s: one late frame at
//     the start of a call cost 20 ms for 20 s; docs/performance-audio.md.)
//   - A hard ceiling: whatever lies beyond `maxDelayMs` after a burst is skipped at once.
//
// Not thread-safe: AudioReceiver serialises access.
#pragma once

#include "codec.h"

#include <climits>
#include <cstdint>
#include <vector>

namespace charla::audio {

class JitterBuffer {
public:
    explicit JitterBuffer(int maxDelayMs = 200);
    ~JitterBuffer();
    JitterBuffer(const JitterBuffer&) = delete;
    JitterBuffer& operator=(const JitterBuffer&) = delete;

    // Stores one frame. False if it is too late to be played, or a duplicate (not stored).
    bool put(std::uint32_t seq, Codec codec, std::int64_t captureMicros,
             const std::vector<std::uint8_t>& data);

    struct Slot {
        bool present = false; // false: conceal this 20 ms
        Codec codec = Codec::Opus;
        std::int64_t captureMicros = 0;
        std::vector<std::uint8_t> data;
    };
    // Begins playout at `seq`: older frames are skipped, newer ones stay as cushion. Without it,
    // the first get() begins at the newest frame.
    void start(std::uint32_t seq);
    // The next 20 ms of the playout timeline. Call once per frame period.
    Slot get();
    // The same into `slot`, reusing its storage (no allocation per frame). `spare`: the newest
    // frame has waited long enough that playing one frame sooner would still leave room for the
    // arrivals' jitter (AudioReceiver knows the clock; the buffer only counts periods). The last
    // frame of cushion is drained only after a whole window of spare periods.
    void get(Slot& slot, bool spare = true);

    // Audio buffered ahead of the playout point, in ms (0 when empty).
    int delayMs() const;
    // Frames dropped by the ceiling, at start-up, or by the drain (a delay no longer needed).
    std::uint64_t skipped() const { return skipped_; }
    // Frames played one period late (each made the buffer one frame deeper).
    std::uint64_t lateRecovered() const { return lateRecovered_; }
    // Whether playout has begun (a get() since the last reset), and frames stored.
    bool started() const { return started_; }
    int available() const;
    void reset();

private:
    struct Entry {
        bool present = false;
        std::uint32_t seq = 0;
        Codec codec = Codec::Opus;
        std::int64_t captureMicros = 0;
        std::vector<std::uint8_t> data;
    };
    Entry& entryFor(std::uint32_t seq) { return ring_[seq % ring_.size()]; }
    int bufferedFrames() const;     // frames from the playout point to the newest, after a get
    void skipTo(std::uint32_t seq); // drops everything before seq, counting what was present
    void resetDrainWindows();

    const int maxFrames_;
    std::vector<Entry> ring_;
    bool started_ = false;
    std::uint32_t next_ = 0; // the seq the next get() plays
    bool haveNewest_ = false;
    std::uint32_t newest_ = 0;
    bool lastConcealed_ = false; // the period just played had no frame
    std::uint64_t skipped_ = 0;
    std::uint64_t lateRecovered_ = 0;
    int getsSinceLate_ = INT32_MAX / 2;
    int getsSinceDrain_ = INT32_MAX / 2;
    int slowDrainGets_ = 25; // the slow window's length now (grows when a drain was premature)
    struct DrainWindow {
        int aboveFrames; // drain if this many frames were waiting after every get of the window
        int gets = 0;
        int min = INT32_MAX;
    };
    DrainWindow fast_{2}, slow_{1};
};

} // namespace charla::audio
