#include "audio_packet.h"

#include <charla/sdk/channel.h>

#include <gtest/gtest.h>

namespace charla::audio {
namespace {

AudioPacket opusPacket(int frames) {
    AudioEncoder enc(Codec::Opus);
    AudioPacket p;
    p.codec = Codec::Opus;
    p.stream = 0xdeadbeef;
    for (int i = 0; i < frames; ++i) {
        PcmFrame pcm{};
        pcm[i] = 1000;
        p.frames.push_back({static_cast<std::uint32_t>(7 + i), 1'700'000'000'000'000 + i * 20000,
                            enc.encode(pcm)});
    }
    return p;
}

int faultOf(const std::vector<std::uint8_t>& bytes) {
    try {
        parsePacket(bytes.data(), bytes.size());
    } catch (const xmlrpc_c::fault& f) {
        return f.getCode();
    }
    return 0;
}

TEST(AudioPacket, RoundTrip) {
    const AudioPacket p = opusPacket(3);
    const auto bytes = serializePacket(p);
    const AudioPacket q = parsePacket(bytes.data(), bytes.size());
    EXPECT_EQ(q.codec, Codec::Opus);
    EXPECT_EQ(q.stream, 0xdeadbeefu);
    ASSERT_EQ(q.frames.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(q.frames[i].seq, p.frames[i].seq);
        EXPECT_EQ(q.frames[i].captureMicros, p.frames[i].captureMicros);
        EXPECT_EQ(q.frames[i].data, p.frames[i].data);
    }
    // Through XML-RPC params too.
    const AudioPacket r = parseFrameParams(toFrameParams(p));
    EXPECT_EQ(r.frames.size(), 3u);
}

TEST(AudioPacket, HeaderLayoutIsBigEndian) {
    AudioPacket p;
    p.codec = Codec::Pcm16;
    p.stream = 0x01020304;
    p.frames.push_back({0x0a0b0c0d, 0x1122334455, std::vector<std::uint8_t>(kPcm16FrameBytes)});
    const auto b = serializePacket(p);
    ASSERT_EQ(b.size(), kPacketHeaderBytes + kFrameHeaderBytes + kPcm16FrameBytes);
    const std::vector<std::uint8_t> head(b.begin(), b.begin() + 22);
    EXPECT_EQ(head,
              (std::vector<std::uint8_t>{1,    0, 1, 0, 1,    2,    3,    4,    0x0a, 0x0b, 0x0c,
                                         0x0d, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x07, 0x80}));
}

TEST(AudioPacket, MalformedPacketsAreFaults) {
    const auto good = serializePacket(opusPacket(2));
    EXPECT_EQ(faultOf(good), 0);
    auto mutate = [&](auto change) {
        auto b = good;
        change(b);
        return faultOf(b);
    };
    constexpr int kBad = sdk::kFaultBadParams;
    EXPECT_EQ(faultOf({}), kBad);
    EXPECT_EQ(faultOf({1, 1, 1}), kBad);                        // short header
    EXPECT_EQ(mutate([](auto& b) { b[0] = 2; }), kBad);         // version
    EXPECT_EQ(mutate([](auto& b) { b[1] = 9; }), kBad);         // unknown codec
    EXPECT_EQ(mutate([](auto& b) { b[2] = 0; }), kBad);         // no frames
    EXPECT_EQ(mutate([](auto& b) { b[2] = 6; }), kBad);         // too many frames
    EXPECT_EQ(mutate([](auto& b) { b[2] = 3; }), kBad);         // claims a missing frame
    EXPECT_EQ(mutate([](auto& b) { b[3] = 1; }), kBad);         // unknown flags
    EXPECT_EQ(mutate([](auto& b) { b.push_back(0); }), kBad);   // stray byte
    EXPECT_EQ(mutate([](auto& b) { b.pop_back(); }), kBad);     // cut short
    EXPECT_EQ(mutate([](auto& b) { b[8 + 4] = 0x80; }), kBad);  // negative capture time
    EXPECT_EQ(mutate([](auto& b) { b[8 + 12] = 0xff; }), kBad); // size beyond the end
    EXPECT_EQ(mutate([](auto& b) { b[1] = 0; }), kBad); // opus frames labelled pcm16: wrong size
    // Bytes that are not a 20 ms Opus packet.
    AudioPacket junk;
    junk.frames.push_back({1, 1, {0xff, 0xff, 0xff}});
    EXPECT_EQ(faultOf(serializePacket(junk)), kBad);
    // Oversized.
    EXPECT_EQ(faultOf(std::vector<std::uint8_t>(kMaxPacketBytes + 1, 1)), kBad);
}

TEST(AudioPacket, WrongParamsAreFaults) {
    xmlrpc_c::paramList none;
    EXPECT_THROW(parseFrameParams(none), xmlrpc_c::fault);
    xmlrpc_c::paramList str;
    str.add(xmlrpc_c::value_string("hello"));
    EXPECT_THROW(parseFrameParams(str), xmlrpc_c::fault);
    xmlrpc_c::paramList two = toFrameParams(opusPacket(1));
    two.add(xmlrpc_c::value_int(1));
    EXPECT_THROW(parseFrameParams(two), xmlrpc_c::fault);
}

} // namespace
} // namespace charla::audio
