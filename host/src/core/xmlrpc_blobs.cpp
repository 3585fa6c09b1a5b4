#include "core/xmlrpc_blobs.h"

#include <xmlrpc-c/xml.hpp>

#include <map>
#include <vector>

namespace charla::host {

namespace {

constexpr std::string_view kMagic = "CBL1";

void putBigEndian(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint32_t getBigEndian(std::string_view in) {
    std::uint32_t v = 0;
    for (const char c : in.substr(0, 4))
        v = v << 8 | static_cast<unsigned char>(c);
    return v;
}

// The value with every base64 value moved to `blobs` and replaced by its reference.
xmlrpc_c::value withBlobsMoved(const xmlrpc_c::value& value, std::string& blobs) {
    switch (value.type()) {
    case xmlrpc_c::value::TYPE_BYTESTRING: {
        const std::vector<unsigned char> bytes =
            xmlrpc_c::value_bytestring(value).vectorUcharValue();
        const BlobRef ref{static_cast<std::uint32_t>(blobs.size()),
                          static_cast<std::uint32_t>(bytes.size())};
        blobs.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        const std::string encoded = encodeBlobRef(ref);
        return xmlrpc_c::value_bytestring(
            std::vector<unsigned char>(encoded.begin(), encoded.end()));
    }
    // A new container: an xmlrpc_c::value that holds something cannot be assigned to.
    case xmlrpc_c::value::TYPE_STRUCT: {
        std::map<std::string, xmlrpc_c::value> members;
        for (const auto& member : xmlrpc_c::value_struct(value).cvalue())
            members.emplace(member.first, withBlobsMoved(member.second, blobs));
        return xmlrpc_c::value_struct(members);
    }
    case xmlrpc_c::value::TYPE_ARRAY: {
        std::vector<xmlrpc_c::value> items;
        for (const auto& item : xmlrpc_c::value_array(value).cvalue())
            items.push_back(withBlobsMoved(item, blobs));
        return xmlrpc_c::value_array(items);
    }
    default:
        return value;
    }
}

} // namespace

std::string encodeBlobRef(BlobRef ref) {
    std::string out(kMagic);
    putBigEndian(out, ref.offset);
    putBigEndian(out, ref.length);
    return out;
}

std::optional<BlobRef> decodeBlobRef(std::string_view bytes) {
    if (bytes.size() != kBlobRefBytes || bytes.substr(0, kMagic.size()) != kMagic)
        return std::nullopt;
    return BlobRef{getBigEndian(bytes.substr(4)), getBigEndian(bytes.substr(8))};
}

bool holdsBytes(const xmlrpc_c::value& value) {
    switch (value.type()) {
    case xmlrpc_c::value::TYPE_BYTESTRING:
        return true;
    case xmlrpc_c::value::TYPE_STRUCT:
        for (const auto& member : xmlrpc_c::value_struct(value).cvalue())
            if (holdsBytes(member.second))
                return true;
        return false;
    case xmlrpc_c::value::TYPE_ARRAY:
        for (const auto& item : xmlrpc_c::value_array(value).cvalue())
            if (holdsBytes(item))
                return true;
        return false;
    default:
        return false;
    }
}

BlobAnswer writeBlobResponse(const xmlrpc_c::value& result) {
    std::string blobs;
    const xmlrpc_c::value moved = withBlobsMoved(result, blobs);
    BlobAnswer answer;
    xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(moved), &answer.body);
    answer.xmlLength = answer.body.size();
    answer.body += blobs;
    return answer;
}

} // namespace charla::host
