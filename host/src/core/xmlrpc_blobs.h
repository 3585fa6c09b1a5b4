// Blob answers: an XML-RPC answer whose base64 values travel as raw bytes after the XML, so a
// file chunk or a picture costs its own size on the wire instead of 4/3 of it, and neither side
// spends CPU on base64 (docs/protocol.md "Blob answers").
//
// A client asks with `Accept: application/x-charla-blobs`; a server that knows the format may
// then answer a result holding base64 values with that content type: the XML-RPC document, in
// which every base64 value is a 12-byte reference ("CBL1", offset and length as big-endian
// 32-bit numbers, into the bytes after the XML), then those bytes. `X-Charla-Xml-Length` says
// where the XML ends. A foreign client never asks, so it always gets plain XML-RPC.
#pragma once

#include <xmlrpc-c/base.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace charla::host {

inline constexpr char kBlobContentType[] = "application/x-charla-blobs";
inline constexpr char kXmlLengthHeader[] = "X-Charla-Xml-Length";

// A reference to bytes of the blob section, as it stands (decoded) in a <base64> value.
struct BlobRef {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
};
inline constexpr std::size_t kBlobRefBytes = 12;
std::string encodeBlobRef(BlobRef ref);
// The reference the bytes of a base64 value hold, or nullopt if they are not one.
std::optional<BlobRef> decodeBlobRef(std::string_view bytes);

// Whether a base64 value stands anywhere in `value` (an answer worth sending as blobs).
bool holdsBytes(const xmlrpc_c::value& value);

// The body of a blob answer carrying `result`: the XML (its first `xmlLength` bytes), then the
// bytes of every base64 value in it.
struct BlobAnswer {
    std::string body;
    std::size_t xmlLength = 0;
};
BlobAnswer writeBlobResponse(const xmlrpc_c::value& result);

} // namespace charla::host
