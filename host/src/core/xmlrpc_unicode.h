// xmlrpc-c 1.33 refuses to hold any character outside the Basic Multilingual Plane (emoji) in a
// string value: every constructor (value_string, xmlrpc_string_new*, the wide ones) runs its
// UTF-8 check, which stops at 3-byte sequences. Its XML writer handles such characters fine.
//
// xmlrpc_unicode.cpp defines xmlrpc_validate_utf8, the library's own exported check, with a
// complete one (RFC 3629: U+0000..U+10FFFF, no overlong forms, no surrogates). A program linking
// charla_core defines the symbol, and the dynamic linker binds libxmlrpc's calls to it (ELF
// symbol interposition): string values then take any Unicode text, in the host and in plugins,
// while text that is not UTF-8 is still refused, with xmlrpc-c's own fault code.
#pragma once

namespace charla::host {

// True when xmlrpc-c string values accept characters outside the BMP, i.e. the check above is
// in effect in this process. Cheap after the first call.
bool xmlrpcStringsHoldAnyUnicode();

} // namespace charla::host
