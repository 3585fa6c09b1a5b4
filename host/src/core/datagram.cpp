#include "core/datagram.h"

#include "core/rpc_server.h"

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
    if (flags & ~kDatagramFlagTag) {
        out.why = "unknown flags";
        return out;
    }
    const std::size_t idLength = data[2];
    if (idLength == 0 || idLength > kMaxDatagramIdBytes) {
        out.why = "bad plugin id length";
        return out;
    }
    const bool tagged = flags & kDatagramFlagTag;
    const std::size_t idEnd = 3 + idLength;
    const std::size_t headerSize = idEnd + (tagged ? kDatagramTagBytes : 0);
    if (size < headerSize) {
        out.why = "cut short inside the header";
        return out;
    }
    out.pluginId = std::string_view(reinterpret_cast<const char*>(data + 3), idLength);
    out.payload = data + headerSize;
    out.payloadSize = size - headerSize;
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

} // namespace charla::host
