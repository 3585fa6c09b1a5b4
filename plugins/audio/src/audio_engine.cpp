#include "audio_engine.h"

#include "audio_device.h"
#include "audio_logging.h"
#include "audio_packet.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/fault.h>
#include <charla/sdk/media/pipeline_stats.h>
#include <charla/sdk/media/stats_fields.h>

namespace charla::audio {

namespace {

constexpr std::size_t kQueueFrames = 5; // 100 ms: the most the sender may fall behind
// Playout takes a frame at least this long after its arrival, more when arrivals jitter more
// (AudioReceiver::setStart): room for the jitter, far less than the 20 ms a frame of cushion costs.
constexpr std::chrono::microseconds kStartMargin{2000};
// ... and once this many frames of the stream have arrived (200 ms: past the start-up's jitter).
constexpr int kStartFrames = 10;

} // namespace

AudioEngine::Devices AudioEngine::openDevices(const EngineConfig& config) {
    Devices d;
    if (config.input != kNoDevice || config.output != kNoDevice)
        d.portAudio = std::make_unique<PortAudioLibrary>();
    auto resolve = [&](const std::string& setting, bool input) -> std::optional<int> {
        if (setting == kNoDevice)
            return std::nullopt;
        if (!d.portAudio->ok()) {
            d.problems += "PortAudio is unavailable: " + d.portAudio->error() + ". ";
            return std::nullopt;
        }
        DeviceChoice choice = resolveDevice(setting, input);
        if (!choice.problem.empty())
            d.problems += choice.problem + ". ";
        return choice.index;
    };
    d.input = resolve(config.input, true);
    d.output = resolve(config.output, false);
    return d;
}

AudioEngine::AudioEngine(EngineConfig config)
    : config_(std::move(config)), devices_(openDevices(config_)), queue_(kQueueFrames),
      processor_(config_.processing), receiver_(config_.maxDelayMs),
      capture_({devices_.input, config_.inputBufferMs, call_, problem_}, processor_, queue_),
      sender_(
          {config_.framesPerCall, config_.opusBitrate, config_.opusComplexity, config_.callTimeout},
          queue_),
      receive_(receiver_),
      playout_({devices_.output, config_.outputBufferMs, call_, problem_}, receiver_, processor_),
      ring_({devices_.output, config_.outputBufferMs, call_, problem_}) {
    receiver_.setStart(kStartMargin, kStartFrames,
                       std::chrono::milliseconds(config_.outputBufferMs));
    if (!devices_.problems.empty())
        problem_.set(devices_.problems);
}

AudioEngine::~AudioEngine() = default;

void AudioEngine::setDatagramSender(DatagramSender sender, std::size_t maxPayload) {
    sender_.setDatagramSender(std::move(sender), maxPayload);
}

void AudioEngine::setCall(bool active, std::optional<Codec> sendCodec, Transport transport) {
    call_.change([&](CallState& state) {
        if (active && !state.active) {
            ++state.callNumber;
            playout_.callStarted(); // a new call tries the speaker again
            sender_.callStarted();
            receive_.callStarted();
        }
        state.active = active;
        state.sendCodec = active ? sendCodec : std::nullopt;
    });
    sender_.setTarget(active ? sendCodec : std::nullopt, transport);
    receiver_.setEnabled(active && devices_.output && !playout_.failed());
    if (!active)
        queue_.clear();
    call_.notify();
    queue_.wake();
}

void AudioEngine::setRing(Ring ring) {
    call_.change([&](CallState& state) { state.ring = ring; });
    call_.notify();
}

void AudioEngine::setMuted(bool muted) {
    capture_.setMuted(muted);
}

void AudioEngine::wakeAll() {
    call_.notify();
    queue_.wake();
}

void AudioEngine::setOutputFailedHandler(std::function<void()> handler) {
    playout_.setFailedHandler(std::move(handler));
}

std::string AudioEngine::problem() const {
    return problem_.get();
}

void AudioEngine::runCapture(std::stop_token stop) {
    capture_.run(stop);
}

void AudioEngine::runSender(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream) {
    sender_.run(stop, std::move(stream));
}

void AudioEngine::runPlayout(std::stop_token stop) {
    playout_.run(stop);
}

void AudioEngine::runRing(std::stop_token stop) {
    ring_.run(stop);
}

xmlrpc_c::value AudioEngine::handleFrameCall(const xmlrpc_c::paramList& params) {
    return receive_.handleFrameCall(params);
}

void AudioEngine::handleDatagram(const std::uint8_t* data, std::size_t size) {
    receive_.handleDatagram(data, size);
}

AudioStats AudioEngine::stats() const {
    return sdk::media::gatherStats<AudioStats>(capture_, sender_, receive_, playout_, ring_);
}

xmlrpc_c::value AudioEngine::handleStatsCall(const xmlrpc_c::paramList& params) const {
    if (params.size() != 0)
        throw sdk::fault(sdk::kFaultBadParams, "audio.stats takes no parameters");
    const AudioStats s = stats();
    auto i = [](std::uint64_t v) {
        return xmlrpc_c::value_int(static_cast<int>(std::min<std::uint64_t>(v, INT32_MAX)));
    };
    sdk::media::StatsStruct m{
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
        {"frames_rung", i(s.framesRung)},
        {"frames_concealed", i(s.framesConcealed)},
        {"frames_late", i(s.framesLate)},
        {"frames_absurd", i(s.framesAbsurd)},
        {"frames_skipped", i(s.framesSkipped)},
        {"decode_errors", i(s.decodeErrors)},
        {"refused", i(s.refused)},
        {"jitter_delay_ms", xmlrpc_c::value_int(s.jitterDelayMs)},
        {"playout_margin_ms", xmlrpc_c::value_int(s.playoutMarginMs)},
        {"loss_percent", xmlrpc_c::value_double(s.lossPercent)},
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
    sdk::media::putPercentiles(m, "latency", s.latency);
    return xmlrpc_c::value_struct(m);
}

} // namespace charla::audio
