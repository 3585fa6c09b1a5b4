// The video.frame call on the wire (docs/protocol-video.md is the reference):
//   video.frame({seq: int, ts: double, width: int, height: int, codec: "jpeg",
//                data: string (base64, no line breaks) | base64})  ->  {seq: int}
// Validation happens here, on the server's thread, before anything is queued.
#pragma once

#include <charla/sdk/fault.h>

#include <xmlrpc-c/base.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace charla::video {

inline constexpr const char* kFrameMethod = "video.frame";
inline constexpr const char* kStatsMethod = "video.stats";
inline constexpr int kMaxDimension = 4096;            // either side, in pixels
inline constexpr std::size_t kMaxJpegBytes = 4 << 20; // 4 MiB of JPEG per frame
// What the Channel enforces before the handler runs: the base64 text plus the other members.
inline constexpr std::size_t kMaxFramePayloadBytes = kMaxJpegBytes / 3 * 4 + 4096;

struct WireFrame {
    std::int32_t seq = 0;
    double ts = 0; // capture time, milliseconds since the Unix epoch (UTC)
    int width = 0; // what the sender says the JPEG holds
    int height = 0;
    std::vector<std::uint8_t> jpeg;
};

// The parameter list of one video.frame call. With `asBase64Type` the data goes as XML-RPC's
// <base64> (which xmlrpc-c wraps every 76 characters) instead of a base64 <string>.
xmlrpc_c::paramList frameParams(std::int32_t seq, double ts, int width, int height,
                                const std::vector<std::uint8_t>& jpeg, bool asBase64Type = false);

// Why a frame was refused.
enum class FrameError {
    None,
    Malformed,    // not one struct, a member missing or of the wrong type, bad base64
    BadCodec,     // codec other than "jpeg"
    BadSize,      // width/height outside 1..kMaxDimension
    TooLarge,     // more than kMaxJpegBytes of JPEG
    NotJpeg,      // no JPEG frame header in the data
    SizeMismatch, // the JPEG's own size disagrees with width/height
    Undecodable,  // the decoder gave up (found by the decode thread)
};
const char* toString(FrameError error);

// Parses and validates one call's parameters; on failure returns the error and leaves `out`
// unspecified. Does not decode the image (only reads its SOF header).
FrameError parseFrame(const xmlrpc_c::paramList& params, WireFrame* out);

// The XML-RPC fault code a refused frame is answered with.
charla::sdk::FaultCode faultCodeFor(FrameError error);

} // namespace charla::video
