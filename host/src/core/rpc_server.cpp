#include "core/rpc_server.h"

#include "core/http_server.h"
#include "core/logging.h"
#include "core/xmlrpc_blobs.h"
#include "core/xmlrpc_reader.h"
#include "security/tls.h"

#include <xmlrpc-c/girerr.hpp>

#include <QByteArray>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <xmlrpc-c/xml.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace charla::host {

namespace {

int bindListeningSocket(const std::string& address, std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1)
        throw StartError("cannot listen on '" + address + "': not an IPv4 address");
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw StartError(std::string("cannot create a socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int err = errno;
        ::close(fd);
        const std::string where = address + ":" + std::to_string(port);
        if (err == EADDRINUSE)
            throw StartError("port " + std::to_string(port) +
                             " is already in use (is another Charla running?)");
        if (err == EACCES)
            throw StartError("not allowed to listen on " + where +
                             " (ports below 1024 need privileges)");
        if (err == EADDRNOTAVAIL)
            throw StartError("cannot listen on " + where + ": the address is not on this machine");
        throw StartError("cannot listen on " + where + ": " + std::strerror(err));
    }
    // Room for a burst of connections between two turns of the accept loop: a full backlog
    // drops SYNs, and the client's retry comes a whole second later.
    if (::listen(fd, 128) != 0) {
        int err = errno;
        ::close(fd);
        throw StartError(std::string("cannot listen: ") + std::strerror(err));
    }
    return fd;
}

// Whether the client asked for blob answers (docs/protocol.md "Blob answers").
bool acceptsBlobAnswers(const HttpRequest& request) {
    return request.header("accept").find(kBlobContentType) != std::string::npos;
}

} // namespace

std::string hmacSha256(const std::string& secret, std::initializer_list<std::string_view> parts) {
    // OpenSSL's HMAC, not Qt's: Qt 6.4's SHA-256 does not use the CPU's SHA extensions (8x
    // slower here), and with a secret every call and answer body is signed, file chunks too.
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr); // kept for the process
    const std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> context(
        hmac ? EVP_MAC_CTX_new(hmac) : nullptr, EVP_MAC_CTX_free);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    // A key pointer even for an empty secret: a null one means "the key set before".
    static const unsigned char kEmpty = 0;
    const auto* key =
        secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(secret.data());
    if (!context || EVP_MAC_init(context.get(), key, secret.size(), params) != 1)
        throw std::runtime_error("OpenSSL cannot compute HMAC-SHA256");
    for (std::string_view part : parts)
        EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(part.data()),
                       part.size());
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    EVP_MAC_final(context.get(), out, &length, sizeof out);
    return std::string(reinterpret_cast<const char*>(out), length);
}

std::string signBody(const std::string& secret, const std::string& body) {
    return signCall(secret, {}, body);
}

std::string signCall(const std::string& secret, std::string_view binding, const std::string& body) {
    return QByteArray::fromStdString(hmacSha256(secret, {binding, body})).toHex().toStdString();
}

bool signatureMatches(const std::string& secret, std::string_view binding, const std::string& body,
                      std::string_view signature) {
    return constantTimeEquals(signature, signCall(secret, binding, body));
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool RpcServer::addressAllowed(const AccessPolicy& policy, const std::string& peerIp) {
    return policy.loopbackOnly ? peerIp.rfind("127.", 0) == 0
                               : policy.allowedPeerIp.empty() || peerIp == policy.allowedPeerIp;
}

std::optional<xmlrpc_c::fault> RpcServer::refusal(const AccessPolicy& policy,
                                                  const std::string& peerIp,
                                                  const std::string& signature,
                                                  const std::string& callXml,
                                                  std::string_view binding) {
    // Checked at accept already; again here because the policy may have changed since.
    if (!addressAllowed(policy, peerIp))
        return sdk::fault(sdk::kFaultForbidden,
                          "forbidden: this Charla accepts calls only from its contact");
    if (!policy.secret.empty()) {
        if (!signatureMatches(policy.secret, binding, callXml, signature))
            return sdk::fault(sdk::kFaultUnauthorized,
                              binding.empty()
                                  ? "unauthorized: missing or wrong X-Charla-Signature (shared "
                                    "secret)"
                                  : "unauthorized: missing or wrong X-Charla-Signature (shared "
                                    "secret, bound to this TLS connection)");
    }
    return std::nullopt;
}

std::shared_ptr<const AccessPolicy> RpcServer::policy() const {
    std::lock_guard lock(policyMutex_);
    return policy_;
}

HttpAnswer RpcServer::answer(const HttpRequest& request) const {
    const std::shared_ptr<const AccessPolicy> policy = this->policy();
    HttpAnswer answer;
    if (auto refused = refusal(*policy, request.peerIp, request.header("x-charla-signature"),
                               request.body, request.channelBinding)) {
        qCWarning(lcChannel).noquote()
            << "refused a call from" << QString::fromStdString(request.peerIp) << ":"
            << QString::fromStdString(refused->getDescription());
        // Unsigned: a caller that did not prove the secret gets no signature to guess it from.
        xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(*refused), &answer.body);
        return answer;
    }
    const bool bound = tls_ && !policy->secret.empty() && !request.channelBinding.empty();
    // The signature covered this TLS connection's binding: the key its client presented belongs
    // to someone with the secret (security/tls.h verifyBySecret).
    if (bound)
        tls_->verifyBySecret(policy->contact, request.peerKey);
    answer = answerCall(table_, request.body, acceptsBlobAnswers(request));
    // And the answer proves to the client that we hold the secret too: until it has such an
    // answer from our key, it sends us nothing but host.ping (docs/security.md).
    if (bound)
        answer.headers.emplace_back(kSignatureHeader,
                                    signCall(policy->secret, request.answerBinding, answer.body));
    return answer;
}

void RpcServer::setAccessPolicy(AccessPolicy policy) {
    auto shared = std::make_shared<const AccessPolicy>(std::move(policy));
    std::lock_guard lock(policyMutex_);
    policy_ = std::move(shared);
}

std::string RpcServer::processCall(const MethodTable& table, const std::string& callXml) {
    return answerCall(table, callXml, false).body;
}

HttpAnswer RpcServer::answerCall(const MethodTable& table, const std::string& callXml,
                                 bool blobsAccepted) {
    xmlrpc_c::rpcOutcome outcome;
    std::string name;
    try {
        XmlRpcCall call;
        try {
            call = parseXmlRpcCall(callXml);
        } catch (const XmlRpcParseError& e) {
            // Over a limit: well-formed as far as read, but its parameters are more than Charla
            // takes (docs/protocol.md, "Parse limits").
            if (e.limitExceeded())
                throw sdk::fault(sdk::kFaultBadParams, std::string("call refused: ") + e.what());
            throw sdk::fault(sdk::kFaultParse, std::string("malformed XML-RPC call: ") + e.what());
        }
        name = std::move(call.methodName);
        outcome = xmlrpc_c::rpcOutcome(table.dispatch(name, call.params));
    } catch (const xmlrpc_c::fault& f) {
        qCDebug(lcChannel) << "fault for" << name.c_str() << f.getCode()
                           << f.getDescription().c_str();
        outcome = xmlrpc_c::rpcOutcome(f);
    }
    HttpAnswer answer;
    try {
        if (blobsAccepted && outcome.succeeded() && holdsBytes(outcome.getResult())) {
            BlobAnswer blobs = writeBlobResponse(outcome.getResult());
            answer.body = std::move(blobs.body);
            answer.contentType = kBlobContentType;
            answer.headers.emplace_back(kXmlLengthHeader, std::to_string(blobs.xmlLength));
        } else {
            xmlrpc_c::xml::generateResponse(outcome, &answer.body);
        }
    } catch (const std::exception& e) {
        // E.g. a handler returned a string that is not valid UTF-8: answer with a fault instead.
        answer = HttpAnswer{};
        xmlrpc_c::xml::generateResponse(
            xmlrpc_c::rpcOutcome(
                sdk::fault(sdk::kFaultInternal, name + ": cannot encode the result: " + e.what())),
            &answer.body);
    }
    return answer;
}

RpcServer::RpcServer(MethodTable& table) : table_(table) {}

RpcServer::~RpcServer() {
    stop();
}

void RpcServer::start(const std::string& address, std::uint16_t port) {
    bind(address, port);
    serve();
}

void RpcServer::bind(const std::string& address, std::uint16_t port) {
    stop(); // a server that was bound before lets go of its port first
    const int fd = bindListeningSocket(address, port);
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);

    HttpLimits limits;
    // The parser's whole-document limit: a bigger body is refused with 413 from its headers,
    // before it is read.
    limits.maxBodyBytes = XmlRpcLimits{}.maxDocumentBytes;
    HttpCallbacks callbacks;
    callbacks.acceptFrom = [this](const std::string& peerIp) {
        return addressAllowed(*policy(), peerIp);
    };
    callbacks.handle = [this](const HttpRequest& request) { return answer(request); };
    // A client asks for blob answers only in calls that pull bytes, as a file's chunks (docs/
    // protocol.md "Blob answers"): bulk work, which must not take the CPU from a call.
    callbacks.background = acceptsBlobAnswers;
    if (tls_)
        callbacks.acceptPeerKey = [this](const std::string&, const std::string& peerKey) {
            return tls_->checkPeerKey(policy()->contact, QByteArray::fromStdString(peerKey));
        };
    if (tls_) {
        callbacks.tlsEstablished = tlsObserver_.established;
        callbacks.tlsClosed = tlsObserver_.closed;
    }
    http_ = std::make_unique<HttpServer>(fd, "/RPC2", limits, std::move(callbacks),
                                         tls_ ? tls_->serverContext() : nullptr);
    port_ = ntohs(bound.sin_port);
    address_ = address;
}

void RpcServer::serve() {
    if (!http_ || serving_)
        return;
    http_->start("charla-xmlrpc");
    serving_ = true;
    qCInfo(lcChannel) << "serving XML-RPC on" << address_.c_str() << "port" << port_
                      << (tls_ ? "(TLS 1.3 only)" : "(plain HTTP: NOT ENCRYPTED, by choice)");
}

void RpcServer::stop() {
    if (!http_)
        return;
    http_.reset(); // stops, joins and closes the listening socket
    serving_ = false;
}

} // namespace charla::host
