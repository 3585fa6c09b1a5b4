// The XML-RPC server: Charla's own HTTP server (http_server.h) on a socket Charla binds itself
// (a port in use or a foreign address gives a clear error; tests can ask for port 0).
//
// The address rule of the AccessPolicy is applied when a connection is accepted; each call's
// XML then goes to our processor, which checks the signature, parses the call with Charla's own
// reader (xmlrpc_reader.h) and dispatches through the MethodTable. We skip xmlrpc-c's registry on
// purpose: it cannot remove a method and its built-in system.listMethods cannot be replaced, while
// Charla's list must change the moment a plugin is disabled.
#pragma once

#include "core/method_table.h"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;

namespace charla::security {
class TlsContext;
}

namespace charla::host {

class StartError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class HttpServer;
struct HttpRequest;
struct HttpAnswer;

// Who may call (docs/security.md). The address is checked when a connection is accepted (anyone
// else is closed before a byte is read) and again, with the signature, before each call is
// parsed; a refused call gets a fault and changes nothing.
struct AccessPolicy {
    bool loopbackOnly = false; // local mode: 127.0.0.0/8 only
    std::string allowedPeerIp; // otherwise: only this IPv4 address (empty: anyone, tests only)
    std::string secret;        // non-empty: every call carries X-Charla-Signature (HMAC-SHA256)
    std::string contact;       // "host:port": whose key a TLS client must present (known peers)
};

// hex(HMAC-SHA256(secret, body)): the signature both directions put in X-Charla-Signature over
// plain HTTP (--allow-plaintext).
std::string signBody(const std::string& secret, const std::string& body);
// hex(HMAC-SHA256(secret, binding | body)): the signature over TLS, where `binding` is the
// connection's 32-byte exporter value (security/tls.h exportSecretBinding; docs/protocol.md
// "Shared secret"). With an empty binding it is signBody().
std::string signCall(const std::string& secret, std::string_view binding, const std::string& body);
// Whether `signature` (a header's value) is signCall(secret, binding, body), compared in constant
// time: the one check of a call's signature (server) and of an answer's (client).
bool signatureMatches(const std::string& secret, std::string_view binding, const std::string& body,
                      std::string_view signature);
// The header of both signatures: a call's, and over TLS the answer's to a call that proved the
// secret, hex(HMAC-SHA256(secret, answer binding | answer body)) (signCall with the connection's
// exportAnswerBinding(): docs/protocol.md "Shared secret").
inline constexpr char kSignatureHeader[] = "X-Charla-Signature";
// The raw 32-byte HMAC-SHA256 of the concatenated parts (the datagrams' tag is cut from it).
std::string hmacSha256(const std::string& secret, std::initializer_list<std::string_view> parts);
// Compares two digests in constant time: the time taken must not reveal how much of a guess was
// right.
bool constantTimeEquals(std::string_view a, std::string_view b);

class RpcServer {
public:
    explicit RpcServer(MethodTable& table);
    ~RpcServer();
    RpcServer(const RpcServer&) = delete;
    RpcServer& operator=(const RpcServer&) = delete;

    // Binds `address`:`port` (port 0 picks a free one) and starts serving. Throws StartError with
    // a readable reason.
    void start(const std::string& address, std::uint16_t port);
    // The two halves of start(): bind() claims the port (so a port in use fails before anything
    // else starts); connections wait in the backlog until serve() starts answering them.
    void bind(const std::string& address, std::uint16_t port);
    void serve();
    // Stops at once: closes every connection, waits for the calls in progress, joins the
    // server's threads.
    void stop();
    std::uint16_t port() const { return port_; }

    // Thread-safe; applies to the next connection and the next call.
    void setAccessPolicy(AccessPolicy policy);
    // Before bind(): with a context, every connection is TLS 1.3 and the client's key must be the
    // contact's (security/tls.h); without, plain HTTP (only by explicit choice: --allow-plaintext).
    void setTls(std::shared_ptr<security::TlsContext> tls) { tls_ = std::move(tls); }
    bool encrypted() const { return tls_ != nullptr; }
    // Before bind(): told of every TLS connection whose key was accepted (on the server's I/O
    // thread; the SSL only during the call) and of its close. HostChannel keys datagrams there.
    struct TlsObserver {
        std::function<void(std::uint64_t connection, SSL* ssl)> established;
        std::function<void(std::uint64_t connection)> closed;
    };
    void setTlsObserver(TlsObserver observer) { tlsObserver_ = std::move(observer); }

    // Turns one call document into a response document (a fault for anything malformed).
    // Public for the tests and the fuzzers.
    static std::string processCall(const MethodTable& table, const std::string& callXml);
    // The same as the HTTP answer: with `blobsAccepted` (the client's Accept header names
    // kBlobContentType) a result holding base64 values is a blob answer (core/xmlrpc_blobs.h).
    static HttpAnswer answerCall(const MethodTable& table, const std::string& callXml,
                                 bool blobsAccepted);

    // The access check for one call: empty if allowed, else the fault to answer with. Over TLS
    // `binding` is the connection's (HttpRequest::channelBinding): the signature must cover it.
    static std::optional<xmlrpc_c::fault>
    refusal(const AccessPolicy& policy, const std::string& peerIp, const std::string& signature,
            const std::string& callXml, std::string_view binding = {});

    // The address half of the access check (docs/security.md).
    static bool addressAllowed(const AccessPolicy& policy, const std::string& peerIp);

private:
    std::shared_ptr<const AccessPolicy> policy() const;
    // One request, on a worker of the HTTP server: the access check, then processCall.
    HttpAnswer answer(const HttpRequest& request) const;

    MethodTable& table_;
    mutable std::mutex policyMutex_;
    std::shared_ptr<const AccessPolicy> policy_ = std::make_shared<AccessPolicy>();
    std::shared_ptr<security::TlsContext> tls_; // before http_: outlives it
    TlsObserver tlsObserver_;
    std::unique_ptr<HttpServer> http_;
    bool serving_ = false;
    std::uint16_t port_ = 0;
    std::string address_;
};

} // namespace charla::host
