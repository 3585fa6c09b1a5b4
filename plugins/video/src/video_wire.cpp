#include "video_wire.h"

#include "base64.h"
#include "jpeg_codec.h"

#include <charla/sdk/struct_reader.h>

#include <map>

namespace charla::video {

xmlrpc_c::paramList frameParams(std::int32_t seq, double ts, int width, int height,
                                const std::vector<std::uint8_t>& jpeg, bool asBase64Type) {
    std::map<std::string, xmlrpc_c::value> m;
    m.emplace("seq", xmlrpc_c::value_int(seq));
    m.emplace("ts", xmlrpc_c::value_double(ts));
    m.emplace("width", xmlrpc_c::value_int(width));
    m.emplace("height", xmlrpc_c::value_int(height));
    m.emplace("codec", xmlrpc_c::value_string("jpeg"));
    if (asBase64Type)
        m.emplace("data", xmlrpc_c::value_bytestring(jpeg));
    else
        m.emplace("data", xmlrpc_c::value_string(base64Encode(jpeg)));
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
    if (frame.string("codec") != "jpeg")
        return FrameError::BadCodec;

    const xmlrpc_c::value& data = frame.value("data");
    if (data.type() == xmlrpc_c::value::TYPE_STRING) {
        const std::string text = frame.string("data", (kMaxJpegBytes + 3) / 3 * 4);
        auto bytes = base64Decode(text);
        if (!bytes)
            frame.fail("data", "is not valid base64");
        out->jpeg = std::move(*bytes);
    } else {
        out->jpeg = frame.bytes("data", kMaxJpegBytes);
    }
    if (out->jpeg.size() > kMaxJpegBytes)
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
    const auto size = jpegDimensions(out->jpeg);
    if (!size)
        return FrameError::NotJpeg;
    if (size->width != out->width || size->height != out->height)
        return FrameError::SizeMismatch;
    return FrameError::None;
}

} // namespace charla::video
