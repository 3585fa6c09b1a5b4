#include "core/xmlrpc_unicode.h"

#include <xmlrpc-c/base.h>
#include <xmlrpc-c/util.h>

#include <cstddef>
#include <cstdint>

namespace {

// Length of the valid UTF-8 sequence at s[i..n), or 0 if there is none.
std::size_t sequenceLength(const unsigned char* s, std::size_t i, std::size_t n) {
    const unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0; // a continuation byte, an overlong lead (C0, C1) or beyond U+10FFFF (F5..FF)
    }
    if (n - i < len)
        return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF)
        return 0; // overlong, or out of range
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0; // a UTF-16 surrogate is not a character
    return len;
}

} // namespace

// Replaces libxmlrpc_util's function of the same name and signature (xmlrpc-c/util.h); see
// xmlrpc_unicode.h for why. Same contract: sets a fault in *envP if the text is not UTF-8.
extern "C" void xmlrpc_validate_utf8(xmlrpc_env* const envP, const char* const utf8_data,
                                     size_t const utf8_len) {
    const auto* s = reinterpret_cast<const unsigned char*>(utf8_data);
    for (std::size_t i = 0; i < utf8_len;) {
        const std::size_t len = sequenceLength(s, i, utf8_len);
        if (len == 0) {
            xmlrpc_env_set_fault_formatted(envP, XMLRPC_INVALID_UTF8_ERROR,
                                           "%u-byte supposed UTF-8 string is not valid UTF-8 "
                                           "(byte 0x%02x at offset %u)",
                                           static_cast<unsigned>(utf8_len), s[i],
                                           static_cast<unsigned>(i));
            return;
        }
        i += len;
    }
}

namespace charla::host {

bool xmlrpcStringsHoldAnyUnicode() {
    static const bool holds = [] {
        xmlrpc_env env;
        xmlrpc_env_init(&env);
        const char wave[] = "\xF0\x9F\x91\x8B"; // U+1F44B
        xmlrpc_value* v = xmlrpc_string_new_lp(&env, sizeof wave - 1, wave);
        const bool ok = !env.fault_occurred;
        if (v)
            xmlrpc_DECREF(v);
        xmlrpc_env_clean(&env);
        return ok;
    }();
    return holds;
}

} // namespace charla::host
