#include "codec.h"

#include <opus.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace charla::audio {

std::optional<Codec> codecFromWire(std::uint8_t value) {
    switch (value) {
    case static_cast<std::uint8_t>(Codec::Pcm16):
        return Codec::Pcm16;
    case static_cast<std::uint8_t>(Codec::Opus):
        return Codec::Opus;
    default:
        return std::nullopt;
    }
}

AudioEncoder::AudioEncoder(Codec codec, int opusBitrate, int opusComplexity) : codec_(codec) {
    if (codec_ != Codec::Opus)
        return;
    int error = OPUS_OK;
    opus_ = opus_encoder_create(kSampleRate, 1, OPUS_APPLICATION_VOIP, &error);
    if (error != OPUS_OK || !opus_)
        throw std::runtime_error(std::string("opus_encoder_create: ") + opus_strerror(error));
    opus_encoder_ctl(opus_, OPUS_SET_BITRATE(opusBitrate));
    opus_encoder_ctl(opus_, OPUS_SET_VBR(1));
    opus_encoder_ctl(opus_, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    // Measured alone: 0.42 % of a core at complexity 1 (the default), 0.86 % at 5, 1.5 % at 10.
    // At 16 kbit/s the encoder runs SILK (wideband) whatever the complexity; lower complexity
    // means a simpler pitch search and noise shaping, a small loss for speech.
    opus_encoder_ctl(opus_, OPUS_SET_COMPLEXITY(std::clamp(opusComplexity, 0, 10)));
    // No in-band FEC: over XML-RPC (TCP) frames are never lost, only late, and over datagrams on
    // the LANs Charla is for, loss is rare and Opus's concealment covers a lost frame. FEC would
    // spend bits on every frame for that.
    opus_encoder_ctl(opus_, OPUS_SET_INBAND_FEC(0));
}

AudioEncoder::~AudioEncoder() {
    if (opus_)
        opus_encoder_destroy(opus_);
}

std::vector<std::uint8_t> AudioEncoder::encode(const PcmFrame& pcm) {
    if (codec_ == Codec::Pcm16) {
        std::vector<std::uint8_t> out(kPcm16FrameBytes);
        for (int i = 0; i < kFrameSamples; ++i) {
            const auto v = static_cast<std::uint16_t>(pcm[i]);
            out[2 * i] = static_cast<std::uint8_t>(v & 0xff);
            out[2 * i + 1] = static_cast<std::uint8_t>(v >> 8);
        }
        return out;
    }
    std::vector<std::uint8_t> out(kMaxOpusPacketBytes);
    const opus_int32 n = opus_encode(opus_, pcm.data(), kFrameSamples, out.data(),
                                     static_cast<opus_int32>(out.size()));
    if (n < 0)
        throw std::runtime_error(std::string("opus_encode: ") + opus_strerror(n));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

AudioDecoder::AudioDecoder(Codec codec) : codec_(codec) {
    if (codec_ != Codec::Opus)
        return;
    int error = OPUS_OK;
    opus_ = opus_decoder_create(kSampleRate, 1, &error);
    if (error != OPUS_OK || !opus_)
        throw std::runtime_error(std::string("opus_decoder_create: ") + opus_strerror(error));
}

AudioDecoder::~AudioDecoder() {
    if (opus_)
        opus_decoder_destroy(opus_);
}

bool AudioDecoder::decode(const std::uint8_t* data, std::size_t size, PcmFrame& out) {
    if (codec_ == Codec::Pcm16) {
        if (!data || size != kPcm16FrameBytes) {
            conceal(out);
            return false;
        }
        for (int i = 0; i < kFrameSamples; ++i)
            out[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(data[2 * i]) |
                                               static_cast<std::uint16_t>(data[2 * i + 1]) << 8);
        last_ = out;
        concealed_ = 0;
        return true;
    }
    // opus_decode would accept a packet of another duration and write fewer or more samples:
    // check the packet's own length first.
    if (!data || size == 0 || size > kMaxOpusPacketBytes ||
        opus_packet_get_nb_samples(data, static_cast<opus_int32>(size), kSampleRate) !=
            kFrameSamples) {
        conceal(out);
        return false;
    }
    const int n =
        opus_decode(opus_, data, static_cast<opus_int32>(size), out.data(), kFrameSamples, 0);
    if (n != kFrameSamples) {
        conceal(out);
        return false;
    }
    concealed_ = 0;
    return true;
}

void AudioDecoder::conceal(PcmFrame& out) {
    // Past ~100 ms a guess is worse than silence.
    constexpr int kMaxConcealedFrames = 5;
    if (concealed_++ >= kMaxConcealedFrames) {
        out.fill(0);
        return;
    }
    if (codec_ == Codec::Opus) {
        if (opus_decode(opus_, nullptr, 0, out.data(), kFrameSamples, 0) != kFrameSamples)
            out.fill(0);
        return;
    }
    // PCM: the last frame again, quieter each time.
    const int shift = concealed_;
    for (int i = 0; i < kFrameSamples; ++i)
        out[i] = static_cast<std::int16_t>(last_[i] >> shift);
    last_ = out;
}

} // namespace charla::audio
