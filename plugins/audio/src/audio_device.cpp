#include "audio_device.h"

#include "audio_logging.h"

#include <portaudio.h>

#include <mutex>
#include <stdexcept>

namespace charla::audio {

namespace {
std::mutex& paMutex() {
    static std::mutex m;
    return m;
}
} // namespace

PortAudioLibrary::PortAudioLibrary() {
    std::lock_guard lock(paMutex());
    const PaError e = Pa_Initialize();
    ok_ = e == paNoError;
    if (!ok_) {
        error_ = Pa_GetErrorText(e);
        qCWarning(lcAudio) << "PortAudio failed to initialise:" << error_.c_str();
    }
}

PortAudioLibrary::~PortAudioLibrary() {
    std::lock_guard lock(paMutex());
    if (ok_)
        Pa_Terminate();
}

std::vector<DeviceInfo> listDevices() {
    std::lock_guard lock(paMutex());
    std::vector<DeviceInfo> out;
    const int count = Pa_GetDeviceCount();
    for (int i = 0; i < count; ++i) {
        const PaDeviceInfo* d = Pa_GetDeviceInfo(i);
        if (!d)
            continue;
        DeviceInfo info;
        info.index = i;
        info.name = d->name ? d->name : "";
        const PaHostApiInfo* api = Pa_GetHostApiInfo(d->hostApi);
        info.hostApi = api && api->name ? api->name : "";
        info.inputChannels = d->maxInputChannels;
        info.outputChannels = d->maxOutputChannels;
        out.push_back(std::move(info));
    }
    return out;
}

DeviceChoice resolveDevice(const std::string& setting, bool input) {
    DeviceChoice choice;
    const char* kind = input ? "microphone" : "speaker";
    if (setting == kNoDevice)
        return choice;
    if (setting.empty() || setting == "default") {
        PaDeviceIndex index = paNoDevice;
        {
            std::lock_guard lock(paMutex());
            index = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
        }
        if (index == paNoDevice)
            choice.problem = std::string("no default ") + kind + " found";
        else
            choice.index = index;
        return choice;
    }
    for (const DeviceInfo& d : listDevices()) {
        if (d.name == setting && (input ? d.inputChannels : d.outputChannels) > 0) {
            choice.index = d.index;
            return choice;
        }
    }
    choice.problem = std::string(kind) + " \"" + setting + "\" is not available";
    return choice;
}

AudioStream::AudioStream(int device, Direction direction) : direction_(direction) {
    std::lock_guard lock(paMutex());
    const PaDeviceInfo* info = Pa_GetDeviceInfo(device);
    if (!info)
        throw std::runtime_error("audio device #" + std::to_string(device) + " does not exist");
    name_ = info->name ? info->name : "";
    const bool input = direction == Direction::Input;
    PaStreamParameters params{};
    params.device = device;
    params.channelCount = 1;
    params.sampleFormat = paInt16;
    // Low latency, but at least one frame: the blocking API moves whole frames.
    const double low = input ? info->defaultLowInputLatency : info->defaultLowOutputLatency;
    params.suggestedLatency = low > 0.02 ? low : 0.02;
    PaStream* stream = nullptr;
    PaError e = Pa_OpenStream(&stream, input ? &params : nullptr, input ? nullptr : &params,
                              kSampleRate, kFrameSamples, paClipOff, nullptr, nullptr);
    if (e == paNoError) {
        e = Pa_StartStream(stream);
        if (e != paNoError)
            Pa_CloseStream(stream);
    }
    if (e != paNoError)
        throw std::runtime_error("cannot open " + std::string(input ? "microphone" : "speaker") +
                                 " \"" + name_ + "\": " + Pa_GetErrorText(e));
    stream_ = stream;
}

AudioStream::~AudioStream() {
    std::lock_guard lock(paMutex());
    auto* stream = static_cast<PaStream*>(stream_);
    Pa_AbortStream(stream);
    Pa_CloseStream(stream);
}

bool AudioStream::read(PcmFrame& frame) {
    const PaError e = Pa_ReadStream(static_cast<PaStream*>(stream_), frame.data(), kFrameSamples);
    if (e == paNoError || e == paInputOverflowed)
        return true;
    error_ = Pa_GetErrorText(e);
    return false;
}

bool AudioStream::write(const PcmFrame& frame) {
    const PaError e = Pa_WriteStream(static_cast<PaStream*>(stream_), frame.data(), kFrameSamples);
    if (e == paNoError || e == paOutputUnderflowed)
        return true;
    error_ = Pa_GetErrorText(e);
    return false;
}

double AudioStream::latencySeconds() const {
    const PaStreamInfo* info = Pa_GetStreamInfo(static_cast<PaStream*>(stream_));
    if (!info)
        return 0;
    return direction_ == Direction::Input ? info->inputLatency : info->outputLatency;
}

} // namespace charla::audio
