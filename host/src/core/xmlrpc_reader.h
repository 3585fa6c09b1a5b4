// Charla's own reader of XML-RPC documents: every call and every answer from the contact is
// parsed here, never by xmlrpc-c's parser, which is not for untrusted input (a value nested some
// tens of thousands deep overflows its stack; it refuses every character outside the BMP; it
// crashed on <i8>x</i8>). Built on QXmlStreamReader (streaming, no external entities, DTDs
// refused here), it builds the xmlrpc_c::value tree itself within the limits below.
// xmlrpc-c still provides the value types and writes the XML Charla sends.
//
// docs/protocol.md ("Parse limits") says what a foreign peer sees; docs/decisions.md why.
#pragma once

#include <xmlrpc-c/base.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace charla::host {

struct XmlRpcLimits {
    // The largest document. RpcServer refuses larger request bodies (413) before reading them,
    // and CurlPeerStream stops reading an answer past it. A 720p frame is ~0.3 MB; the video
    // plugin's largest is kMaxJpegBytes (4 MiB) as base64, ~5.6 MB.
    std::size_t maxDocumentBytes = 16 * 1024 * 1024;
    // How deep values nest: a parameter is depth 1, a member of a struct in it depth 2. Charla's
    // own documents go 4 deep; the bound keeps recursion and xmlrpc-c's recursive destruction
    // of the tree shallow.
    int maxDepth = 64;
    // Start tags in the document. Charla's largest documents (host.hello with every plugin, a
    // stats answer with latency histograms) hold a few thousand; each costs an xmlrpc_value on
    // the heap, so 100 000 keep a hostile 16 MiB document of <value/>s from becoming ~2 million
    // values and hundreds of MB.
    std::size_t maxElements = 100'000;
    // Members of one struct: xmlrpc-c looks a member up by scanning, so building a struct of n
    // members costs n^2/2 comparisons (10 000 members: ~5 ms; 30 000: ~0.5 s).
    std::size_t maxStructMembers = 10'000;
    // Bytes of one string (as UTF-8) or one base64 value (decoded). As big as a document may be:
    // the per-method limit (MethodSpec::maxPayloadBytes, fault 413) is the real guard.
    std::size_t maxStringBytes = 16 * 1024 * 1024;
};

// Why a document was refused. limitExceeded(): well-formed as far as read, but over one of the
// XmlRpcLimits; otherwise not well-formed XML or not XML-RPC.
class XmlRpcParseError : public std::runtime_error {
public:
    XmlRpcParseError(bool limitExceeded, const std::string& what)
        : std::runtime_error(what), limitExceeded_(limitExceeded) {}
    bool limitExceeded() const { return limitExceeded_; }

private:
    bool limitExceeded_;
};

struct XmlRpcCall {
    std::string methodName;
    xmlrpc_c::paramList params;
};

// Parses a <methodCall>. Throws XmlRpcParseError.
XmlRpcCall parseXmlRpcCall(std::string_view xml, const XmlRpcLimits& limits = {});

// Parses a <methodResponse>: the result, or the fault it carries. Throws XmlRpcParseError.
xmlrpc_c::rpcOutcome parseXmlRpcResponse(std::string_view xml, const XmlRpcLimits& limits = {});

// Parses the body of a blob answer (xmlrpc_blobs.h): the <methodResponse> in its first
// `xmlLength` bytes, whose base64 references take their bytes from the rest. Throws
// XmlRpcParseError, also for a reference outside the blobs.
xmlrpc_c::rpcOutcome parseBlobResponse(std::string_view body, std::size_t xmlLength,
                                       const XmlRpcLimits& limits = {});

} // namespace charla::host
