// The one audio format Charla speaks inside the plugin: 48 kHz mono, 16-bit, 20 ms frames (the
// VoIP norm, and one of Opus's native frame sizes). Devices are opened in this format; PortAudio
// (or the sound server behind it) converts.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace charla::audio {

inline constexpr int kSampleRate = 48000;
inline constexpr int kFrameSamples = 960; // 20 ms at 48 kHz
inline constexpr int kFrameMs = 20;
inline constexpr std::chrono::milliseconds kFrameDuration{kFrameMs};

using PcmFrame = std::array<std::int16_t, kFrameSamples>;

// Samples in a device buffer of `ms` milliseconds.
inline constexpr int bufferSamples(int ms) {
    return kSampleRate / 1000 * ms;
}

} // namespace charla::audio
