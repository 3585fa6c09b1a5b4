// The audio plugin without its widgets: the three worker bodies, the audio.frame and audio.stats
// handlers, and the call state they obey. Headless, so tests drive it without a window.
//
//   capture thread:  microphone (PortAudio callback, 20 ms frames) -> echo/noise processing
//                    -> FrameQueue (bounded, drop oldest)
//   sender thread:   FrameQueue -> encoder (Opus or PCM16) -> one datagram per packet when both
//                    sides carry datagrams, else audio.frame over the "audio" stream
//   datagram thread: (the host's) packet -> validate -> AudioReceiver (jitter buffer), return
//   server threads:  audio.frame -> validate -> AudioReceiver (jitter buffer), return at once
//   playout:         PortAudio's output callback -> AudioReceiver -> decode/conceal -> speaker
//                    (the playout thread only opens the device and watches it)
//
// Media flows only during an active call: setCall() wakes the threads, which open the devices at
// call start and close them when it ends. A device that fails stops only its own direction.
#pragma once

#include "audio_device.h"
#include "audio_processor.h"
#include "audio_receiver.h"
#include "codec.h"
#include "frame_queue.h"
#include "latency_histogram.h"

#include <charla/sdk/channel.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace charla::audio {

struct EngineConfig {
    std::string input;      // device setting (audio_device.h): "", "default", "none" or a name
    std::string output;     // same
    bool processing = true; // echo cancellation + noise suppression
    std::vector<Codec> codecs{Codec::Opus, Codec::Pcm16}; // our preference
    int opusBitrate = 16000;
    int framesPerCall = 1; // 1..5: more saves wire bytes, costs 20 ms of latency each
    int maxDelayMs = 200;  // the jitter buffer's ceiling
    std::chrono::milliseconds callTimeout{150};
    bool datagrams = true; // offer and use datagrams (option audio.transport=auto|xmlrpc)
    // Device buffers, in ms (5, 10 or 20): the latency/CPU trade of the device path. Every buffer
    // wakes PortAudio's thread and the sound-server client's; smaller buffers deliver captured
    // audio sooner (input) or let playout start closer to an arrival (output). The defaults are
    // measured in docs/performance-audio.md.
    int inputBufferMs = 10;
    int outputBufferMs = 20;
    // 0..10: encoder CPU against quality. 1 keeps a direction within 3 % of a core (the encoder
    // at 5 costs twice as much, docs/performance-audio.md); SILK at 16 kbit/s loses little.
    int opusComplexity = 1;
};

// How packets travel to the peer: datagrams when both sides announce them (params.datagram),
// else audio.frame calls (docs/protocol-audio.md).
enum class Transport { XmlRpc, Datagram };
// Sends one datagram to the peer's audio plugin; false when it was not handed to the kernel.
using DatagramSender = std::function<bool(const std::uint8_t* data, std::size_t size)>;

struct AudioStats {
    // Sending
    std::uint64_t framesCaptured = 0;
    std::uint64_t framesSent = 0;
    std::uint64_t packetsSent = 0;
    std::uint64_t bytesSent = 0; // packet bytes before base64
    std::uint64_t sendFailures = 0;
    std::uint64_t queueDropped = 0;
    std::uint64_t datagramsSent = 0; // of packetsSent, those sent as datagrams
    // Receiving by datagram: packets received, and those whose packet was malformed.
    std::uint64_t datagramsReceived = 0;
    std::uint64_t datagramsMalformed = 0;
    // Receiving
    std::uint64_t framesReceived = 0;
    std::uint64_t framesPlayed = 0;
    std::uint64_t framesConcealed = 0;
    std::uint64_t framesLate = 0;
    std::uint64_t framesAbsurd = 0;
    std::uint64_t framesSkipped = 0;
    std::uint64_t decodeErrors = 0;
    std::uint64_t refused = 0;
    int jitterDelayMs = 0;
    int playoutMarginMs = 0; // room left for the arrivals' jitter (AudioReceiver::setStart)
    double lossPercent = 0;  // concealed / (played + concealed)
    // Mouth-to-ear of played frames since the call started (-1: none yet)
    double latencyP50Ms = -1, latencyP95Ms = -1, latencyP99Ms = -1;
    std::uint64_t latencySamples = 0;
    // The same plus PortAudio's estimate of the output path's delay after the hand-off (the
    // device's and sound server's buffers): capture to audible.
    double speakerP50Ms = -1, speakerP95Ms = -1;
    // Duration of audio.frame calls (send to answer)
    double callP50Ms = -1, callP95Ms = -1;
    // Capture timestamp -> arrival here (framing, capture, processing, encoding, transport): the
    // rest of mouth-to-ear is the wait for the output callback (jitter buffer and its phase).
    double arrivalP50Ms = -1, arrivalP95Ms = -1;
    // State
    double inputLevelDb = -100; // dBFS of the last captured frame
    bool capturing = false;
    bool playing = false;
    bool muted = false;
    std::string sendCodec; // "" when not sending
    std::string transport; // "datagram" or "xmlrpc" while sending, else ""
};

class AudioEngine {
public:
    explicit AudioEngine(EngineConfig config);
    ~AudioEngine();

    const EngineConfig& config() const { return config_; }
    // Whether a device is configured for each direction (decided at construction).
    bool hasInput() const { return inputDevice_.has_value(); }
    bool hasOutput() const { return outputDevice_.has_value(); }

    // --- GUI thread (any thread is safe) ---
    // `sendCodec`: the codec agreed with the peer, or nullopt if we must not send.
    void setCall(bool active, std::optional<Codec> sendCodec,
                 Transport transport = Transport::XmlRpc);
    // Before the workers start: how to send a datagram, and the largest payload it takes.
    void setDatagramSender(DatagramSender sender, std::size_t maxPayload);
    void setMuted(bool muted);
    bool muted() const { return muted_; }
    void setProcessing(bool on) { processor_.setEnabled(on); }
    AudioStats stats() const;
    // The latest device problem for the user ("" if none).
    std::string problem() const;
    // Called (from a worker) when the speaker failed: the peer should stop sending to us.
    void setOutputFailedHandler(std::function<void()> handler);

    // --- server threads ---
    xmlrpc_c::value handleFrameCall(const xmlrpc_c::paramList& params);
    xmlrpc_c::value handleStatsCall(const xmlrpc_c::paramList& params) const;
    // --- the host's datagram thread: one packet, never blocks ---
    void handleDatagram(const std::uint8_t* data, std::size_t size);

    // --- worker bodies ---
    void runCapture(std::stop_token stop);
    void runSender(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream);
    void runPlayout(std::stop_token stop);

    // Wakes every worker (the plugin's stop()).
    void wakeAll();

private:
    struct CallState {
        bool active = false;
        std::optional<Codec> sendCodec;
        std::uint64_t callNumber = 0; // bumped when a call becomes active
    };
    CallState callState() const;
    // Waits until `pred(state)` or stop; returns the state then.
    CallState waitFor(std::stop_token stop, const std::function<bool(const CallState&)>& pred);
    // The same, but returns after `timeout` at the latest.
    CallState waitFor(std::stop_token stop, const std::function<bool(const CallState&)>& pred,
                      std::chrono::milliseconds timeout);
    void setProblem(const std::string& problem);

    const EngineConfig config_;
    std::unique_ptr<PortAudioLibrary> portAudio_; // only when a device is wanted
    std::optional<int> inputDevice_;
    std::optional<int> outputDevice_;

    mutable std::mutex stateMutex_;
    std::condition_variable_any stateChanged_;
    CallState state_;
    std::uint64_t wakeups_ = 0;
    std::string problem_;
    std::function<void()> onOutputFailed_;
    std::atomic<bool> outputFailed_{false};

    std::atomic<bool> muted_{false};
    std::atomic<bool> capturing_{false};
    std::atomic<bool> playing_{false};
    std::atomic<int> sendCodec_{-1};
    std::atomic<bool> sendByDatagram_{false};
    DatagramSender datagramSender_;
    std::size_t maxDatagramPayload_ = 0;
    std::atomic<double> inputLevelDb_{-100};

    FrameQueue queue_;
    AudioProcessor processor_;
    AudioReceiver receiver_;
    LatencyHistogram latency_;
    LatencyHistogram latencyToSpeaker_;
    LatencyHistogram callTime_;
    LatencyHistogram arrivalAge_;
    void recordArrival(const AudioPacket& packet);

    std::atomic<std::uint64_t> framesCaptured_{0};
    std::atomic<std::uint64_t> framesSent_{0};
    std::atomic<std::uint64_t> packetsSent_{0};
    std::atomic<std::uint64_t> bytesSent_{0};
    std::atomic<std::uint64_t> sendFailures_{0};
    std::atomic<std::uint64_t> datagramsSent_{0};
    std::atomic<std::uint64_t> datagramsReceived_{0};
    std::atomic<std::uint64_t> datagramsMalformed_{0};
};

} // namespace charla::audio
