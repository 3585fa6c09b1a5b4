#include "receive_stage.h"

#include "audio_logging.h"
#include "audio_stats.h"

#include <charla/sdk/media/clocks.h>

#include <chrono>

namespace charla::audio {

ReceiveStage::ReceiveStage(AudioReceiver& receiver)
    : receiver_(receiver), arrivalAge_(kLatencyBin, kLatencyRange) {}

xmlrpc_c::value ReceiveStage::handleFrameCall(const xmlrpc_c::paramList& params) {
    const AudioPacket packet = parseFrameParams(params);
    const int stored = receiver_.push(packet);
    recordArrival(packet);
    return xmlrpc_c::value_int(stored);
}

void ReceiveStage::recordArrival(const AudioPacket& packet) {
    const std::int64_t now = sdk::media::wallClockMicros();
    for (const EncodedFrame& f : packet.frames)
        arrivalAge_.record(std::chrono::microseconds(now - f.captureMicros));
}

void ReceiveStage::handleDatagram(const std::uint8_t* data, std::size_t size) {
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

void ReceiveStage::addTo(AudioStats& s) const {
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
    s.arrivalP50Ms = arrivalAge_.percentileMs(50);
    s.arrivalP95Ms = arrivalAge_.percentileMs(95);
}

} // namespace charla::audio
