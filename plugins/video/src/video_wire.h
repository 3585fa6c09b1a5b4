// The video.frame call on the wire (docs/protocol-video.md is the reference):
//   video.frame({seq: int, ts: double, width: int, height: int, codec: "jpeg" | "vp8",
//                [prev: int (vp8 delta frames)], data: string (base64, no line breaks) | base64})
//     ->  {seq: int, [stale: true], [keyframe: true]}
// Validation happens here, on the server's thread, before anything is queued.
#pragma once

#include <charla/sdk/fault.h>
#include <charla/sdk/media/codec_list.h>

#include <xmlrpc-c/base.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace charla::video {

inline constexpr const char* kFrameMethod = "video.frame";
inline constexpr const char* kStatsMethod = "video.stats";
inline constexpr int kMaxDimension = 4096;            // either side, in pixels
inline constexpr std::size_t kMaxJpegBytes = 4 << 20; // 4 MiB of JPEG per frame
// What the Channel enforces before the handler runs: the base64 text plus the other members.
inline constexpr std::size_t kMaxFramePayloadBytes = kMaxJpegBytes / 3 * 4 + 4096;

// The codecs a frame can carry, in the order we prefer them.
enum class Codec { Vp8, Jpeg };
using sdk::media::kCodecsParam; // host.hello params: "vp8,jpeg"
// host.hello params: "off" while the user has turned the camera off (absent otherwise): the peer
// shows "camera off" instead of the last picture.
inline constexpr char kCameraParam[] = "camera";
// Names, lists and the choice of the codec to send with; a peer without the "codecs" param (an
// older Charla, a foreign peer) takes JPEG, the only codec of protocol version 1.
inline constexpr sdk::media::CodecNames<Codec, 2> kCodecs{
    {{{Codec::Vp8, "vp8"}, {Codec::Jpeg, "jpeg"}}}, Codec::Jpeg};

struct WireFrame {
    std::int32_t seq = 0;
    double ts = 0; // capture time, milliseconds since the Unix epoch (UTC)
    int width = 0; // what the sender says the picture holds
    int height = 0;
    Codec codec = Codec::Jpeg;
    bool keyframe = true;   // JPEG frames always stand alone
    std::int64_t prev = -1; // vp8 delta frames: the seq of the frame encoded just before
    std::vector<std::uint8_t> data;
};

// The parameter list of one video.frame call. With `asBase64Type` the data goes as XML-RPC's
// <base64> (which xmlrpc-c wraps every 76 characters) instead of a base64 <string>.
xmlrpc_c::paramList frameParams(std::int32_t seq, double ts, int width, int height,
                                const std::vector<std::uint8_t>& jpeg, bool asBase64Type = false);
// The same for any codec; `prev` (>= 0) is sent for vp8 delta frames.
xmlrpc_c::paramList frameParams(std::int32_t seq, double ts, int width, int height, Codec codec,
                                const std::vector<std::uint8_t>& data, std::int64_t prev = -1,
                                bool asBase64Type = false);

// Why a frame was refused.
enum class FrameError {
    None,
    Malformed,      // not one struct, a member missing or of the wrong type, bad base64
    BadCodec,       // codec other than "jpeg" or "vp8"
    BadSize,        // width/height outside 1..kMaxDimension
    TooLarge,       // more than kMaxJpegBytes of JPEG
    NotJpeg,        // no JPEG frame header in the data
    SizeMismatch,   // the JPEG's own size disagrees with width/height
    Undecodable,    // the decoder gave up (found by the decode thread)
    NotVp8,         // not a VP8 frame header (too short, a keyframe without its start code)
    NoReference,    // a vp8 delta frame whose reference never arrived: dropped, keyframe asked
    Vp8Undecodable, // libvpx refused the frame or flagged it corrupt (the decode thread)
};
const char* toString(FrameError error);

// Parses and validates one call's parameters; on failure returns the error and leaves `out`
// unspecified. Does not decode the image (only reads its SOF header).
FrameError parseFrame(const xmlrpc_c::paramList& params, WireFrame* out);

// The XML-RPC fault code a refused frame is answered with.
charla::sdk::FaultCode faultCodeFor(FrameError error);

} // namespace charla::video
