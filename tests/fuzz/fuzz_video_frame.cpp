// The video plugin's decoder: video.frame validation (parseFrame: struct members, base64, the
// JPEG SOF header check) and, for frames it accepts, the JPEG decoder the decode thread runs.
//
// Input layout: the first byte picks the mode, the rest is the payload.
//   0: payload = JPEG bytes, sent as <base64> (value_bytestring); width/height from its header
//   1: payload = JPEG bytes, sent as a base64 <string> (our base64Encode)
//   2: payload = the base64 text itself (fuzzes base64Decode), width/height from byte 1..4
//   3: payload = a whole XML-RPC <methodCall> (any member types), parsed as the host parses it
// Bit 2 of the mode byte makes width/height lie by one pixel (SizeMismatch expected).
#include "fuzz_common.h"

#include "core/xmlrpc_reader.h"

#include "base64.h"
#include "jpeg_codec.h"
#include "video_wire.h"

#include <opencv2/core/mat.hpp>

#include <map>
#include <string>
#include <vector>

using namespace charla;

namespace {

// Decoding is bounded like the receiver's: a frame passed parseFrame, so at most 4096x4096.
// Bigger pictures would make each run slow without finding anything new.
constexpr long long kMaxDecodePixels = 1024 * 1024;

xmlrpc_c::paramList frameStruct(int width, int height, xmlrpc_c::value data) {
    std::map<std::string, xmlrpc_c::value> m;
    m.emplace("seq", xmlrpc_c::value_int(7));
    m.emplace("ts", xmlrpc_c::value_double(1.7e12));
    m.emplace("width", xmlrpc_c::value_int(width));
    m.emplace("height", xmlrpc_c::value_int(height));
    m.emplace("codec", xmlrpc_c::value_string("jpeg"));
    m.emplace("data", data);
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_struct(m));
    return params;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::optional<fuzz::ModedInput> in = fuzz::splitMode(data, size);
    if (!in)
        return 0;
    const std::uint8_t mode = in->mode;
    const std::uint8_t* payload = in->payload;
    const std::size_t n = in->size;
    const int lie = (mode & 4) ? 1 : 0;

    // The header check on its own, exactly as parseFrame uses it.
    const auto dims = video::jpegDimensions(payload, n);
    if (dims) {
        CHARLA_FUZZ_CHECK(dims->width >= 0 && dims->width <= 65535 && dims->height >= 0 &&
                              dims->height <= 65535,
                          "jpegDimensions out of range");
    }
    const int width = dims ? dims->width + lie : 1;
    const int height = dims ? dims->height : 1;

    xmlrpc_c::paramList params;
    try {
        switch (mode & 3) {
        case 0:
            params = frameStruct(
                width, height,
                xmlrpc_c::value_bytestring(std::vector<unsigned char>(payload, payload + n)));
            break;
        case 1:
            params =
                frameStruct(width, height, xmlrpc_c::value_string(video::base64Encode(payload, n)));
            break;
        case 2: {
            if (n < 4)
                return 0;
            const int w = (payload[0] << 8 | payload[1]) & 0x1fff;
            const int h = (payload[2] << 8 | payload[3]) & 0x1fff;
            const std::string text(reinterpret_cast<const char*>(payload + 4), n - 4);
            // The decoder straight, then as the data member.
            const auto decoded = video::base64Decode(text);
            if (decoded) {
                const std::string again = video::base64Encode(*decoded);
                const auto twice = video::base64Decode(again);
                CHARLA_FUZZ_CHECK(twice && *twice == *decoded, "base64 round trip");
            }
            params = frameStruct(w, h, xmlrpc_c::value_string(text));
            break;
        }
        default: {
            // With the host's own reader (RpcServer::processCall), never xmlrpc-c's parser.
            params =
                host::parseXmlRpcCall(std::string_view(reinterpret_cast<const char*>(payload), n))
                    .params;
        }
        }
    } catch (const std::exception&) {
        return 0; // the reader refused the document, or xmlrpc-c a value
    }

    video::WireFrame frame;
    const video::FrameError error = video::parseFrame(params, &frame);
    (void)video::toString(error);
    (void)video::faultCodeFor(error);
    if (error != video::FrameError::None)
        return 0;
    CHARLA_FUZZ_CHECK(frame.width >= 1 && frame.width <= video::kMaxDimension &&
                          frame.height >= 1 && frame.height <= video::kMaxDimension,
                      "accepted a frame of " + std::to_string(frame.width) + "x" +
                          std::to_string(frame.height));
    CHARLA_FUZZ_CHECK(frame.data.size() <= video::kMaxJpegBytes, "accepted an oversized frame");
    if ((mode & 3) <= 1)
        CHARLA_FUZZ_CHECK(!lie, "a frame whose width lies was accepted");

    if (static_cast<long long>(frame.width) * frame.height > kMaxDecodePixels)
        return 0;
    static video::JpegDecoder decoder; // one per thread and reused, like the decode thread
    static cv::Mat bgr;
    if (decoder.decode(frame.data.data(), frame.data.size(), bgr)) {
        CHARLA_FUZZ_CHECK(!bgr.empty() && bgr.type() == CV_8UC3, "decoded to a strange Mat");
        // The receiver shows what it decoded at the size the header promised.
        CHARLA_FUZZ_CHECK(bgr.cols == frame.width && bgr.rows == frame.height,
                          "decoded " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows) +
                              ", the header said " + std::to_string(frame.width) + "x" +
                              std::to_string(frame.height));
    }
    return 0;
}
