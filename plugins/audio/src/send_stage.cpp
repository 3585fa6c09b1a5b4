#include "send_stage.h"

#include "audio_logging.h"
#include "audio_packet.h"
#include "audio_stats.h"

#include <algorithm>
#include <vector>

namespace charla::audio {

SendStage::SendStage(SendConfig config, SendQueue& queue)
    : config_(config), queue_(queue), callTime_(kLatencyBin, kLatencyRange) {}

void SendStage::setDatagramSender(DatagramSender sender, std::size_t maxPayload) {
    datagramSender_ = std::move(sender);
    maxDatagramPayload_ = maxPayload;
}

void SendStage::setTarget(std::optional<Codec> codec, Transport transport) {
    byDatagram_ = transport == Transport::Datagram && datagramSender_;
    codec_ = codec ? static_cast<int>(*codec) : -1;
}

void SendStage::run(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream) {
    std::unique_ptr<AudioEncoder> encoder;
    std::uint32_t encoderStream = 0;
    std::vector<CapturedFrame> pending;
    const auto batch = static_cast<std::size_t>(
        std::clamp(config_.framesPerCall, 1, static_cast<int>(kMaxFramesPerPacket)));
    while (!stop.stop_requested()) {
        std::optional<CapturedFrame> first = queue_.pop(stop);
        if (!first)
            continue; // woken (the call changed) or stopping
        pending.push_back(std::move(*first));
        for (auto& f : queue_.popAvailable(batch - pending.size()))
            pending.push_back(std::move(f));
        const int codecValue = codec_;
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
        if (byDatagram_ && bytes <= maxDatagramPayload_) {
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
            const auto started = sdk::media::MonotonicClock::now();
            stream->call(kFrameMethod, params, config_.callTimeout);
            callTime_.record(sdk::media::since(started));
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

void SendStage::addTo(AudioStats& s) const {
    s.framesSent = framesSent_;
    s.packetsSent = packetsSent_;
    s.bytesSent = bytesSent_;
    s.sendFailures = sendFailures_;
    s.datagramsSent = datagramsSent_;
    s.callP50Ms = callTime_.percentileMs(50);
    s.callP95Ms = callTime_.percentileMs(95);
    const int codec = codec_;
    s.sendCodec = codec < 0 ? "" : kCodecs.name(static_cast<Codec>(codec));
    s.transport = codec < 0 ? "" : byDatagram_ ? "datagram" : "xmlrpc";
}

} // namespace charla::audio
