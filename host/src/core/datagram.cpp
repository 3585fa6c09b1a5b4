#include "core/datagram.h"

#include "core/rpc_server.h"
#include "security/datagram_keys.h"

#include <cstring>

namespace charla::host {

namespace {

std::string tagOf(const std::string& secret, const std::uint8_t* header, std::size_t headerSize,
                  const std::uint8_t* payload, std::size_t payloadSize) {
    std::string mac =
        hmacSha256(secret, {std::string_view(reinterpret_cast<const char*>(header), headerSize),
                            std::string_view(reinterpret_cast<const char*>(payload), payloadSize)});
    mac.resize(kDatagramTagBytes);
    return mac;
}

} // namespace

std::size_t datagramHeaderBytes(std::string_view pluginId, bool tagged) {
    return 3 + pluginId.size() + (tagged ? kDatagramTagBytes : 0);
}

std::size_t sealedDatagramOverhead(std::string_view pluginId) {
    return 3 + pluginId.size() + kSealedHeaderExtraBytes + kSealedTagBytes;
}

ParsedDatagram parseDatagram(const std::uint8_t* data, std::size_t size,
                             const std::string& secret) {
    ParsedDatagram out;
    if (size < 4 || !data) {
        out.why = "shorter than a header";
        return out;
    }
    if (data[0] != kDatagramVersion) {
        out.why = "unknown version";
        return out;
    }
    const std::uint8_t flags = data[1];
    if ((flags & ~(kDatagramFlagTag | kDatagramFlagSealed)) ||
        flags == (kDatagramFlagTag | kDatagramFlagSealed)) {
        out.why = "unknown flags";
        return out;
    }
    const std::size_t idLength = data[2];
    if (idLength == 0 || idLength > kMaxDatagramIdBytes) {
        out.why = "bad plugin id length";
        return out;
    }
    const std::size_t idEnd = 3 + idLength;
    if (flags & kDatagramFlagSealed) {
        if (size < idEnd + kSealedHeaderExtraBytes + kSealedTagBytes) {
            out.why = "cut short inside a sealed header";
            return out;
        }
        const std::uint8_t* p = data + idEnd;
        for (int i = 0; i < 4; ++i)
            out.epoch = (out.epoch << 8) | p[i];
        for (int i = 4; i < 12; ++i)
            out.seq = (out.seq << 8) | p[i];
        out.sealed = true;
        out.headerSize = idEnd + kSealedHeaderExtraBytes;
        out.pluginId = std::string_view(reinterpret_cast<const char*>(data + 3), idLength);
        out.payload = data + out.headerSize;
        out.payloadSize = size - out.headerSize;
        out.verdict = DatagramVerdict::Ok;
        return out;
    }
    const bool tagged = flags & kDatagramFlagTag;
    const std::size_t headerSize = idEnd + (tagged ? kDatagramTagBytes : 0);
    if (size < headerSize) {
        out.why = "cut short inside the header";
        return out;
    }
    out.pluginId = std::string_view(reinterpret_cast<const char*>(data + 3), idLength);
    out.payload = data + headerSize;
    out.payloadSize = size - headerSize;
    out.headerSize = headerSize;
    if (!secret.empty()) {
        if (!tagged) {
            out.verdict = DatagramVerdict::Unauthorized;
            out.why = "no tag, but a shared secret is set";
            return out;
        }
        const std::string expected = tagOf(secret, data, idEnd, out.payload, out.payloadSize);
        const std::string_view got(reinterpret_cast<const char*>(data + idEnd), kDatagramTagBytes);
        if (!constantTimeEquals(expected, got)) {
            out.verdict = DatagramVerdict::Unauthorized;
            out.why = "wrong tag (shared secret)";
            return out;
        }
    }
    out.verdict = DatagramVerdict::Ok;
    return out;
}

std::vector<std::uint8_t> buildDatagram(std::string_view pluginId, const std::uint8_t* payload,
                                        std::size_t size, const std::string& secret) {
    const bool tagged = !secret.empty();
    const std::size_t idEnd = 3 + pluginId.size();
    std::vector<std::uint8_t> out(datagramHeaderBytes(pluginId, tagged) + size);
    out[0] = kDatagramVersion;
    out[1] = tagged ? kDatagramFlagTag : 0;
    out[2] = static_cast<std::uint8_t>(pluginId.size());
    std::memcpy(out.data() + 3, pluginId.data(), pluginId.size());
    std::uint8_t* body = out.data() + out.size() - size;
    if (size)
        std::memcpy(body, payload, size);
    if (tagged) {
        const std::string tag = tagOf(secret, out.data(), idEnd, payload, size);
        std::memcpy(out.data() + idEnd, tag.data(), kDatagramTagBytes);
    }
    return out;
}

std::vector<std::uint8_t> buildSealedDatagram(std::string_view pluginId,
                                              const security::DatagramKey& key, std::uint64_t seq,
                                              const std::uint8_t* payload, std::size_t size) {
    const std::size_t idEnd = 3 + pluginId.size();
    const std::size_t headerSize = idEnd + kSealedHeaderExtraBytes;
    std::vector<std::uint8_t> out(headerSize + size + kSealedTagBytes);
    out[0] = kDatagramVersion;
    out[1] = kDatagramFlagSealed;
    out[2] = static_cast<std::uint8_t>(pluginId.size());
    std::memcpy(out.data() + 3, pluginId.data(), pluginId.size());
    std::uint8_t* p = out.data() + idEnd;
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(key.epoch >> (24 - 8 * i));
    for (int i = 0; i < 8; ++i)
        p[4 + i] = static_cast<std::uint8_t>(seq >> (56 - 8 * i));
    if (!security::sealDatagram(key, seq, out.data(), headerSize, payload, size,
                                out.data() + headerSize))
        return {};
    return out;
}

} // namespace charla::host
