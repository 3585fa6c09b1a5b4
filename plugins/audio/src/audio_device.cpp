#include "audio_device.h"

#include "audio_logging.h"

#include <charla/sdk/media/clocks.h>

#include <portaudio.h>
#include <pthread.h>

#include <algorithm>
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

namespace {
constexpr std::size_t kMaxQueuedInputFrames = 5;
constexpr auto kInputStallLimit = std::chrono::seconds(2);
} // namespace

AudioStream::AudioStream(int device, Direction direction, int bufferSamples, Source source)
    : direction_(direction), source_(std::move(source)),
      lastFrame_(std::chrono::steady_clock::now()) {
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
    // The device's low latency; the callback keeps its own 20 ms framing.
    params.suggestedLatency = input ? info->defaultLowInputLatency : info->defaultLowOutputLatency;
    // The buffer size is also the size of the chunks the sound server hands over (the ALSA pulse
    // plugin asks for its period): see EngineConfig::inputBufferMs.
    const auto fpb = static_cast<unsigned long>(bufferSamples);
    PaStream* stream = nullptr;
    PaError e = Pa_OpenStream(
        &stream, input ? &params : nullptr, input ? nullptr : &params, kSampleRate, fpb, paClipOff,
        [](const void* in, void* out, unsigned long frames, const PaStreamCallbackTimeInfo* time,
           PaStreamCallbackFlags flags,
           void* self) { return AudioStream::callback(in, out, frames, time, flags, self); },
        this);
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
    qCDebug(lcAudio) << (direction_ == Direction::Input ? "input" : "output")
                     << "stream closed:" << xruns_.load() << "device xruns," << overruns_.load()
                     << "frames dropped by the reader";
}

int AudioStream::callback(const void* input, void* output, unsigned long frames,
                          const void* timeInfo, unsigned long flags, void* self) {
    auto* s = static_cast<AudioStream*>(self);
    if (!s->threadNamed_) { // PortAudio's thread: name it for top -H and perf
        pthread_setname_np(pthread_self(),
                           s->direction_ == Direction::Input ? "audio-mic" : "audio-speaker");
        s->threadNamed_ = true;
    }
    if (flags & (paInputOverflow | paOutputUnderflow))
        ++s->xruns_;
    if (s->direction_ == Direction::Input)
        s->onInput(static_cast<const std::int16_t*>(input), frames, timeInfo);
    else
        s->onOutput(static_cast<std::int16_t*>(output), frames, timeInfo);
    return paContinue;
}

void AudioStream::onInput(const std::int16_t* samples, unsigned long count, const void* timeInfo) {
    if (!samples)
        return;
    // The wall-clock time of this buffer's first sample: PortAudio's ADC time, unless it is
    // missing or implausible, then "now minus the buffer's length".
    const auto* t = static_cast<const PaStreamCallbackTimeInfo*>(timeInfo);
    double age = static_cast<double>(count) / kSampleRate;
    if (t && t->inputBufferAdcTime > 0 && t->currentTime >= t->inputBufferAdcTime &&
        t->currentTime - t->inputBufferAdcTime < 1.0)
        age = std::max(age, t->currentTime - t->inputBufferAdcTime);
    const std::int64_t bufferStart =
        sdk::media::wallClockMicros() - static_cast<std::int64_t>(age * 1e6);
    for (unsigned long i = 0; i < count;) {
        if (filled_ == 0)
            fillingMicros_ = bufferStart + static_cast<std::int64_t>(i) * 1'000'000 / kSampleRate;
        const unsigned long n =
            std::min<unsigned long>(count - i, static_cast<unsigned long>(kFrameSamples - filled_));
        std::copy_n(samples + i, n, filling_.begin() + filled_);
        filled_ += static_cast<int>(n);
        i += n;
        if (filled_ == kFrameSamples) {
            filled_ = 0;
            {
                std::lock_guard lock(mutex_);
                if (frames_.size() >= kMaxQueuedInputFrames) {
                    frames_.pop_front();
                    ++overruns_;
                }
                frames_.emplace_back(filling_, fillingMicros_);
            }
            ready_.notify_one();
        }
    }
}

void AudioStream::onOutput(std::int16_t* samples, unsigned long count, const void* timeInfo) {
    const auto* t = static_cast<const PaStreamCallbackTimeInfo*>(timeInfo);
    double dacDelay = 0;
    if (t && t->outputBufferDacTime > t->currentTime &&
        t->outputBufferDacTime - t->currentTime < 1.0)
        dacDelay = t->outputBufferDacTime - t->currentTime;
    for (unsigned long i = 0; i < count;) {
        if (played_ == kFrameSamples) {
            const double ahead = dacDelay + static_cast<double>(i) / kSampleRate;
            if (!source_(playing_, static_cast<std::int64_t>(ahead * 1e6))) {
                std::fill(samples + i, samples + count, std::int16_t{0});
                return;
            }
            played_ = 0;
        }
        const unsigned long n =
            std::min<unsigned long>(count - i, static_cast<unsigned long>(kFrameSamples - played_));
        std::copy_n(playing_.begin() + played_, n, samples + i);
        played_ += static_cast<int>(n);
        i += n;
    }
}

AudioStream::ReadResult AudioStream::read(PcmFrame& frame, std::int64_t& captureMicros,
                                          std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (ready_.wait_for(lock, timeout, [&] { return !frames_.empty(); })) {
        frame = frames_.front().first;
        captureMicros = frames_.front().second;
        frames_.pop_front();
        lastFrame_ = std::chrono::steady_clock::now();
        return ReadResult::Frame;
    }
    lock.unlock();
    if (!healthy())
        return ReadResult::Failed;
    if (std::chrono::steady_clock::now() - lastFrame_ > kInputStallLimit) {
        error_ = "no audio for two seconds";
        return ReadResult::Failed;
    }
    return ReadResult::Timeout;
}

bool AudioStream::healthy() {
    const PaError e = Pa_IsStreamActive(static_cast<PaStream*>(stream_));
    if (e == 1)
        return true;
    error_ = e < 0 ? Pa_GetErrorText(e) : "the device stopped";
    return false;
}

double AudioStream::latencySeconds() const {
    const PaStreamInfo* info = Pa_GetStreamInfo(static_cast<PaStream*>(stream_));
    if (!info)
        return 0;
    return direction_ == Direction::Input ? info->inputLatency : info->outputLatency;
}

} // namespace charla::audio
