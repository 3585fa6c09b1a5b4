// Receive: audio.frame calls (server threads) and datagrams (the host's datagram thread) ->
// validate -> AudioReceiver (the jitter buffer), returning at once; decoding is playout's.
#pragma once

#include "audio_packet.h"
#include "audio_receiver.h"

#include <charla/sdk/media/latency_histogram.h>

#include <xmlrpc-c/base.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace charla::audio {

struct AudioStats;

class ReceiveStage {
public:
    explicit ReceiveStage(AudioReceiver& receiver);

    xmlrpc_c::value handleFrameCall(const xmlrpc_c::paramList& params);
    // One packet, never blocks.
    void handleDatagram(const std::uint8_t* data, std::size_t size);
    // A call starts: its figures start afresh.
    void callStarted() { arrivalAge_.reset(); }
    void addTo(AudioStats& stats) const;

private:
    void recordArrival(const AudioPacket& packet);

    AudioReceiver& receiver_;
    // Capture timestamp -> arrival here.
    sdk::media::LatencyHistogram arrivalAge_;
    std::atomic<std::uint64_t> datagramsReceived_{0};
    std::atomic<std::uint64_t> datagramsMalformed_{0};
};

} // namespace charla::audio
