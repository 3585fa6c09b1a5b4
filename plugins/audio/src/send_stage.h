// Send: the send queue -> encoder (Opus or PCM16) -> one datagram per packet when both sides
// carry datagrams, else an audio.frame call over the "audio" PeerStream. Runs on the sender
// thread; setTarget() (from setCall) says what to send and how.
#pragma once

#include "audio_format.h"
#include "capture_stage.h"
#include "codec.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/media/latency_histogram.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>

namespace charla::audio {

struct AudioStats;

// How packets travel to the peer: datagrams when both sides announce them (params.datagram),
// else audio.frame calls (docs/protocol-audio.md).
enum class Transport { XmlRpc, Datagram };
// Sends one datagram to the peer's audio plugin; false when it was not handed to the kernel.
using DatagramSender = std::function<bool(const std::uint8_t* data, std::size_t size)>;

struct SendConfig {
    int framesPerCall = 1; // frames in one packet (1..kMaxFramesPerPacket)
    int opusBitrate = 16000;
    int opusComplexity = 1;
    std::chrono::milliseconds callTimeout{150};
};

class SendStage {
public:
    SendStage(SendConfig config, SendQueue& queue);

    // Before the workers start: how to send a datagram, and the largest payload it takes.
    void setDatagramSender(DatagramSender sender, std::size_t maxPayload);
    // The codec agreed with the peer (nullopt: send nothing) and the transport.
    void setTarget(std::optional<Codec> codec, Transport transport);
    // A call starts: its figures start afresh.
    void callStarted() { callTime_.reset(); }

    void run(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream);
    void addTo(AudioStats& stats) const;

private:
    const SendConfig config_;
    SendQueue& queue_;
    std::atomic<int> codec_{-1};
    std::atomic<bool> byDatagram_{false};
    DatagramSender datagramSender_;
    std::size_t maxDatagramPayload_ = 0;

    sdk::media::LatencyHistogram callTime_; // audio.frame calls, send to answer
    std::atomic<std::uint64_t> framesSent_{0};
    std::atomic<std::uint64_t> packetsSent_{0};
    std::atomic<std::uint64_t> bytesSent_{0};
    std::atomic<std::uint64_t> sendFailures_{0};
    std::atomic<std::uint64_t> datagramsSent_{0};
};

} // namespace charla::audio
