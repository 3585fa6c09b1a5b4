#include "audio_packet.h"

#include <charla/sdk/channel.h>

#include <opus.h>

#include <string>

namespace charla::audio {

namespace {

[[noreturn]] void bad(const std::string& why) {
    throw sdk::fault(sdk::kFaultBadParams, "audio.frame: " + why);
}

void putU16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void putU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void putU64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::uint64_t getBE(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = v << 8 | p[i];
    return v;
}

} // namespace

std::vector<std::uint8_t> serializePacket(const AudioPacket& packet) {
    std::vector<std::uint8_t> out;
    std::size_t size = kPacketHeaderBytes;
    for (const auto& f : packet.frames)
        size += kFrameHeaderBytes + f.data.size();
    out.reserve(size);
    out.push_back(kPacketVersion);
    out.push_back(static_cast<std::uint8_t>(packet.codec));
    out.push_back(static_cast<std::uint8_t>(packet.frames.size()));
    out.push_back(0);
    putU32(out, packet.stream);
    for (const auto& f : packet.frames) {
        putU32(out, f.seq);
        putU64(out, static_cast<std::uint64_t>(f.captureMicros));
        putU16(out, static_cast<std::uint16_t>(f.data.size()));
        out.insert(out.end(), f.data.begin(), f.data.end());
    }
    return out;
}

AudioPacket parsePacket(const std::uint8_t* data, std::size_t size) {
    if (size < kPacketHeaderBytes)
        bad("packet of " + std::to_string(size) + " bytes is shorter than its 8-byte header");
    if (size > kMaxPacketBytes)
        bad("packet of " + std::to_string(size) + " bytes exceeds " +
            std::to_string(kMaxPacketBytes));
    if (data[0] != kPacketVersion)
        bad("unsupported packet version " + std::to_string(data[0]));
    const auto codec = codecFromWire(data[1]);
    if (!codec)
        bad("unknown codec " + std::to_string(data[1]));
    const std::size_t count = data[2];
    if (count < 1 || count > kMaxFramesPerPacket)
        bad("frame count " + std::to_string(count) + " outside 1.." +
            std::to_string(kMaxFramesPerPacket));
    if (data[3] != 0)
        bad("unknown flags " + std::to_string(data[3]));

    AudioPacket packet;
    packet.codec = *codec;
    packet.stream = static_cast<std::uint32_t>(getBE(data + 4, 4));
    packet.frames.reserve(count);
    std::size_t pos = kPacketHeaderBytes;
    for (std::size_t i = 0; i < count; ++i) {
        if (size - pos < kFrameHeaderBytes)
            bad("frame " + std::to_string(i) + " header is cut short");
        EncodedFrame f;
        f.seq = static_cast<std::uint32_t>(getBE(data + pos, 4));
        const auto capture = getBE(data + pos + 4, 8);
        const auto bytes = static_cast<std::size_t>(getBE(data + pos + 12, 2));
        pos += kFrameHeaderBytes;
        if (capture > static_cast<std::uint64_t>(kMaxCaptureMicros))
            bad("frame " + std::to_string(i) + " has an absurd capture time");
        f.captureMicros = static_cast<std::int64_t>(capture);
        if (bytes > size - pos)
            bad("frame " + std::to_string(i) + " claims " + std::to_string(bytes) +
                " bytes, only " + std::to_string(size - pos) + " left");
        if (*codec == Codec::Pcm16 && bytes != kPcm16FrameBytes)
            bad("pcm16 frame " + std::to_string(i) + " has " + std::to_string(bytes) +
                " bytes, not " + std::to_string(kPcm16FrameBytes));
        if (*codec == Codec::Opus) {
            if (bytes < 1 || bytes > kMaxOpusPacketBytes)
                bad("opus frame " + std::to_string(i) + " has " + std::to_string(bytes) +
                    " bytes, not 1.." + std::to_string(kMaxOpusPacketBytes));
            if (opus_packet_get_nb_samples(data + pos, static_cast<opus_int32>(bytes),
                                           kSampleRate) != kFrameSamples)
                bad("opus frame " + std::to_string(i) + " is not one valid 20 ms Opus packet");
        }
        f.data.assign(data + pos, data + pos + bytes);
        pos += bytes;
        packet.frames.push_back(std::move(f));
    }
    if (pos != size)
        bad(std::to_string(size - pos) + " stray bytes after the last frame");
    return packet;
}

AudioPacket parseFrameParams(const xmlrpc_c::paramList& params) {
    if (params.size() != 1)
        bad("expected exactly one parameter (base64 packet), got " + std::to_string(params.size()));
    if (params[0].type() != xmlrpc_c::value::TYPE_BYTESTRING)
        bad("the parameter must be base64");
    const std::vector<unsigned char> bytes =
        xmlrpc_c::value_bytestring(params[0]).vectorUcharValue();
    return parsePacket(bytes.data(), bytes.size());
}

xmlrpc_c::paramList toFrameParams(const AudioPacket& packet) {
    const std::vector<std::uint8_t> bytes = serializePacket(packet);
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_bytestring(std::vector<unsigned char>(bytes.begin(), bytes.end())));
    return params;
}

} // namespace charla::audio
