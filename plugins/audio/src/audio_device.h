// PortAudio, wrapped: the library's lifetime, the device list, and callback-mode 48 kHz mono
// 16-bit streams that deliver or request one 20 ms frame at a time. The device's clock stays in
// charge of pacing: playout pulls exactly as fast as the speaker consumes.
//
// PortAudio's open/close/initialise calls are not thread-safe; this file serialises them.
#pragma once

#include "audio_format.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace charla::audio {

// Device settings: "" (or "default") is the system default, "none" is no device, anything else
// a PortAudio device name.
inline constexpr char kNoDevice[] = "none";

// One Pa_Initialize/Pa_Terminate pair (reference-counted by PortAudio itself).
class PortAudioLibrary {
public:
    PortAudioLibrary();
    ~PortAudioLibrary();
    PortAudioLibrary(const PortAudioLibrary&) = delete;
    PortAudioLibrary& operator=(const PortAudioLibrary&) = delete;
    bool ok() const { return ok_; }
    const std::string& error() const { return error_; }

private:
    bool ok_ = false;
    std::string error_;
};

struct DeviceInfo {
    int index = -1;
    std::string name;
    std::string hostApi;
    int inputChannels = 0;
    int outputChannels = 0;
};

std::vector<DeviceInfo> listDevices(); // needs a live PortAudioLibrary

struct DeviceChoice {
    std::optional<int> index; // nullopt: no device
    std::string problem;      // why there is none, if a device was wanted
};
DeviceChoice resolveDevice(const std::string& setting, bool input);

// A 48 kHz mono 16-bit stream in PortAudio's callback mode, opened at the device's low latency.
// Callbacks run on PortAudio's thread and never wait for another thread beyond a short lock.
//
// Input: the callback assembles 20 ms frames, stamps each with the wall-clock time of its first
// sample (PortAudio's inputBufferAdcTime, i.e. including the sound server's capture delay) and
// queues them (a few frames; the oldest goes when the reader falls behind); read() takes them.
// Output: the callback asks `source` for the next 20 ms whenever it has handed the previous one
// to the device, so nothing waits between the jitter buffer and the device's buffer.
class AudioStream {
public:
    enum class Direction { Input, Output };
    // Output only. Called on PortAudio's callback thread to fill the next frame, at the moment
    // its first sample goes to the device. `dacDelayMicros`: PortAudio's estimate of how long
    // until that sample is audible (the device's and sound server's buffers). Returning false
    // means "nothing to start with yet": the rest of this device buffer is silence and the source
    // is asked again at the next one, so playout starts (and keeps its 20 ms rhythm) in phase
    // with the first frame's arrival instead of with the moment the device opened.
    using Source = std::function<bool(PcmFrame& pcm, std::int64_t dacDelayMicros)>;

    // Opens and starts the stream with device buffers of `bufferSamples` (a divisor of the
    // 20 ms frame). Throws std::runtime_error with a message for the user.
    AudioStream(int device, Direction direction, int bufferSamples, Source source = {});
    ~AudioStream();
    AudioStream(const AudioStream&) = delete;
    AudioStream& operator=(const AudioStream&) = delete;

    enum class ReadResult { Frame, Timeout, Failed };
    // Input: waits up to `timeout` for the next frame. Failed (with error()) when the device
    // stopped or delivered nothing for two seconds.
    ReadResult read(PcmFrame& frame, std::int64_t& captureMicros,
                    std::chrono::milliseconds timeout);
    // Output: false (with error()) once the device has stopped.
    bool healthy();
    double latencySeconds() const; // PortAudio's estimate for this stream
    const std::string& error() const { return error_; }
    const std::string& deviceName() const { return name_; }
    // Device over/underflows and, for input, frames dropped because the reader fell behind.
    std::uint64_t xruns() const { return xruns_; }
    std::uint64_t overruns() const { return overruns_; }

private:
    static int callback(const void* input, void* output, unsigned long frames, const void* timeInfo,
                        unsigned long flags, void* self);
    void onInput(const std::int16_t* samples, unsigned long count, const void* timeInfo);
    void onOutput(std::int16_t* samples, unsigned long count, const void* timeInfo);

    void* stream_ = nullptr; // PaStream*
    std::string name_;
    std::string error_;
    Direction direction_;
    Source source_;
    std::atomic<std::uint64_t> xruns_{0};
    std::atomic<std::uint64_t> overruns_{0};
    bool threadNamed_ = false; // callback thread only

    // Input: the frame being assembled (callback thread) and the finished ones.
    PcmFrame filling_{};
    std::int64_t fillingMicros_ = 0;
    int filled_ = 0;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::pair<PcmFrame, std::int64_t>> frames_;
    std::chrono::steady_clock::time_point lastFrame_;

    // Output: the frame being played out (callback thread).
    PcmFrame playing_{};
    int played_ = kFrameSamples;
};

} // namespace charla::audio
