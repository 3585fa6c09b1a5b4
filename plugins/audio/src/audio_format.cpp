#include "audio_format.h"

namespace charla::audio {

std::int64_t wallClockMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace charla::audio
