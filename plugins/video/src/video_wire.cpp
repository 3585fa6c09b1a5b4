#include "video_wire.h"

#include "base64.h"
#include "jpeg_codec.h"

#include <charla/sdk/channel.h>

#include <cmath>
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

int faultCodeFor(FrameError error) {
    return error == FrameError::TooLarge ? sdk::kFaultTooLarge : sdk::kFaultBadParams;
}

namespace {

const xmlrpc_c::value* member(const std::map<std::string, xmlrpc_c::value>& m, const char* key,
                              xmlrpc_c::value::type_t type) {
    auto it = m.find(key);
    if (it == m.end() || it->second.type() != type)
        return nullptr;
    return &it->second;
}

} // namespace

FrameError parseFrame(const xmlrpc_c::paramList& params, WireFrame* out) {
    if (params.size() != 1 || params[0].type() != xmlrpc_c::value::TYPE_STRUCT)
        return FrameError::Malformed;
    const std::map<std::string, xmlrpc_c::value> m = xmlrpc_c::value_struct(params[0]);
    const auto* seq = member(m, "seq", xmlrpc_c::value::TYPE_INT);
    const auto* width = member(m, "width", xmlrpc_c::value::TYPE_INT);
    const auto* height = member(m, "height", xmlrpc_c::value::TYPE_INT);
    const auto* codec = member(m, "codec", xmlrpc_c::value::TYPE_STRING);
    auto tsIt = m.find("ts");
    auto dataIt = m.find("data");
    if (!seq || !width || !height || !codec || tsIt == m.end() || dataIt == m.end())
        return FrameError::Malformed;
    // ts: a double; an int is accepted too (a sender that only has integers).
    double ts = 0;
    if (tsIt->second.type() == xmlrpc_c::value::TYPE_DOUBLE)
        ts = xmlrpc_c::value_double(tsIt->second);
    else if (tsIt->second.type() == xmlrpc_c::value::TYPE_INT)
        ts = xmlrpc_c::value_int(tsIt->second);
    else if (tsIt->second.type() == xmlrpc_c::value::TYPE_I8)
        ts = static_cast<double>(xmlrpc_c::value_i8(tsIt->second));
    else
        return FrameError::Malformed;
    if (!std::isfinite(ts))
        return FrameError::Malformed;
    if (std::string(xmlrpc_c::value_string(*codec)) != "jpeg")
        return FrameError::BadCodec;
    out->seq = xmlrpc_c::value_int(*seq);
    out->ts = ts;
    out->width = xmlrpc_c::value_int(*width);
    out->height = xmlrpc_c::value_int(*height);
    if (out->width < 1 || out->height < 1 || out->width > kMaxDimension ||
        out->height > kMaxDimension)
        return FrameError::BadSize;

    const xmlrpc_c::value& data = dataIt->second;
    if (data.type() == xmlrpc_c::value::TYPE_STRING) {
        const std::string text = xmlrpc_c::value_string(data);
        if (text.size() / 4 * 3 > kMaxJpegBytes + 3)
            return FrameError::TooLarge;
        auto bytes = base64Decode(text);
        if (!bytes)
            return FrameError::Malformed;
        out->jpeg = std::move(*bytes);
    } else if (data.type() == xmlrpc_c::value::TYPE_BYTESTRING) {
        out->jpeg = xmlrpc_c::value_bytestring(data).vectorUcharValue();
    } else {
        return FrameError::Malformed;
    }
    if (out->jpeg.size() > kMaxJpegBytes)
        return FrameError::TooLarge;
    const auto size = jpegDimensions(out->jpeg);
    if (!size)
        return FrameError::NotJpeg;
    if (size->width != out->width || size->height != out->height)
        return FrameError::SizeMismatch;
    return FrameError::None;
}

} // namespace charla::video
