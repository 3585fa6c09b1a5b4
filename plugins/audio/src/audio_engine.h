// The audio plugin without its widgets: the pipeline's four stages, the audio.frame and
// audio.stats handlers, and the call state they obey. Headless, so tests drive it without a window.
//
//   capture thread:  CaptureStage: microphone (PortAudio callback, 20 ms frames) -> echo/noise
//                    processing -> SendQueue (bounded, drop oldest)
//   sender thread:   SendStage: SendQueue -> encoder (Opus or PCM16) -> one datagram per packet
//                    when both sides carry datagrams, else audio.frame over the "audio" stream
//   datagram thread: ReceiveStage: (the host's) packet -> validate -> AudioReceiver (jitter
//   server threads:  buffer); audio.frame -> the same, returning at once
//   playout:         PlayoutStage: PortAudio's output callback -> AudioReceiver -> decode/conceal
//                    -> speaker (the playout thread only opens the device and watches it)
//   ring:            RingStage: the ringtone / ringback tone while a call rings (its own thread
//                    opens the speaker for as long as the call rings)
//
// Media flows only during an active call: setCall() wakes the threads, which open the devices at
// call start and close them when it ends. A device that fails stops only its own direction.
#pragma once

#include "audio_device.h"
#include "audio_processor.h"
#include "audio_receiver.h"
#include "audio_stats.h"
#include "call_watch.h"
#include "capture_stage.h"
#include "codec.h"
#include "playout_stage.h"
#include "receive_stage.h"
#include "ring_stage.h"
#include "send_stage.h"

#include <charla/sdk/channel.h>

#include <chrono>
#include <functional>
#include <memory>
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

class AudioEngine {
public:
    explicit AudioEngine(EngineConfig config);
    ~AudioEngine();

    const EngineConfig& config() const { return config_; }
    // Whether a device is configured for each direction (decided at construction).
    bool hasInput() const { return devices_.input.has_value(); }
    bool hasOutput() const { return devices_.output.has_value(); }

    // --- GUI thread (any thread is safe) ---
    // `sendCodec`: the codec agreed with the peer, or nullopt if we must not send.
    void setCall(bool active, std::optional<Codec> sendCodec,
                 Transport transport = Transport::XmlRpc);
    // Before the workers start: how to send a datagram, and the largest payload it takes.
    void setDatagramSender(DatagramSender sender, std::size_t maxPayload);
    // The tone for a call not answered yet (Ring::None: silence).
    void setRing(Ring ring);
    void setMuted(bool muted);
    bool muted() const { return capture_.muted(); }
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
    void runRing(std::stop_token stop);

    // Wakes every worker (the plugin's stop()).
    void wakeAll();

private:
    struct Devices {
        std::unique_ptr<PortAudioLibrary> portAudio; // only when a device is wanted
        std::optional<int> input;
        std::optional<int> output;
        std::string problems; // "" when both are as configured
    };
    static Devices openDevices(const EngineConfig& config);

    const EngineConfig config_;
    Devices devices_;

    CallWatch call_;
    DeviceProblem problem_;
    SendQueue queue_;
    AudioProcessor processor_;
    AudioReceiver receiver_;
    // The pipeline's stages, each on its own thread(s) (see the top of this file).
    CaptureStage capture_;
    SendStage sender_;
    ReceiveStage receive_;
    PlayoutStage playout_;
    RingStage ring_;
};

} // namespace charla::audio
