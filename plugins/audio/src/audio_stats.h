// What audio.stats reports (docs/protocol-audio.md): each pipeline stage fills its part
// (addTo), AudioEngine::stats() gathers them.
#pragma once

#include <charla/sdk/media/clocks.h>
#include <charla/sdk/media/latency_histogram.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace charla::audio {

// Every audio latency histogram (mouth-to-ear, call time, arrival): 1 ms bins up to 2 s.
inline constexpr sdk::media::Millis kLatencyBin{1};
inline constexpr sdk::media::Millis kLatencyRange{2000};

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
    std::uint64_t framesRung = 0; // 20 ms frames of ringtone or ringback tone played
    std::uint64_t framesConcealed = 0;
    std::uint64_t framesLate = 0;
    std::uint64_t framesAbsurd = 0;
    std::uint64_t framesSkipped = 0;
    std::uint64_t decodeErrors = 0;
    std::uint64_t refused = 0;
    int jitterDelayMs = 0;
    int playoutMarginMs = 0; // room left for the arrivals' jitter (AudioReceiver::setStart)
    double lossPercent = 0;  // concealed / (played + concealed)
    // Mouth-to-ear of played frames since the call started
    sdk::media::LatencyBins latency;
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

} // namespace charla::audio
