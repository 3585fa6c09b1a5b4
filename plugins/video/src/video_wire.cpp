#include "video_wire.h"

#include "base64.h"
#include "jpeg_codec.h"
#include "vp8_codec.h"

#include <charla/sdk/struct_reader.h>

#include <algorithm>
#include <map>

namespace charla::video {

xmlrpc_c::paramList frameParams(std::int32_t seq, double ts, int width, int height,
                                const std::vector<std::uint8_t>& jpeg, bool asBase64Type) {
    return frameParams(seq, ts, width, height, Codec::Jpeg, jpeg, -1, asBase64Type);
}

xmlrpc_c::paramList frameParams(std::int32_t seq, double ts, int width, int height, Codec codec,
                                const std::vector<std::uint8_t>& data, std::int64_t prev,
                                bool asBase64Type) {
    std::map<std::string, xmlrpc_c::value> m;
    m.emplace("seq", xmlrpc_c::value_int(seq));
    m.emplace("ts", xmlrpc_c::value_double(ts));
    m.emplace("width", xmlrpc_c::value_int(width));
    m.emplace("height", xmlrpc_c::value_int(height));
    m.emplace("codec", xmlrpc_c::value_string(std::string(kCodecs.name(codec))));
    if (prev >= 0)
        m.emplace("prev", xmlrpc_c::value_int(static_cast<int>(prev & 0x7FFFFFFF)));
    if (asBase64Type)
        m.emplace("data", xmlrpc_c::value_bytestring(data));
    else
        m.emplace("data", xmlrpc_c::value_string(base64Encode(data)));
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_struct(m));
    return params;
}

const char* toString(FrameError error) {
    switch (error) {
    case FrameError::None:
        return "ok";
    case FrameError::Malformed:
        return "malformed";
    case FrameError::BadCodec:
        return "unsupported codec";
    case FrameError::BadSize:
        return "width/height out of range";
    case FrameError::TooLarge:
        return "frame too large";
    case FrameError::NotJpeg:
        return "data is not a JPEG";
    case FrameError::SizeMismatch:
        return "JPEG size disagrees with width/height";
    case FrameError::Undecodable:
        return "undecodable JPEG";
    case FrameError::Vp8Undecodable:
        return "undecodable VP8 frame";
    case FrameError::NotVp8:
        return "data is not a VP8 frame";
    case FrameError::NoReference:
        return "VP8 frame without its reference";
    }
    return "?";
}

sdk::FaultCode faultCodeFor(FrameError error) {
    return error == FrameError::TooLarge ? sdk::kFaultTooLarge : sdk::kFaultBadParams;
}

namespace {

// Reads the struct; the reader's errors say which member is wrong, the kind says how.
FrameError readFrame(const xmlrpc_c::paramList& params, WireFrame* out) {
    const auto frame = sdk::StructReader::onlyParam(params, kFrameMethod);
    out->seq = frame.integer("seq");
    out->ts = frame.number("ts"); // a double; an int is accepted too (a sender with integers only)
    out->width = frame.integer("width", 1, kMaxDimension);
    out->height = frame.integer("height", 1, kMaxDimension);
    const std::string codec = frame.string("codec");
    if (codec == "jpeg")
        out->codec = Codec::Jpeg;
    else if (codec == "vp8")
        out->codec = Codec::Vp8;
    else
        return FrameError::BadCodec;
    out->prev = -1;
    if (out->codec == Codec::Vp8 && frame.has("prev"))
        out->prev = frame.integer("prev", 0, 0x7FFFFFFF);

    const xmlrpc_c::value& data = frame.value("data");
    if (data.type() == xmlrpc_c::value::TYPE_STRING) {
        const std::string text = frame.string("data", (kMaxJpegBytes + 3) / 3 * 4);
        auto bytes = base64Decode(text);
        if (!bytes)
            frame.fail("data", "is not valid base64");
        out->data = std::move(*bytes);
    } else {
        out->data = frame.bytes("data", kMaxJpegBytes);
    }
    if (out->data.size() > kMaxJpegBytes)
        return FrameError::TooLarge;
    return FrameError::None;
}

} // namespace

FrameError parseFrame(const xmlrpc_c::paramList& params, WireFrame* out) {
    try {
        if (const FrameError error = readFrame(params, out); error != FrameError::None)
            return error;
    } catch (const sdk::StructError& e) {
        if (e.kind() == sdk::StructError::Kind::OutOfRange && e.member() != "ts")
            return FrameError::BadSize;
        if (e.kind() == sdk::StructError::Kind::TooLarge)
            return FrameError::TooLarge;
        return FrameError::Malformed;
    }
    if (out->codec == Codec::Vp8) {
        const auto info = vp8FrameInfo(out->data.data(), out->data.size());
        if (!info)
            return FrameError::NotVp8;
        out->keyframe = info->keyframe;
        // Delta frames carry no size; a keyframe's must be what the sender says (a lying header
        // or a decompression bomb is refused before any decoder allocates for it).
        if (info->keyframe && (info->width != out->width || info->height != out->height))
            return FrameError::SizeMismatch;
        return FrameError::None;
    }
    out->keyframe = true;
    const auto size = jpegDimensions(out->data);
    if (!size)
        return FrameError::NotJpeg;
    if (size->width != out->width || size->height != out->height)
        return FrameError::SizeMismatch;
    return FrameError::None;
}

} // namespace charla::video
