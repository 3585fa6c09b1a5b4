// A check run on every XML-RPC document before xmlrpc-c parses it. xmlrpc-c 1.33 (Debian 12)
// crashes (SIGSEGV in its fault formatting) on an <i8> whose text is not a plain in-range integer,
// e.g. <i8>x</i8>: one call from the contact, or one answer from a peer, would kill Charla.
// Found by tests/fuzz; reproducers in tests/fuzz/regressions.
#pragma once

#include <optional>
#include <string>

namespace charla::host {

// Why the document must not reach xmlrpc-c, or nullopt when it may.
std::optional<std::string> xmlrpcHazard(const std::string& xml);

} // namespace charla::host
