#include "jitter_buffer.h"

#include <speex/speex_jitter.h>

#include <algorithm>
#include <cstring>

namespace charla::audio {

namespace {

// Each stored entry: codec byte, capture time, then the codec data.
constexpr std::size_t kEntryHeader = 1 + sizeof(std::int64_t);
constexpr std::size_t kMaxEntry = kEntryHeader + kPcm16FrameBytes;

// Timestamps are in ms: frame `seq` starts at seq * 20 (wrapping at 2^32 ms, 49 days).
std::uint32_t timestampOf(std::uint32_t seq) {
    return seq * static_cast<std::uint32_t>(kFrameMs);
}

bool later(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a - b) > 0;
}

} // namespace

JitterBuffer::JitterBuffer(int maxDelayMs)
    : jb_(jitter_buffer_init(kFrameMs)), maxDelayMs_(maxDelayMs), scratch_(kMaxEntry) {
    auto* jb = jb_;
    spx_int32_t step = kFrameMs;
    jitter_buffer_ctl(jb, JITTER_BUFFER_SET_DELAY_STEP, &step);
    spx_int32_t concealment = kFrameMs;
    jitter_buffer_ctl(jb, JITTER_BUFFER_SET_CONCEALMENT_SIZE, &concealment);
}

JitterBuffer::~JitterBuffer() {
    jitter_buffer_destroy(jb_);
}

void JitterBuffer::reset() {
    jitter_buffer_reset(jb_);
    started_ = false;
    haveNewest_ = false;
    for (DrainWindow& w : drainWindows_) {
        w.gets = 0;
        w.min = INT32_MAX;
    }
}

bool JitterBuffer::put(std::uint32_t seq, Codec codec, std::int64_t captureMicros,
                       const std::vector<std::uint8_t>& data) {
    auto* jb = jb_;
    const std::uint32_t ts = timestampOf(seq);
    if (data.size() + kEntryHeader > kMaxEntry)
        return false;
    // A frame whose turn has passed is still handed to speex: its lateness is what teaches the
    // buffer to grow. Speex then discards it.
    bool late = false;
    if (started_) {
        const auto pointer = static_cast<std::uint32_t>(jitter_buffer_get_pointer_timestamp(jb));
        late = !later(ts + kFrameMs, pointer);
    }
    std::vector<char>& entry = entry_;
    entry.resize(kEntryHeader + data.size());
    entry[0] = static_cast<char>(codec);
    std::memcpy(entry.data() + 1, &captureMicros, sizeof captureMicros);
    if (!data.empty())
        std::memcpy(entry.data() + kEntryHeader, data.data(), data.size());

    JitterBufferPacket packet{};
    packet.data = entry.data();
    packet.len = static_cast<spx_uint32_t>(entry.size());
    packet.timestamp = ts;
    packet.span = kFrameMs;
    packet.sequence = static_cast<spx_uint16_t>(seq);
    packet.user_data = 0;
    jitter_buffer_put(jb, &packet);
    if (late) {
        return false;
    }
    if (!haveNewest_ || later(ts + kFrameMs, newestEnd_)) {
        newestEnd_ = ts + kFrameMs;
        haveNewest_ = true;
    }
    return true;
}

int JitterBuffer::bufferedMs() const {
    auto* jb = jb_;
    if (!haveNewest_)
        return 0;
    if (!started_) {
        spx_int32_t count = 0;
        jitter_buffer_ctl(jb, JITTER_BUFFER_GET_AVAILABLE_COUNT, &count);
        return count * kFrameMs;
    }
    const auto pointer = static_cast<std::uint32_t>(jitter_buffer_get_pointer_timestamp(jb));
    const auto ahead = static_cast<std::int32_t>(newestEnd_ - pointer);
    return ahead > 0 ? ahead : 0;
}

int JitterBuffer::available() const {
    spx_int32_t count = 0;
    jitter_buffer_ctl(jb_, JITTER_BUFFER_GET_AVAILABLE_COUNT, &count);
    return count;
}

int JitterBuffer::delayMs() const {
    return bufferedMs();
}

JitterBuffer::Slot JitterBuffer::get() {
    Slot slot;
    get(slot);
    return slot;
}

void JitterBuffer::get(Slot& slot) {
    auto* jb = jb_;
    // The ceiling, checked before and after speex's get: after a long gap speex resynchronises to
    // the oldest frame it holds, which can put the playout point far behind the newest frame.
    // Whatever lies beyond the ceiling is skipped, oldest first.
    constexpr int kMaxSkipsPerGet = 1000; // frames beyond a 20 s ceiling cannot be buffered
    int guard = 0;
    auto next = [&](JitterBufferPacket& packet) {
        packet.data = scratch_.data();
        packet.len = static_cast<spx_uint32_t>(scratch_.size());
        spx_int32_t offset = 0;
        const int result = jitter_buffer_get(jb, &packet, kFrameMs, &offset);
        jitter_buffer_tick(jb);
        started_ = true;
        return result;
    };
    // The first get after a (re)start: whatever arrived before playout began (the speaker takes
    // a while to open) is history, not a cushion. Keep only the newest frame, so that the call
    // starts at the target delay instead of draining a backlog slowly from the ceiling down.
    if (!started_) {
        spx_int32_t count = 0;
        jitter_buffer_ctl(jb, JITTER_BUFFER_GET_AVAILABLE_COUNT, &count);
        for (; count > 1 && guard < kMaxSkipsPerGet; --count, ++guard) {
            JitterBufferPacket dropped{};
            next(dropped);
            ++skipped_;
        }
    }
    JitterBufferPacket packet{};
    int result = JITTER_BUFFER_MISSING;
    for (;;) {
        while (started_ && bufferedMs() > maxDelayMs_ && guard++ < kMaxSkipsPerGet) {
            JitterBufferPacket dropped{};
            next(dropped);
            ++skipped_;
        }
        result = next(packet);
        if (bufferedMs() <= maxDelayMs_ || guard++ >= kMaxSkipsPerGet)
            break;
        ++skipped_; // a stale frame from before the resynchronisation
    }
    // The drain: speex remembers late arrivals for ~20 s (its 1000-packet window) and keeps the
    // delay up all that time, after a stall or after one late frame alike. A frame that was
    // always waiting beyond the playout point was never needed: if for 0.5 s at least two
    // frames, or for 5 s at least one frame, were always buffered after get, skip one.
    const int buffered = bufferedMs();
    bool drain = false;
    for (DrainWindow& w : drainWindows_) {
        w.min = std::min(w.min, buffered);
        if (++w.gets >= w.length) {
            drain = drain || w.min >= w.aboveMs;
            w.gets = 0;
            w.min = INT32_MAX;
        }
    }
    if (drain && result == JITTER_BUFFER_OK) {
        for (DrainWindow& w : drainWindows_) { // start both windows afresh
            w.gets = 0;
            w.min = INT32_MAX;
        }
        ++skipped_;
        ++drained_;
        result = next(packet);
    }
    slot.present = false;
    slot.data.clear();
    if (result == JITTER_BUFFER_OK && packet.len >= kEntryHeader) {
        if (auto codec = codecFromWire(static_cast<std::uint8_t>(packet.data[0]))) {
            slot.present = true;
            slot.codec = *codec;
            std::memcpy(&slot.captureMicros, packet.data + 1, sizeof slot.captureMicros);
            slot.data.assign(packet.data + kEntryHeader, packet.data + packet.len);
        }
    }
}

} // namespace charla::audio
