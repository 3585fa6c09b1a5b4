// Faults a method handler answers with. Header only (no ABI): usable whatever the target minor.
//
//   throw charla::sdk::fault(charla::sdk::kFaultBadParams, "text.send: body is empty");
//
// xmlrpc_c::fault takes its own code_t enum, which Charla's codes are not members of: this helper
// is the one place that converts, so handlers never cast.
#pragma once

#include <xmlrpc-c/base.hpp>

#include <string>

namespace charla::sdk {

// Fault codes Charla returns (docs/protocol.md lists them all).
enum FaultCode : int {
    kFaultParse = -32700,         // XML-RPC convention: the call is not well-formed XML-RPC
    kFaultUnknownMethod = -32601, // XML-RPC spec: requested method not found
    kFaultBadParams = -32602,     // wrong count, types or missing struct members
    kFaultInternal = -32603,      // a handler failed unexpectedly
    kFaultUnauthorized = 401,     // missing or wrong shared-secret signature (host)
    kFaultForbidden = 403,        // the caller is not the contact (host)
    kFaultTooLarge = 413,         // the call's payload exceeds the method's limit
    kFaultDuplicate = 409,        // reserved: a conflicting request
    kFaultNoSuchCall = 481,       // call.*: no such call is ringing here (SIP's 481)
    kFaultBusy = 486,             // call.invite: already in another call (SIP's "Busy Here")
    kFaultUnavailable = 503,      // the method exists but cannot serve now
};

// The fault to throw from a method handler: the caller receives `code` and `message`.
inline xmlrpc_c::fault fault(FaultCode code, const std::string& message) {
    return xmlrpc_c::fault(message, static_cast<xmlrpc_c::fault::code_t>(code));
}

} // namespace charla::sdk
