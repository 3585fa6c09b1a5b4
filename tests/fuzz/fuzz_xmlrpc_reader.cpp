// Charla's XML-RPC reader (host/src/core/xmlrpc_reader.cpp) on its own, the first thing every
// call and every answer from the contact meets. The input is one document, read both as a
// <methodCall> and as a <methodResponse>.
//
// The same bytes are also read as a blob answer (core/xmlrpc_blobs.h), the XML ending where the
// first two bytes say.
//
// Properties beyond "no crash, no sanitizer report" (deep nesting must not overflow the stack):
//   - the only exception is XmlRpcParseError, with a message;
//   - what the reader accepts, xmlrpc-c's writer writes back, and the reader accepts that again
//     with the same shape (method name, parameter count, result or fault).
#include "fuzz_common.h"

#include "core/xmlrpc_blobs.h"
#include "core/xmlrpc_reader.h"

#include <xmlrpc-c/xml.hpp>

#include <string>
#include <string_view>

using namespace charla;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view xml(reinterpret_cast<const char*>(data), size);
    try {
        const host::XmlRpcCall call = host::parseXmlRpcCall(xml);
        std::string again;
        xmlrpc_c::xml::generateCall(call.methodName, call.params, &again);
        const host::XmlRpcCall back = host::parseXmlRpcCall(again);
        CHARLA_FUZZ_CHECK(back.methodName == call.methodName, "the method name changed");
        CHARLA_FUZZ_CHECK(back.params.size() == call.params.size(), "the parameter count changed");
    } catch (const host::XmlRpcParseError& e) {
        CHARLA_FUZZ_CHECK(*e.what() != '\0', "a parse error without a message");
    }
    try {
        const xmlrpc_c::rpcOutcome outcome = host::parseXmlRpcResponse(xml);
        std::string again;
        xmlrpc_c::xml::generateResponse(outcome, &again);
        const xmlrpc_c::rpcOutcome back = host::parseXmlRpcResponse(again);
        CHARLA_FUZZ_CHECK(back.succeeded() == outcome.succeeded(), "a result became a fault");
        if (!outcome.succeeded())
            CHARLA_FUZZ_CHECK(back.getFault().getCode() == outcome.getFault().getCode(),
                              "the fault code changed");
    } catch (const host::XmlRpcParseError& e) {
        CHARLA_FUZZ_CHECK(*e.what() != '\0', "a parse error without a message");
    }
    if (size >= 2) {
        const std::size_t xmlLength = (std::size_t{data[0]} << 8 | data[1]) % size;
        try {
            const xmlrpc_c::rpcOutcome outcome = host::parseBlobResponse(xml, xmlLength);
            if (outcome.succeeded()) {
                const host::BlobAnswer again = host::writeBlobResponse(outcome.getResult());
                const xmlrpc_c::rpcOutcome back =
                    host::parseBlobResponse(again.body, again.xmlLength);
                CHARLA_FUZZ_CHECK(back.succeeded(), "a blob answer written back does not read");
            }
        } catch (const host::XmlRpcParseError& e) {
            CHARLA_FUZZ_CHECK(*e.what() != '\0', "a parse error without a message");
        }
    }
    return 0;
}
