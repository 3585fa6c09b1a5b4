// RFC 4648 base64 without line breaks. Ours rather than xmlrpc-c's <base64> type because
// xmlrpc-c writes a CRLF every 76 characters (x1.368 of the payload instead of x1.333); see
// docs/protocol-video.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace charla::video {

std::string base64Encode(const std::uint8_t* data, std::size_t size);
inline std::string base64Encode(const std::vector<std::uint8_t>& data) {
    return base64Encode(data.data(), data.size());
}
// Strict about the alphabet and padding; ignores CR, LF, space and tab (so the text of an
// XML-RPC <base64> written by another implementation decodes too). nullopt on anything else.
std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view text);

} // namespace charla::video
