// The datagram wire format (docs/protocol.md, "Datagrams"): what the host puts around a plugin's
// payload so that the receiver knows which plugin it is for and that the contact sent it.
//
// Between two Charlas over TLS every datagram is sealed (flags bit 1; security/datagram_keys.h):
//   version:u8 (1) | flags:u8 (0x02) | id_length:u8 (1..32) | plugin id | epoch:u32 | seq:u64
//   | ciphertext of the payload | AEAD tag: 16 bytes
// (big-endian numbers; everything before the ciphertext is the AEAD's associated data).
//
// With --allow-plaintext, as before issue 13:
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

namespace charla::security {
struct DatagramKey;
}

namespace charla::host {

inline constexpr std::uint8_t kDatagramVersion = 1;
inline constexpr std::uint8_t kDatagramFlagTag = 0x01;
inline constexpr std::uint8_t kDatagramFlagSealed = 0x02;
// A sealed datagram's epoch and sequence number, and its AEAD tag at the end.
inline constexpr std::size_t kSealedHeaderExtraBytes = 4 + 8;
inline constexpr std::size_t kSealedTagBytes = 16;
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
    const std::uint8_t* payload = nullptr; // points into the input; sealed: ciphertext + tag
    std::size_t payloadSize = 0;
    bool sealed = false; // then the payload still has to be opened with the epoch's key
    std::uint32_t epoch = 0;
    std::uint64_t seq = 0;
    std::size_t headerSize = 0; // sealed: the associated data is the input's first headerSize
    const char* why = "";       // for the log, when not Ok
};

// What a datagram adds to a payload for a plugin id: the header and, sealed, the AEAD tag.
std::size_t datagramHeaderBytes(std::string_view pluginId, bool tagged);
std::size_t sealedDatagramOverhead(std::string_view pluginId);

// Checks structure and, when `secret` is not empty, the tag of an unsealed datagram (in constant
// time). Without a secret a tag is ignored. A sealed datagram is only checked for structure
// (the secret plays no part: its key comes from the TLS session); the caller opens it. Never
// throws.
ParsedDatagram parseDatagram(const std::uint8_t* data, std::size_t size, const std::string& secret);

// The datagram for `payload`, tagged when `secret` is not empty. The caller checks the size limit.
std::vector<std::uint8_t> buildDatagram(std::string_view pluginId, const std::uint8_t* payload,
                                        std::size_t size, const std::string& secret);

// The sealed datagram for `payload` under `key`, sequence number `seq` (never used twice with
// one key). Empty if OpenSSL fails.
std::vector<std::uint8_t> buildSealedDatagram(std::string_view pluginId,
                                              const security::DatagramKey& key, std::uint64_t seq,
                                              const std::uint8_t* payload, std::size_t size);

} // namespace charla::host
