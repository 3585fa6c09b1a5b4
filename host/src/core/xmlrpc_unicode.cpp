#include "core/xmlrpc_unicode.h"

#include <xmlrpc-c/base.h>
#include <xmlrpc-c/util.h>

#include <QByteArrayView>

// Replaces libxmlrpc_util's function of the same name and signature (xmlrpc-c/util.h); see
// xmlrpc_unicode.h for why. Same contract: sets a fault in *envP if the text is not UTF-8.
extern "C" void xmlrpc_validate_utf8(xmlrpc_env* const envP, const char* const utf8_data,
                                     size_t const utf8_len) {
    // Qt's check is the complete one: no overlong forms, no surrogates, nothing past U+10FFFF.
    if (!QByteArrayView(utf8_data, static_cast<qsizetype>(utf8_len)).isValidUtf8())
        xmlrpc_env_set_fault_formatted(envP, XMLRPC_INVALID_UTF8_ERROR,
                                       "%u-byte supposed UTF-8 string is not valid UTF-8",
                                       static_cast<unsigned>(utf8_len));
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
