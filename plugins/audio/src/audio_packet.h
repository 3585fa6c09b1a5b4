// The wire format of `audio.frame` (docs/protocol-audio.md): one base64 parameter holding a
// packet of one or more encoded 20 ms frames, each with its sequence number and capture time.
//
//   audio.frame(base64 packet) -> int (frames accepted into the jitter buffer)
//
//   packet  = version:u8 (1) | codec:u8 | count:u8 (1..5) | flags:u8 (0) | stream:u32
//             | count x frame
//   frame   = seq:u32 | capture_us:i64 | size:u16 | size bytes of codec data
//
// Big-endian integers. Binary rather than an XML-RPC struct: the struct's member markup would
// cost ~250 bytes a frame, more than the Opus frame itself (docs/audio.md, "Wire cost").
// Pure functions, usable from any thread.
#pragma once

#include "codec.h"

#include <xmlrpc-c/base.hpp>

#include <cstdint>
#include <vector>

namespace charla::audio {

inline constexpr char kFrameMethod[] = "audio.frame";
inline constexpr char kStatsMethod[] = "audio.stats";
inline constexpr std::uint8_t kPacketVersion = 1;
inline constexpr std::size_t kPacketHeaderBytes = 8;
inline constexpr std::size_t kFrameHeaderBytes = 14;
inline constexpr std::size_t kMaxFramesPerPacket = 5;
// The largest valid packet (five PCM frames), and the method limit the host enforces.
inline constexpr std::size_t kMaxPacketBytes =
    kPacketHeaderBytes + kMaxFramesPerPacket * (kFrameHeaderBytes + kPcm16FrameBytes);
inline constexpr std::size_t kMaxFramePayloadBytes = 16 * 1024;
// Capture times beyond this (year ~2255) are absurd; so is a negative one.
inline constexpr std::int64_t kMaxCaptureMicros = std::int64_t(1) << 53;

struct EncodedFrame {
    std::uint32_t seq = 0;
    std::int64_t captureMicros = 0; // the frame's first sample, sender's wall clock
    std::vector<std::uint8_t> data;
};

struct AudioPacket {
    Codec codec = Codec::Opus;
    std::uint32_t stream = 0; // random per sending run; a new value resets the receiver
    std::vector<EncodedFrame> frames;
};

std::vector<std::uint8_t> serializePacket(const AudioPacket& packet);

// Structural validation: version, known codec, counts and sizes that add up exactly, frame sizes
// valid for the codec (PCM16: exactly 1920 bytes; Opus: 1..1275 bytes encoding exactly 20 ms),
// capture times in [0, kMaxCaptureMicros]. Throws xmlrpc_c::fault (kFaultBadParams) saying what
// is wrong. Sequence and timing against the stream's history are the receiver's business.
AudioPacket parsePacket(const std::uint8_t* data, std::size_t size);
// The params of an audio.frame call: exactly one base64 value.
AudioPacket parseFrameParams(const xmlrpc_c::paramList& params);

xmlrpc_c::paramList toFrameParams(const AudioPacket& packet);

} // namespace charla::audio
