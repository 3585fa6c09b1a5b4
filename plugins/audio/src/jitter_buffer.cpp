#include "jitter_buffer.h"

#include <algorithm>

namespace charla::audio {

namespace {

constexpr int kFastDrainGets = 15;     // 0.3 s with two frames or more always waiting
constexpr int kSlowDrainGets = 25;     // 0.5 s with one frame always waiting, at first ...
constexpr int kMaxSlowDrainGets = 500; // ... up to 10 s when draining proved premature
// A late frame this soon after a drain means the drained frame was needed.
constexpr int kDrainRegretGets = 100;
// Stable this long: the slow window halves again.
constexpr int kCalmGets = 500;

// Sequence arithmetic that survives the wrap at 2^32.
std::int32_t distance(std::uint32_t from, std::uint32_t to) {
    return static_cast<std::int32_t>(to - from);
}

} // namespace

JitterBuffer::JitterBuffer(int maxDelayMs)
    : maxFrames_(std::max(2, maxDelayMs / kFrameMs)),
      ring_(static_cast<std::size_t>(maxFrames_) + 2) {}

JitterBuffer::~JitterBuffer() = default;

void JitterBuffer::reset() {
    for (Entry& e : ring_)
        e.present = false;
    started_ = false;
    haveNewest_ = false;
    lastConcealed_ = false;
    getsSinceLate_ = INT32_MAX / 2;
    getsSinceDrain_ = INT32_MAX / 2;
    slowDrainGets_ = kSlowDrainGets;
    resetDrainWindows();
}

void JitterBuffer::resetDrainWindows() {
    for (DrainWindow* w : {&fast_, &slow_}) {
        w->gets = 0;
        w->min = INT32_MAX;
    }
}

int JitterBuffer::available() const {
    int count = 0;
    for (const Entry& e : ring_)
        count += e.present ? 1 : 0;
    return count;
}

int JitterBuffer::bufferedFrames() const {
    if (!haveNewest_)
        return 0;
    if (!started_)
        return available();
    return std::max(0, distance(next_, newest_) + 1);
}

int JitterBuffer::delayMs() const {
    return bufferedFrames() * kFrameMs;
}

void JitterBuffer::skipTo(std::uint32_t seq) {
    while (distance(next_, seq) > 0) {
        Entry& e = entryFor(next_);
        if (e.present && e.seq == next_) {
            e.present = false;
            ++skipped_;
        }
        ++next_;
    }
}

bool JitterBuffer::put(std::uint32_t seq, Codec codec, std::int64_t captureMicros,
                       const std::vector<std::uint8_t>& data) {
    if (started_) {
        const std::int32_t ahead = distance(next_, seq);
        if (ahead == -1 && lastConcealed_) {
            // Missed its turn by one period (that slot was just concealed): play it next, one
            // frame later than planned. The buffer is one frame deeper from now on.
            --next_;
            lastConcealed_ = false;
            ++lateRecovered_;
            getsSinceLate_ = 0;
            if (getsSinceDrain_ < kDrainRegretGets)
                slowDrainGets_ = std::min(kMaxSlowDrainGets, slowDrainGets_ * 2);
        } else if (ahead < 0) {
            return false;
        }
    }
    Entry& e = entryFor(seq);
    if (e.present && e.seq == seq)
        return false; // a duplicate
    if (e.present && started_)
        ++skipped_; // an older frame still in the slot: beyond the ceiling, never to be played
    e.present = true;
    e.seq = seq;
    e.codec = codec;
    e.captureMicros = captureMicros;
    e.data.assign(data.begin(), data.end());
    if (!haveNewest_ || distance(newest_, seq) > 0) {
        newest_ = seq;
        haveNewest_ = true;
    }
    // The ceiling: after a burst, whatever is more than maxFrames behind the newest goes now.
    if (started_ && distance(next_, newest_) + 1 > maxFrames_)
        skipTo(newest_ - static_cast<std::uint32_t>(maxFrames_) + 1);
    return true;
}

JitterBuffer::Slot JitterBuffer::get() {
    Slot slot;
    get(slot);
    return slot;
}

void JitterBuffer::start(std::uint32_t seq) {
    // The backlog that arrived while the speaker was opening is history, not a cushion.
    started_ = true;
    next_ = seq;
    for (Entry& e : ring_) {
        if (e.present && distance(seq, e.seq) < 0) {
            e.present = false;
            ++skipped_;
        }
    }
}

void JitterBuffer::get(Slot& slot, bool spare) {
    if (!started_)
        start(haveNewest_ ? newest_ : 0);
    Entry& e = entryFor(next_);
    slot.present = e.present && e.seq == next_;
    slot.data.clear();
    if (slot.present) {
        slot.codec = e.codec;
        slot.captureMicros = e.captureMicros;
        std::swap(slot.data, e.data); // the entry reuses the slot's old storage next time
        e.present = false;
    }
    lastConcealed_ = !slot.present;
    ++next_;
    if (getsSinceLate_ < INT32_MAX / 2 && ++getsSinceLate_ % kCalmGets == 0)
        slowDrainGets_ = std::max(kSlowDrainGets, slowDrainGets_ / 2);
    if (getsSinceDrain_ < INT32_MAX / 2)
        ++getsSinceDrain_;

    // The drain: a frame that was always waiting beyond the playout point for a whole window
    // was never needed; skip one. The windows restart after each drain.
    const int buffered = bufferedFrames();
    bool drain = false;
    for (DrainWindow* w : {&fast_, &slow_}) {
        // Without spare time, the last frame of cushion is still needed: count it as absent.
        w->min = std::min(w->min, w == &slow_ && !spare ? 0 : buffered);
        const int length = w == &fast_ ? kFastDrainGets : slowDrainGets_;
        if (++w->gets >= length) {
            drain = drain || w->min >= w->aboveFrames;
            w->gets = 0;
            w->min = INT32_MAX;
        }
    }
    if (drain && buffered > 0) {
        resetDrainWindows();
        getsSinceDrain_ = 0;
        skipTo(next_ + 1);
    }
}

} // namespace charla::audio
