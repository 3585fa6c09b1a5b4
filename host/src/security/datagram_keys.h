// The keys that encrypt and authenticate media datagrams (issue 13, docs/security.md "Media
// datagrams", wire format in docs/protocol.md "Datagrams"), the DTLS-SRTP pattern: each direction
// is keyed from a TLS 1.3 connection the two sides already share, through the TLS exporter
// (RFC 8446 §7.5, SSL_export_keying_material), so no new handshake and no new trust.
//
// Which connection: the one the *sender* opened to the *receiver* (the sender's presence stream,
// PeerLink's "host"). The receiver's server exports the same key from its side of every
// connection the contact opens (it cannot know which stream is which), and finds the one a
// datagram names by its epoch: 32 bits exported beside the key, so a new connection is a new
// epoch and a new key. The sender switches to a new connection's key only after a call on it
// was answered (so the receiver has it already); the receiver keeps a closed connection's key
// for kRetiredKeyGrace, so datagrams still on their way under the old key arrive: the
// switch-over loses nothing.
//
// AEAD: ChaCha20-Poly1305 (RFC 8439), 32-byte key, 16-byte tag; the nonce is the exported
// 12-byte IV XOR the 64-bit sequence number (as TLS 1.3 makes its record nonces), so a key never
// sees a nonce twice. Replays are refused per key with a ReplayWindow.
#pragma once

#include "security/replay_window.h"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

typedef struct ssl_st SSL;

namespace charla::security {

inline constexpr std::size_t kDatagramAeadTagBytes = 16;
// The exporter label (RFC 5705 / 8446: labels of applications start with "EXPORTER").
inline constexpr char kDatagramExporterLabel[] = "EXPORTER-charla-datagram-v1";
inline constexpr auto kRetiredKeyGrace = std::chrono::seconds(30);

struct DatagramKey {
    std::uint32_t epoch = 0; // names the key (and its connection) in every datagram
    std::array<std::uint8_t, 32> key{};
    std::array<std::uint8_t, 12> iv{};
    bool operator==(const DatagramKey&) const = default;
};

// The key of the TLS 1.3 connection `ssl` (its handshake done): 48 exported bytes, key | IV |
// epoch. Both ends of one connection get the same. Empty if OpenSSL refuses (not TLS 1.3, no
// handshake yet).
std::optional<DatagramKey> exportDatagramKey(SSL* ssl);

// Encrypts `size` bytes of `plain` into `out` (size + kDatagramAeadTagBytes: ciphertext, then the
// tag), authenticating `aad` too. False only if OpenSSL fails.
bool sealDatagram(const DatagramKey& key, std::uint64_t seq, const std::uint8_t* aad,
                  std::size_t aadSize, const std::uint8_t* plain, std::size_t size,
                  std::uint8_t* out);
// The reverse: `sealed` is ciphertext then tag (`sealedSize` >= the tag); `out` gets
// sealedSize - kDatagramAeadTagBytes bytes. False if the tag does not verify (a changed byte,
// another key, another sequence number or header).
bool openDatagram(const DatagramKey& key, std::uint64_t seq, const std::uint8_t* aad,
                  std::size_t aadSize, const std::uint8_t* sealed, std::size_t sealedSize,
                  std::uint8_t* out);

// The receiver's keys: one per TLS connection the contact opened, with its replay window.
// Thread-safe: the server's I/O thread adds and retires, the datagram thread opens.
class DatagramKeyRing {
public:
    enum class Result {
        Ok,
        UnknownEpoch, // no key of that epoch (never, or retired longer than the grace ago)
        BadTag,       // forged, altered, or sealed with another key
        Replayed,     // that sequence number was accepted before
        TooOld,       // too far behind the newest of its key to tell: dropped
    };
    // The most keys kept: the server's connection cap and the retired ones in their grace.
    static constexpr std::size_t kMaxKeys = 256;

    // `connection`'s handshake is done: its key may open datagrams from now on.
    void add(std::uint64_t connection, const DatagramKey& key);
    // `connection` closed: its key still opens datagrams for kRetiredKeyGrace after `now`.
    void retire(std::uint64_t connection, std::chrono::steady_clock::time_point now);
    void clear();
    std::size_t size() const;
    std::size_t retired() const; // of size(): closed connections' keys in their grace

    // Opens one sealed datagram into `out` (resized to the plaintext). Only a datagram whose tag
    // verifies moves its key's replay window.
    Result open(std::uint32_t epoch, std::uint64_t seq, const std::uint8_t* aad,
                std::size_t aadSize, const std::uint8_t* sealed, std::size_t sealedSize,
                std::vector<std::uint8_t>& out, std::chrono::steady_clock::time_point now);

private:
    struct Entry {
        std::uint64_t connection = 0;
        DatagramKey key;
        ReplayWindow window;
        std::optional<std::chrono::steady_clock::time_point> retiredAt;
    };
    void prune(std::chrono::steady_clock::time_point now); // with mutex_ held

    mutable std::mutex mutex_;
    std::vector<Entry> entries_; // few: a linear search is the fastest here
};

} // namespace charla::security
