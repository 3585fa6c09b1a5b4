// PortAudio, wrapped: the library's lifetime, the device list, and blocking 48 kHz mono 16-bit
// streams that read or write one 20 ms frame at a time. The blocking API keeps the device's clock
// in charge of pacing: the playout thread runs exactly as fast as the speaker consumes.
//
// PortAudio's open/close/initialise calls are not thread-safe; this file serialises them.
#pragma once

#include "audio_format.h"

#include <optional>
#include <string>
#include <vector>

namespace charla::audio {

// Device settings: "" (or "default") is the system default, "none" is no device, anything else
// a PortAudio device name.
inline constexpr char kNoDevice[] = "none";

struct DeviceInfo {
    int index = -1;
    std::string name;
    std::string hostApi;
    int inputChannels = 0;
    int outputChannels = 0;
};

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

std::vector<DeviceInfo> listDevices(); // needs a live PortAudioLibrary

struct DeviceChoice {
    std::optional<int> index; // nullopt: no device
    std::string problem;      // why there is none, if a device was wanted
};
DeviceChoice resolveDevice(const std::string& setting, bool input);

class AudioStream {
public:
    enum class Direction { Input, Output };
    // Opens and starts the stream. Throws std::runtime_error with a message for the user.
    AudioStream(int device, Direction direction);
    ~AudioStream();
    AudioStream(const AudioStream&) = delete;
    AudioStream& operator=(const AudioStream&) = delete;

    // Blocking. Over/underflows are not errors; false (with error()) when the device failed.
    bool read(PcmFrame& frame);
    bool write(const PcmFrame& frame);
    double latencySeconds() const; // PortAudio's estimate for this stream
    const std::string& error() const { return error_; }
    const std::string& deviceName() const { return name_; }

private:
    void* stream_ = nullptr; // PaStream*
    std::string name_;
    std::string error_;
    Direction direction_;
};

} // namespace charla::audio
