// The datagram wire format (docs/protocol.md, "Datagrams"): what the host puts around a plugin's
// payload so that the receiver knows which plugin it is for and, with a shared secret, that the
// contact sent it.
//
//   version:u8 (1) | flags:u8 (bit 0: tag present) | id_length:u8 (1..32) | plugin id
//   | [tag: 16 bytes = HMAC-SHA256(secret, everything before the tag + payload), truncated]
//   | payload
//
// Pure functions, usable from any thread and from the fuzzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace charla::host {

inline constexpr std::uint8_t kDatagramVersion = 1;
inline constexpr std::uint8_t kDatagramFlagTag = 0x01;
inline constexpr std::size_t kDatagramTagBytes = 16; // RFC 2104: at least half of SHA-256's 32
inline constexpr std::size_t kMaxDatagramIdBytes = 32;
// The largest datagram sent or accepted, headers included. Room for one PCM16 audio frame
// (1942 B); larger payloads belong on XML-RPC. Above a LAN's 1500 B MTU the kernel fragments.
inline constexpr std::size_t kMaxDatagramBytes = 2048;

enum class DatagramVerdict {
    Ok,
    Malformed,    // too short, unknown version or flags, bad id length
    Unauthorized, // a secret is set and the tag is missing or wrong
};

struct ParsedDatagram {
    DatagramVerdict verdict = DatagramVerdict::Malformed;
    std::string_view pluginId;             // points into the input
    const std::uint8_t* payload = nullptr; // points into the input
    std::size_t payloadSize = 0;
    const char* why = ""; // for the log, when not Ok
};

// The header's size for a plugin id, with or without a tag.
std::size_t datagramHeaderBytes(std::string_view pluginId, bool tagged);

// Checks structure and, when `secret` is not empty, the tag (in constant time). Without a secret
// a tag is ignored. Never throws.
ParsedDatagram parseDatagram(const std::uint8_t* data, std::size_t size, const std::string& secret);

// The datagram for `payload`, tagged when `secret` is not empty. The caller checks the size limit.
std::vector<std::uint8_t> buildDatagram(std::string_view pluginId, const std::uint8_t* payload,
                                        std::size_t size, const std::string& secret);

} // namespace charla::host
