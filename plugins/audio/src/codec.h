// Codecs: Opus (default) and 16-bit PCM (fallback), their wire names, the negotiation through
// host.hello params, and one encoder/decoder per stream.
//
// Negotiation: every side announces {"codecs": "opus,pcm16"} (its own preference order). A sender
// uses the first codec of its own list that the peer lists; a peer that announced no "codecs"
// speaks pcm16 only (the format any implementation can produce).
#pragma once

#include "audio_format.h"

#include <charla/sdk/media/codec_list.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct OpusEncoder;
struct OpusDecoder;

namespace charla::audio {

// Values are the codec byte of the wire format (docs/protocol-audio.md).
enum class Codec : std::uint8_t { Pcm16 = 0, Opus = 1 };

using sdk::media::kCodecsParam;
// Names, lists ("opus,pcm16") and the choice of the codec to send with (kCodecs.choose with the
// peer's "audio" params from host.hello; a peer that announced none speaks pcm16).
inline constexpr sdk::media::CodecNames<Codec, 2> kCodecs{
    {{{Codec::Opus, "opus"}, {Codec::Pcm16, "pcm16"}}}, Codec::Pcm16};

std::optional<Codec> codecFromWire(std::uint8_t value);

// Bytes a PCM16 frame takes on the wire (little-endian samples).
inline constexpr std::size_t kPcm16FrameBytes = kFrameSamples * 2;
// The largest Opus packet for one frame (RFC 6716, 3.2.1).
inline constexpr std::size_t kMaxOpusPacketBytes = 1275;

class AudioEncoder {
public:
    // Opus: VOIP application, VBR at `opusBitrate` bits/s. Throws std::runtime_error.
    explicit AudioEncoder(Codec codec, int opusBitrate = 16000, int opusComplexity = 1);
    ~AudioEncoder();
    AudioEncoder(const AudioEncoder&) = delete;
    AudioEncoder& operator=(const AudioEncoder&) = delete;

    Codec codec() const { return codec_; }
    // One 20 ms frame in, one packet out.
    std::vector<std::uint8_t> encode(const PcmFrame& pcm);

private:
    Codec codec_;
    OpusEncoder* opus_ = nullptr;
};

class AudioDecoder {
public:
    explicit AudioDecoder(Codec codec); // throws std::runtime_error
    ~AudioDecoder();
    AudioDecoder(const AudioDecoder&) = delete;
    AudioDecoder& operator=(const AudioDecoder&) = delete;

    Codec codec() const { return codec_; }
    // Decodes one packet into 960 samples. False (and `out` concealed instead) if the packet is
    // not one valid 20 ms frame of this codec.
    bool decode(const std::uint8_t* data, std::size_t size, PcmFrame& out);
    // Fills `out` with a concealment of a lost frame: Opus PLC, or for PCM the last frame fading
    // out. After a few lost frames in a row the concealment is silence.
    void conceal(PcmFrame& out);

private:
    Codec codec_;
    OpusDecoder* opus_ = nullptr;
    PcmFrame last_{};
    int concealed_ = 0; // lost frames in a row
};

} // namespace charla::audio
