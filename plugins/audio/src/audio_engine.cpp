#include "audio_engine.h"

#include "audio_device.h"
#include "audio_logging.h"
#include "audio_packet.h"

#include <charla/sdk/channel.h>

#include <cmath>
#include <random>

namespace charla::audio {

namespace {

constexpr std::size_t kQueueFrames = 5; // 100 ms: the most the sender may fall behind
// How often the device threads look at the call state and the device's health.
constexpr std::chrono::milliseconds kDeviceWait{100};
// Playout takes a frame at least this long after its arrival, more when arrivals jitter more
// (AudioReceiver::setStart): room for the jitter, far less than the 20 ms a frame of cushion costs.
constexpr std::chrono::microseconds kStartMargin{2000};
// ... and once this many frames of the stream have arrived (200 ms: past the start-up's jitter).
constexpr int kStartFrames = 10;

double levelDb(const PcmFrame& pcm) {
    double sum = 0;
    for (std::int16_t s : pcm)
        sum += static_cast<double>(s) * s;
    const double rms = std::sqrt(sum / kFrameSamples) / 32768.0;
    return rms > 1e-5 ? 20 * std::log10(rms) : -100;
}

int bufferSamples(int ms) {
    return kSampleRate / 1000 * ms;
}

std::uint32_t randomStreamId() {
    static std::mutex m;
    static std::mt19937 rng{std::random_device{}()};
    std::lock_guard lock(m);
    return static_cast<std::uint32_t>(rng());
}

} // namespace

AudioEngine::AudioEngine(EngineConfig config)
    : config_(std::move(config)), queue_(kQueueFrames), processor_(config_.processing),
      receiver_(config_.maxDelayMs) {
    receiver_.setStart(kStartMargin, kStartFrames,
                       std::chrono::milliseconds(config_.outputBufferMs));
    std::string problems;
    if (config_.input != kNoDevice || config_.output != kNoDevice)
        portAudio_ = std::make_unique<PortAudioLibrary>();
    auto resolve = [&](const std::string& setting, bool input) -> std::optional<int> {
        if (setting == kNoDevice)
            return std::nullopt;
        if (!portAudio_->ok()) {
            problems += "PortAudio is unavailable: " + portAudio_->error() + ". ";
            return std::nullopt;
        }
        DeviceChoice choice = resolveDevice(setting, input);
        if (!choice.problem.empty())
            problems += choice.problem + ". ";
        return choice.index;
    };
    inputDevice_ = resolve(config_.input, true);
    outputDevice_ = resolve(config_.output, false);
    if (!problems.empty()) {
        problem_ = problems;
        qCWarning(lcAudio).noquote() << problems.c_str();
    }
}

AudioEngine::~AudioEngine() = default;

void AudioEngine::setDatagramSender(DatagramSender sender, std::size_t maxPayload) {
    datagramSender_ = std::move(sender);
    maxDatagramPayload_ = maxPayload;
}

void AudioEngine::setCall(bool active, std::optional<Codec> sendCodec, Transport transport) {
    {
        std::lock_guard lock(stateMutex_);
        if (active && !state_.active) {
            ++state_.callNumber;
            latency_.reset();
            latencyToSpeaker_.reset();
            callTime_.reset();
            arrivalAge_.reset();
            outputFailed_ = false; // a new call tries the devices again
        }
        state_.active = active;
        state_.sendCodec = active ? sendCodec : std::nullopt;
    }
    sendByDatagram_ = transport == Transport::Datagram && datagramSender_;
    sendCodec_ = active && sendCodec ? static_cast<int>(*sendCodec) : -1;
    receiver_.setEnabled(active && outputDevice_ && !outputFailed_);
    if (!active)
        queue_.clear();
    stateChanged_.notify_all();
    queue_.wake();
}

void AudioEngine::setMuted(bool muted) {
    muted_ = muted;
}

void AudioEngine::wakeAll() {
    {
        std::lock_guard lock(stateMutex_);
        ++wakeups_;
    }
    stateChanged_.notify_all();
    queue_.wake();
}

void AudioEngine::setOutputFailedHandler(std::function<void()> handler) {
    std::lock_guard lock(stateMutex_);
    onOutputFailed_ = std::move(handler);
}

AudioEngine::CallState AudioEngine::callState() const {
    std::lock_guard lock(stateMutex_);
    return state_;
}

AudioEngine::CallState AudioEngine::waitFor(std::stop_token stop,
                                            const std::function<bool(const CallState&)>& pred) {
    std::unique_lock lock(stateMutex_);
    stateChanged_.wait(lock, stop, [&] { return pred(state_); });
    return state_;
}

AudioEngine::CallState AudioEngine::waitFor(std::stop_token stop,
                                            const std::function<bool(const CallState&)>& pred,
                                            std::chrono::milliseconds timeout) {
    std::unique_lock lock(stateMutex_);
    stateChanged_.wait_for(lock, stop, timeout, [&] { return pred(state_); });
    return state_;
}

void AudioEngine::setProblem(const std::string& problem) {
    qCWarning(lcAudio).noquote() << problem.c_str();
    std::lock_guard lock(stateMutex_);
    problem_ = problem;
}

std::string AudioEngine::problem() const {
    std::lock_guard lock(stateMutex_);
    return problem_;
}

void AudioEngine::runCapture(std::stop_token stop) {
    if (!inputDevice_)
        return;                   // nothing to capture, ever: the thread is not needed
    std::uint64_t failedCall = 0; // the call in which the microphone failed
    while (!stop.stop_requested()) {
        const CallState call = waitFor(stop, [&](const CallState& s) {
            return s.active && s.sendCodec && s.callNumber != failedCall;
        });
        if (stop.stop_requested())
            return;
        std::unique_ptr<AudioStream> mic;
        try {
            mic = std::make_unique<AudioStream>(*inputDevice_, AudioStream::Direction::Input,
                                                bufferSamples(config_.inputBufferMs));
        } catch (const std::exception& e) {
            setProblem(std::string(e.what()) + "; the call continues without sending audio");
            failedCall = call.callNumber;
            continue;
        }
        qCInfo(lcAudio).noquote() << "capturing from" << mic->deviceName().c_str() << "latency"
                                  << mic->latencySeconds() * 1000 << "ms";
        capturing_ = true;
        processor_.reset();
        const std::uint32_t stream = randomStreamId();
        std::uint32_t seq = 0;
        CapturedFrame frame;
        frame.stream = stream;
        while (!stop.stop_requested()) {
            const CallState now = callState();
            if (!now.active || !now.sendCodec || now.callNumber != call.callNumber)
                break;
            // The timestamp is the device's (ADC time of the first sample), not the read's.
            const auto result = mic->read(frame.pcm, frame.captureMicros, kDeviceWait);
            if (result == AudioStream::ReadResult::Timeout)
                continue;
            if (result == AudioStream::ReadResult::Failed) {
                setProblem("the microphone failed (" + mic->error() +
                           "); the call continues without sending audio");
                failedCall = call.callNumber;
                break;
            }
            frame.seq = seq++; // muted frames keep their numbers: the receiver sees a gap
            ++framesCaptured_;
            inputLevelDb_ = levelDb(frame.pcm);
            if (muted_)
                continue;
            processor_.process(frame.pcm);
            queue_.push(frame);
        }
        capturing_ = false;
        inputLevelDb_ = -100;
        qCInfo(lcAudio) << "capture stopped";
    }
}

void AudioEngine::runSender(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream) {
    std::unique_ptr<AudioEncoder> encoder;
    std::uint32_t encoderStream = 0;
    std::vector<CapturedFrame> pending;
    const auto batch = static_cast<std::size_t>(
        std::clamp(config_.framesPerCall, 1, static_cast<int>(kMaxFramesPerPacket)));
    while (!stop.stop_requested()) {
        std::optional<CapturedFrame> first = queue_.take(stop);
        if (!first)
            continue; // woken (the call changed) or stopping
        pending.push_back(*first);
        for (auto& f : queue_.takeAvailable(batch - pending.size()))
            pending.push_back(std::move(f));
        const int codecValue = sendCodec_;
        if (codecValue < 0 || !stream) {
            pending.clear();
            continue;
        }
        if (pending.size() < batch)
            continue;
        const Codec codec = static_cast<Codec>(codecValue);
        // A new stream (call) or codec starts a fresh encoder: its state belongs to one stream.
        if (!encoder || encoder->codec() != codec || encoderStream != pending.front().stream) {
            encoder =
                std::make_unique<AudioEncoder>(codec, config_.opusBitrate, config_.opusComplexity);
            encoderStream = pending.front().stream;
        }
        AudioPacket packet;
        packet.codec = codec;
        packet.stream = pending.front().stream;
        for (const CapturedFrame& f : pending) {
            if (f.stream != packet.stream)
                continue; // a leftover of the previous call
            packet.frames.push_back({f.seq, f.captureMicros, encoder->encode(f.pcm)});
        }
        pending.clear();
        if (packet.frames.empty())
            continue;
        std::size_t bytes = kPacketHeaderBytes;
        for (const auto& f : packet.frames)
            bytes += kFrameHeaderBytes + f.data.size();
        // A packet too large for a datagram (several PCM16 frames) still goes by XML-RPC.
        if (sendByDatagram_ && bytes <= maxDatagramPayload_) {
            const std::vector<std::uint8_t> wire = serializePacket(packet);
            if (datagramSender_(wire.data(), wire.size())) {
                framesSent_ += packet.frames.size();
                ++packetsSent_;
                ++datagramsSent_;
                bytesSent_ += wire.size();
            } else {
                ++sendFailures_; // socket buffer full: this packet is lost, the next may not be
            }
            continue;
        }
        const xmlrpc_c::paramList params = toFrameParams(packet);
        try {
            const auto started = std::chrono::steady_clock::now();
            stream->call(kFrameMethod, params, config_.callTimeout);
            callTime_.record(std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count());
            framesSent_ += packet.frames.size();
            ++packetsSent_;
            bytesSent_ += bytes;
        } catch (const sdk::PeerCallError& e) {
            if (stop.stop_requested())
                return;
            ++sendFailures_;
            qCDebug(lcAudio) << "audio.frame failed:" << e.what();
        }
    }
}

void AudioEngine::runPlayout(std::stop_token stop) {
    if (!outputDevice_)
        return;
    while (!stop.stop_requested()) {
        const CallState call =
            waitFor(stop, [&](const CallState& s) { return s.active && !outputFailed_; });
        if (stop.stop_requested())
            return;
        std::unique_ptr<AudioStream> speaker;
        // On PortAudio's callback thread, whenever the device takes the next 20 ms: that moment
        // is the hand-off the mouth-to-ear figure ends at.
        auto source = [this](PcmFrame& pcm, std::int64_t dacDelayMicros) {
            const AudioReceiver::Output out = receiver_.pull();
            if (out.waiting)
                return false;
            processor_.playback(out.pcm);
            pcm = out.pcm;
            if (out.real) {
                const std::int64_t age = wallClockMicros() - out.captureMicros;
                latency_.record(age);
                latencyToSpeaker_.record(age + dacDelayMicros);
            }
            return true;
        };
        try {
            speaker = std::make_unique<AudioStream>(*outputDevice_, AudioStream::Direction::Output,
                                                    bufferSamples(config_.outputBufferMs), source);
        } catch (const std::exception& e) {
            setProblem(std::string(e.what()) + "; the call continues without playing audio");
        }
        if (speaker) {
            qCInfo(lcAudio).noquote() << "playing to" << speaker->deviceName().c_str() << "latency"
                                      << speaker->latencySeconds() * 1000 << "ms";
            playing_ = true;
            while (!stop.stop_requested()) {
                const CallState now = waitFor(
                    stop,
                    [&](const CallState& s) {
                        return !s.active || s.callNumber != call.callNumber;
                    },
                    kDeviceWait);
                if (!now.active || now.callNumber != call.callNumber)
                    break;
                if (!speaker->healthy()) {
                    setProblem("the speaker failed (" + speaker->error() +
                               "); the call continues without playing audio");
                    speaker.reset();
                    break;
                }
            }
            playing_ = false;
            if (speaker) {
                speaker.reset();
                continue; // the call changed: wait for the next state
            }
        }
        // The speaker is gone for this call: stop accepting frames and tell the plugin, which
        // tells the peer that we no longer receive.
        outputFailed_ = true;
        receiver_.setEnabled(false);
        std::function<void()> handler;
        {
            std::lock_guard lock(stateMutex_);
            handler = onOutputFailed_;
        }
        if (handler)
            handler();
    }
}

xmlrpc_c::value AudioEngine::handleFrameCall(const xmlrpc_c::paramList& params) {
    const AudioPacket packet = parseFrameParams(params);
    const int stored = receiver_.push(packet);
    recordArrival(packet);
    return xmlrpc_c::value_int(stored);
}

void AudioEngine::recordArrival(const AudioPacket& packet) {
    const std::int64_t now = wallClockMicros();
    for (const EncodedFrame& f : packet.frames)
        arrivalAge_.record(now - f.captureMicros);
}

void AudioEngine::handleDatagram(const std::uint8_t* data, std::size_t size) {
    ++datagramsReceived_;
    AudioPacket packet;
    try {
        packet = parsePacket(data, size);
    } catch (const xmlrpc_c::fault& f) {
        ++datagramsMalformed_;
        qCDebug(lcAudio) << "dropped an audio datagram:" << f.getDescription().c_str();
        return;
    }
    try {
        receiver_.push(packet);
        recordArrival(packet);
    } catch (const xmlrpc_c::fault&) {
        // Not receiving now (no call, no speaker): counted as refused by the receiver.
    }
}

AudioStats AudioEngine::stats() const {
    AudioStats s;
    s.framesCaptured = framesCaptured_;
    s.framesSent = framesSent_;
    s.packetsSent = packetsSent_;
    s.bytesSent = bytesSent_;
    s.sendFailures = sendFailures_;
    s.queueDropped = queue_.dropped();
    s.datagramsSent = datagramsSent_;
    s.datagramsReceived = datagramsReceived_;
    s.datagramsMalformed = datagramsMalformed_;
    const ReceiverCounters& c = receiver_.counters();
    s.framesReceived = c.frames;
    s.framesPlayed = c.played;
    s.framesConcealed = c.concealed;
    s.framesLate = c.late;
    s.framesAbsurd = c.absurd;
    s.framesSkipped = receiver_.skipped();
    s.decodeErrors = c.decodeErrors;
    s.refused = c.refused;
    s.jitterDelayMs = receiver_.delayMs();
    s.playoutMarginMs = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(receiver_.margin()).count());
    const double total = static_cast<double>(s.framesPlayed + s.framesConcealed);
    s.lossPercent = total > 0 ? 100.0 * static_cast<double>(s.framesConcealed) / total : 0;
    s.latencySamples = latency_.count();
    s.latencyP50Ms = latency_.percentileMs(50);
    s.latencyP95Ms = latency_.percentileMs(95);
    s.latencyP99Ms = latency_.percentileMs(99);
    s.speakerP50Ms = latencyToSpeaker_.percentileMs(50);
    s.speakerP95Ms = latencyToSpeaker_.percentileMs(95);
    s.callP50Ms = callTime_.percentileMs(50);
    s.callP95Ms = callTime_.percentileMs(95);
    s.arrivalP50Ms = arrivalAge_.percentileMs(50);
    s.arrivalP95Ms = arrivalAge_.percentileMs(95);
    s.inputLevelDb = inputLevelDb_;
    s.capturing = capturing_;
    s.playing = playing_;
    s.muted = muted_;
    const int codec = sendCodec_;
    s.sendCodec = codec < 0 ? "" : codecName(static_cast<Codec>(codec));
    s.transport = codec < 0 ? "" : sendByDatagram_ ? "datagram" : "xmlrpc";
    return s;
}

xmlrpc_c::value AudioEngine::handleStatsCall(const xmlrpc_c::paramList& params) const {
    if (params.size() != 0)
        throw xmlrpc_c::fault("audio.stats takes no parameters",
                              xmlrpc_c::fault::code_t(sdk::kFaultBadParams));
    const AudioStats s = stats();
    auto i = [](std::uint64_t v) {
        return xmlrpc_c::value_int(static_cast<int>(std::min<std::uint64_t>(v, INT32_MAX)));
    };
    std::map<std::string, xmlrpc_c::value> m{
        {"frames_captured", i(s.framesCaptured)},
        {"frames_sent", i(s.framesSent)},
        {"packets_sent", i(s.packetsSent)},
        {"bytes_sent", i(s.bytesSent)},
        {"send_failures", i(s.sendFailures)},
        {"queue_dropped", i(s.queueDropped)},
        {"datagrams_sent", i(s.datagramsSent)},
        {"datagrams_received", i(s.datagramsReceived)},
        {"datagrams_malformed", i(s.datagramsMalformed)},
        {"transport", xmlrpc_c::value_string(s.transport)},
        {"frames_received", i(s.framesReceived)},
        {"frames_played", i(s.framesPlayed)},
        {"frames_concealed", i(s.framesConcealed)},
        {"frames_late", i(s.framesLate)},
        {"frames_absurd", i(s.framesAbsurd)},
        {"frames_skipped", i(s.framesSkipped)},
        {"decode_errors", i(s.decodeErrors)},
        {"refused", i(s.refused)},
        {"jitter_delay_ms", xmlrpc_c::value_int(s.jitterDelayMs)},
        {"playout_margin_ms", xmlrpc_c::value_int(s.playoutMarginMs)},
        {"loss_percent", xmlrpc_c::value_double(s.lossPercent)},
        {"latency_p50_ms", xmlrpc_c::value_double(s.latencyP50Ms)},
        {"latency_p95_ms", xmlrpc_c::value_double(s.latencyP95Ms)},
        {"latency_p99_ms", xmlrpc_c::value_double(s.latencyP99Ms)},
        {"latency_samples", i(s.latencySamples)},
        {"speaker_p50_ms", xmlrpc_c::value_double(s.speakerP50Ms)},
        {"speaker_p95_ms", xmlrpc_c::value_double(s.speakerP95Ms)},
        {"call_p50_ms", xmlrpc_c::value_double(s.callP50Ms)},
        {"call_p95_ms", xmlrpc_c::value_double(s.callP95Ms)},
        {"arrival_p50_ms", xmlrpc_c::value_double(s.arrivalP50Ms)},
        {"arrival_p95_ms", xmlrpc_c::value_double(s.arrivalP95Ms)},
        {"input_level_db", xmlrpc_c::value_double(s.inputLevelDb)},
        {"capturing", xmlrpc_c::value_boolean(s.capturing)},
        {"playing", xmlrpc_c::value_boolean(s.playing)},
        {"muted", xmlrpc_c::value_boolean(s.muted)},
        {"send_codec", xmlrpc_c::value_string(s.sendCodec)},
    };
    return xmlrpc_c::value_struct(m);
}

} // namespace charla::audio
