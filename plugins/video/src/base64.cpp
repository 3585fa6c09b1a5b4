#include "base64.h"

#include <array>

namespace charla::video {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xFF;
constexpr std::uint8_t kSkip = 0xFE;
constexpr std::uint8_t kPad = 0xFD;

constexpr std::array<std::uint8_t, 256> makeDecodeTable() {
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table)
        v = kInvalid;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
    for (unsigned char c : {'\r', '\n', ' ', '\t'})
        table[c] = kSkip;
    table[static_cast<unsigned char>('=')] = kPad;
    return table;
}

constexpr std::array<std::uint8_t, 256> kDecode = makeDecodeTable();

} // namespace

std::string base64Encode(const std::uint8_t* data, std::size_t size) {
    std::string out;
    out.resize((size + 2) / 3 * 4);
    char* o = out.data();
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t v =
            (std::uint32_t(data[i]) << 16) | (std::uint32_t(data[i + 1]) << 8) | data[i + 2];
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
        *o++ = kAlphabet[v & 63];
    }
    if (const std::size_t rest = size - i) {
        std::uint32_t v = std::uint32_t(data[i]) << 16;
        if (rest == 2)
            v |= std::uint32_t(data[i + 1]) << 8;
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view text) {
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t acc = 0;
    int have = 0;    // sextets in acc
    int padding = 0; // '=' seen
    for (unsigned char c : text) {
        const std::uint8_t v = kDecode[c];
        if (v == kSkip)
            continue;
        if (v == kInvalid)
            return std::nullopt;
        if (v == kPad) {
            ++padding;
            continue;
        }
        if (padding) // data after padding
            return std::nullopt;
        acc = (acc << 6) | v;
        if (++have == 4) {
            out.push_back(std::uint8_t(acc >> 16));
            out.push_back(std::uint8_t(acc >> 8));
            out.push_back(std::uint8_t(acc));
            acc = 0;
            have = 0;
        }
    }
    if (have == 1 || (have == 0 && padding) || padding > 2 || (have && padding != 4 - have))
        return std::nullopt;
    if (have == 2) {
        out.push_back(std::uint8_t(acc >> 4));
    } else if (have == 3) {
        out.push_back(std::uint8_t(acc >> 10));
        out.push_back(std::uint8_t(acc >> 2));
    }
    return out;
}

} // namespace charla::video
