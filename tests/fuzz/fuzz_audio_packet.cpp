// The audio plugin's decoder: the audio.frame packet parser on raw bytes (the base64 payload as
// it arrives), then what the receiver does with an accepted packet: stream checks, the jitter
// buffer and the Opus/PCM decoder with concealment.
// Properties: an accepted packet serializes back to exactly the input bytes, and
// parseFrameParams agrees with parsePacket.
#include "fuzz_common.h"

#include "audio_packet.h"
#include "audio_receiver.h"

#include <chrono>
#include <vector>

using namespace charla;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    audio::AudioPacket packet;
    try {
        packet = audio::parsePacket(data, size);
    } catch (const xmlrpc_c::fault& f) {
        CHARLA_FUZZ_CHECK(f.getCode() == -32602, "fault code " + std::to_string(f.getCode()));
        return 0;
    }
    CHARLA_FUZZ_CHECK(!packet.frames.empty() && packet.frames.size() <= audio::kMaxFramesPerPacket,
                      "frame count");
    const std::vector<std::uint8_t> bytes = audio::serializePacket(packet);
    CHARLA_FUZZ_CHECK(bytes.size() == size && std::equal(bytes.begin(), bytes.end(), data),
                      "serializePacket(parsePacket(x)) != x");

    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_bytestring(std::vector<unsigned char>(data, data + size)));
    const audio::AudioPacket viaParams = audio::parseFrameParams(params);
    CHARLA_FUZZ_CHECK(viaParams.frames.size() == packet.frames.size(), "parseFrameParams differs");

    // The receiving half, fresh for each input so a crash reproduces from its input alone.
    audio::AudioReceiver receiver;
    receiver.setEnabled(true);
    const auto start = audio::AudioReceiver::Clock::now();
    try {
        receiver.push(packet, start);
        // The same packet again (duplicates) and a shifted copy (a later arrival).
        receiver.push(packet, start + std::chrono::milliseconds(20));
    } catch (const xmlrpc_c::fault&) {
    }
    for (std::size_t i = 0; i < packet.frames.size() + 2; ++i)
        (void)receiver.pull(start + std::chrono::milliseconds(40 + 20 * i));
    return 0;
}
