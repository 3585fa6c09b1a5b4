// The clocks of a media pipeline. Timestamps that travel to the peer are wall-clock (the two hosts
// share no other clock; their difference is the path's latency plus the clocks' offset); anything
// measured on one host is monotonic. Header only (no ABI), like the rest of charla/sdk/media.
#pragma once

#include <chrono>
#include <cstdint>

namespace charla::sdk::media {

using MonotonicClock = std::chrono::steady_clock;
// Latencies and durations in fractional milliseconds: any std::chrono duration converts to it.
using Millis = std::chrono::duration<double, std::milli>;

// Microseconds since the Unix epoch on the wall clock: capture timestamps.
inline std::int64_t wallClockMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The same in milliseconds (with the microseconds as the fraction).
inline double wallClockMs() {
    return static_cast<double>(wallClockMicros()) / 1000.0;
}

// Microseconds on the monotonic clock (an arbitrary origin): only differences mean anything.
inline std::int64_t monotonicMicros(MonotonicClock::time_point t = MonotonicClock::now()) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// How long ago `start` was, on the monotonic clock.
inline Millis since(MonotonicClock::time_point start) {
    return MonotonicClock::now() - start;
}

} // namespace charla::sdk::media
