// The host's datagram parser (docs/protocol.md, "Datagrams"): what arrives on the UDP port from
// the contact's address, before any plugin sees it. The first input byte picks the receiver's
// configuration (bit 0: a shared secret is set); the rest is the datagram.
// Properties: Ok only for a well-formed header; the payload lies inside the input and ends with
// it; an accepted datagram is rebuilt byte for byte by buildDatagram from its id and payload
// (untagged without a secret; with the secret, the tag must be the one we would compute); a
// sealed one has its epoch, sequence number and AEAD tag inside the input (opening it needs a
// TLS session's key: tests/security/datagram_keys_test.cpp).
#include "fuzz_common.h"

#include "core/datagram.h"

#include <algorithm>
#include <string>

using namespace charla;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::optional<fuzz::ModedInput> in = fuzz::splitMode(data, size);
    if (!in)
        return 0;
    const std::string secret = (in->mode & 1) ? "fuzz secret" : "";
    const std::uint8_t* datagram = in->payload;
    const std::size_t length = in->size;
    const host::ParsedDatagram parsed = host::parseDatagram(datagram, length, secret);
    if (parsed.verdict != host::DatagramVerdict::Ok)
        return 0;
    CHARLA_FUZZ_CHECK(length >= 4 && datagram[0] == host::kDatagramVersion, "header accepted");
    CHARLA_FUZZ_CHECK(!parsed.pluginId.empty() &&
                          parsed.pluginId.size() <= host::kMaxDatagramIdBytes,
                      "plugin id length");
    CHARLA_FUZZ_CHECK(parsed.payload >= datagram &&
                          parsed.payload + parsed.payloadSize == datagram + length,
                      "payload outside the datagram");
    if (parsed.sealed) {
        CHARLA_FUZZ_CHECK(datagram[1] == host::kDatagramFlagSealed &&
                              parsed.headerSize ==
                                  3 + parsed.pluginId.size() + host::kSealedHeaderExtraBytes &&
                              parsed.payloadSize >= host::kSealedTagBytes,
                          "sealed layout");
        return 0;
    }
    const bool tagged = datagram[1] & host::kDatagramFlagTag;
    if (secret.empty() && tagged)
        return 0; // a tag we cannot check is carried along; nothing to rebuild
    const std::vector<std::uint8_t> rebuilt =
        host::buildDatagram(parsed.pluginId, parsed.payload, parsed.payloadSize, secret);
    CHARLA_FUZZ_CHECK(rebuilt.size() == length &&
                          std::equal(rebuilt.begin(), rebuilt.end(), datagram),
                      "buildDatagram(parseDatagram(x)) != x");
    return 0;
}
