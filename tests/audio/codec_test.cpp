#include "codec.h"

#include <gtest/gtest.h>

#include <cmath>

namespace charla::audio {
namespace {

PcmFrame sine(double hz, int frameIndex, double amplitude = 10000) {
    PcmFrame f;
    for (int i = 0; i < kFrameSamples; ++i) {
        const double t = static_cast<double>(frameIndex * kFrameSamples + i) / kSampleRate;
        f[i] = static_cast<std::int16_t>(amplitude * std::sin(2 * M_PI * hz * t));
    }
    return f;
}

// Frequency from zero crossings, and RMS, of a run of frames.
std::pair<double, double> analyse(const std::vector<PcmFrame>& frames) {
    int crossings = 0;
    double sum = 0;
    std::int16_t prev = 0;
    std::size_t n = 0;
    for (const auto& f : frames)
        for (std::int16_t s : f) {
            if (n++ > 0 && (prev < 0) != (s < 0))
                ++crossings;
            prev = s;
            sum += double(s) * s;
        }
    return {crossings / 2.0 / (static_cast<double>(n) / kSampleRate), std::sqrt(sum / n)};
}

TEST(Codec, NamesAndLists) {
    EXPECT_EQ(kCodecs.find("opus"), Codec::Opus);
    EXPECT_EQ(kCodecs.find("pcm16"), Codec::Pcm16);
    EXPECT_FALSE(kCodecs.find("mp3"));
    EXPECT_FALSE(codecFromWire(7));
    EXPECT_EQ(kCodecs.parse(" opus , mp3,pcm16,opus"),
              (std::vector<Codec>{Codec::Opus, Codec::Pcm16}));
    EXPECT_EQ(kCodecs.format({Codec::Opus, Codec::Pcm16}), "opus,pcm16");
}

TEST(Codec, NegotiationPicksOurFirstThatThePeerLists) {
    const std::vector<Codec> ours{Codec::Opus, Codec::Pcm16};
    std::map<std::string, std::string> both{{"codecs", "pcm16,opus"}};
    EXPECT_EQ(kCodecs.choose(ours, &both), Codec::Opus);
    std::map<std::string, std::string> pcmOnly{{"codecs", "pcm16"}};
    EXPECT_EQ(kCodecs.choose(ours, &pcmOnly), Codec::Pcm16);
    // A peer without params speaks pcm16.
    std::map<std::string, std::string> none;
    EXPECT_EQ(kCodecs.choose(ours, &none), Codec::Pcm16);
    EXPECT_EQ(kCodecs.choose(ours, nullptr), Codec::Pcm16);
    std::map<std::string, std::string> unknown{{"codecs", "g711"}};
    EXPECT_FALSE(kCodecs.choose(ours, &unknown));
    EXPECT_FALSE(kCodecs.choose({Codec::Opus}, nullptr));
}

TEST(Codec, Pcm16RoundTripIsExact) {
    AudioEncoder enc(Codec::Pcm16);
    AudioDecoder dec(Codec::Pcm16);
    const PcmFrame in = sine(440, 0, 30000);
    const auto packet = enc.encode(in);
    ASSERT_EQ(packet.size(), kPcm16FrameBytes);
    PcmFrame out;
    ASSERT_TRUE(dec.decode(packet.data(), packet.size(), out));
    EXPECT_EQ(in, out);
    EXPECT_FALSE(dec.decode(packet.data(), packet.size() - 1, out));
}

TEST(Codec, OpusRoundTripKeepsTheTone) {
    AudioEncoder enc(Codec::Opus);
    AudioDecoder dec(Codec::Opus);
    std::vector<PcmFrame> decoded;
    std::size_t bytes = 0;
    for (int k = 0; k < 50; ++k) {
        const auto packet = enc.encode(sine(440, k));
        bytes += packet.size();
        ASSERT_LE(packet.size(), kMaxOpusPacketBytes);
        PcmFrame out;
        ASSERT_TRUE(dec.decode(packet.data(), packet.size(), out));
        if (k >= 5) // past the codec's start-up
            decoded.push_back(out);
    }
    const auto [hz, rms] = analyse(decoded);
    EXPECT_NEAR(hz, 440, 5);
    EXPECT_NEAR(rms, 10000 / std::sqrt(2.0), 2000);
    EXPECT_LT(bytes / 50, 80u) << "16 kbit/s is 40 bytes a frame";
}

TEST(Codec, OpusRejectsGarbageAndConceals) {
    AudioDecoder dec(Codec::Opus);
    PcmFrame out;
    const std::uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x13};
    EXPECT_FALSE(dec.decode(garbage, sizeof garbage, out));
    EXPECT_FALSE(dec.decode(nullptr, 0, out));
    // Concealment runs out into silence.
    for (int i = 0; i < 10; ++i)
        dec.conceal(out);
    for (auto s : out)
        EXPECT_EQ(s, 0);
}

} // namespace
} // namespace charla::audio
