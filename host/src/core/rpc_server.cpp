#include "core/rpc_server.h"

#include "core/logging.h"
#include "core/thread_name.h"
#include "core/xmlrpc_reader.h"

#include <xmlrpc-c/abyss.h>
#include <xmlrpc-c/girerr.hpp>

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <xmlrpc-c/server_abyss.h>
#include <xmlrpc-c/xml.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace charla::host {

namespace {

constexpr int kFaultParse = -32700; // XML-RPC convention: not well-formed

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
    if (::listen(fd, 16) != 0) {
        int err = errno;
        ::close(fd);
        throw StartError(std::string("cannot listen: ") + std::strerror(err));
    }
    return fd;
}

xmlrpc_c::fault faultOf(int code, const std::string& text) {
    return xmlrpc_c::fault(text, static_cast<xmlrpc_c::fault::code_t>(code));
}

} // namespace

struct RpcServer::Abyss {
    TServer server{};
    TSocket* socket = nullptr;
    int fd = -1;
    bool created = false;
    ~Abyss() {
        if (created)
            ServerFree(&server);
        if (socket)
            SocketDestroy(socket);
        if (fd >= 0)
            ::close(fd);
    }
};

std::string hmacSha256(const std::string& secret, std::initializer_list<std::string_view> parts) {
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, QByteArray::fromStdString(secret));
    for (std::string_view part : parts)
        mac.addData(part.data(), static_cast<qsizetype>(part.size()));
    return mac.result().toStdString();
}

std::string signBody(const std::string& secret, const std::string& body) {
    return QByteArray::fromStdString(hmacSha256(secret, {body})).toHex().toStdString();
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::optional<xmlrpc_c::fault> RpcServer::refusal(const AccessPolicy& policy,
                                                  const std::string& peerIp,
                                                  const std::string& signature,
                                                  const std::string& callXml) {
    if (policy.loopbackOnly ? peerIp.rfind("127.", 0) != 0
                            : !policy.allowedPeerIp.empty() && peerIp != policy.allowedPeerIp)
        return faultOf(sdk::kFaultForbidden,
                       "forbidden: this Charla accepts calls only from its contact");
    if (!policy.secret.empty()) {
        if (!constantTimeEquals(signature, signBody(policy.secret, callXml)))
            return faultOf(sdk::kFaultUnauthorized,
                           "unauthorized: missing or wrong X-Charla-Signature (shared secret)");
    }
    return std::nullopt;
}

// Abyss calls this on the connection's thread with the body of one POST to /RPC2.
void RpcServer::processOnAbyssThread(xmlrpc_env* env, void* arg, const char* callXml,
                                     size_t callXmlLen, TSession* session,
                                     xmlrpc_mem_block** responseXml) {
    auto* self = static_cast<RpcServer*>(arg);
    const std::string call(callXml, callXmlLen);
    std::shared_ptr<const AccessPolicy> policy;
    {
        std::lock_guard lock(self->policyMutex_);
        policy = self->policy_;
    }
    std::string peerIp;
    void* info = nullptr;
    if (SessionGetChannelInfo(session, &info), info) {
        const auto* chan = static_cast<const abyss_unix_chaninfo*>(info);
        if (chan->peerAddr.sa_family == AF_INET) {
            char text[INET_ADDRSTRLEN] = {};
            const auto* in = reinterpret_cast<const sockaddr_in*>(&chan->peerAddr);
            inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
            peerIp = text;
        }
    }
    const char* signature = RequestHeaderValue(session, "x-charla-signature");
    std::string response;
    if (auto refused = refusal(*policy, peerIp, signature ? signature : "", call)) {
        qCWarning(lcChannel).noquote() << "refused a call from" << QString::fromStdString(peerIp)
                                       << ":" << QString::fromStdString(refused->getDescription());
        xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(*refused), &response);
    } else {
        response = processCall(self->table_, call);
    }
    *responseXml = XMLRPC_MEMBLOCK_NEW(char, env, response.size());
    if (!env->fault_occurred)
        std::memcpy(XMLRPC_MEMBLOCK_CONTENTS(char, *responseXml), response.data(), response.size());
}

void RpcServer::setAccessPolicy(AccessPolicy policy) {
    auto shared = std::make_shared<const AccessPolicy>(std::move(policy));
    std::lock_guard lock(policyMutex_);
    policy_ = std::move(shared);
}

std::string RpcServer::processCall(const MethodTable& table, const std::string& callXml) {
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
                throw faultOf(sdk::kFaultBadParams, std::string("call refused: ") + e.what());
            throw faultOf(kFaultParse, std::string("malformed XML-RPC call: ") + e.what());
        }
        name = std::move(call.methodName);
        outcome = xmlrpc_c::rpcOutcome(table.dispatch(name, call.params));
    } catch (const xmlrpc_c::fault& f) {
        qCDebug(lcChannel) << "fault for" << name.c_str() << f.getCode()
                           << f.getDescription().c_str();
        outcome = xmlrpc_c::rpcOutcome(f);
    }
    std::string response;
    try {
        xmlrpc_c::xml::generateResponse(outcome, &response);
    } catch (const std::exception& e) {
        // E.g. a handler returned a string that is not valid UTF-8: answer with a fault instead.
        xmlrpc_c::xml::generateResponse(
            xmlrpc_c::rpcOutcome(
                faultOf(sdk::kFaultInternal, name + ": cannot encode the result: " + e.what())),
            &response);
    }
    return response;
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
    auto abyss = std::make_unique<Abyss>();
    abyss->fd = bindListeningSocket(address, port);
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    ::getsockname(abyss->fd, reinterpret_cast<sockaddr*>(&bound), &len);

    SocketUnixCreateFd(abyss->fd, &abyss->socket);
    if (!abyss->socket)
        throw StartError("cannot hand the listening socket to the HTTP server");
    const char* error = nullptr;
    ServerCreateSocket2(&abyss->server, abyss->socket, &error);
    if (error) {
        std::string why = error;
        std::free(const_cast<char*>(error)); // xmlrpc-c allocates it with malloc
        throw StartError("cannot create the HTTP server: " + why);
    }
    abyss->created = true;
    ServerSetAdvertise(&abyss->server, false);
    ServerSetKeepaliveTimeout(&abyss->server, 60);
    // A media stream makes thousands of calls on one connection: never close it for count.
    ServerSetKeepaliveMaxConn(&abyss->server, 1000000);
    ServerSetTimeout(&abyss->server, 10);
    ServerSetMaxConn(&abyss->server, 32);

    xmlrpc_env env;
    xmlrpc_env_init(&env);
    xmlrpc_server_abyss_handler_parms parms{};
    parms.xml_processor = &RpcServer::processOnAbyssThread;
    parms.xml_processor_arg = this;
    parms.xml_processor_max_stack = 1024 * 1024;
    parms.uri_path = "/RPC2";
    parms.chunk_response = false;
    // XMLRPC_AHPSIZE(chunk_response), without the macro's member access through a null pointer
    // (undefined behaviour that clang's UBSan reports on every server start).
    const auto parmsSize =
        offsetof(xmlrpc_server_abyss_handler_parms, chunk_response) + sizeof parms.chunk_response;
    xmlrpc_server_abyss_set_handler3(&env, &abyss->server, &parms, parmsSize);
    if (env.fault_occurred) {
        std::string why = env.fault_string;
        xmlrpc_env_clean(&env);
        throw StartError("cannot install the XML-RPC handler: " + why);
    }
    xmlrpc_env_clean(&env);
    ServerInit2(&abyss->server, &error);
    if (error) {
        std::string why = error;
        std::free(const_cast<char*>(error)); // xmlrpc-c allocates it with malloc
        throw StartError("cannot start the HTTP server: " + why);
    }
    port_ = ntohs(bound.sin_port);
    abyss_ = std::move(abyss);
    address_ = address;
}

void RpcServer::serve() {
    if (!abyss_ || thread_.joinable())
        return;
    thread_ = std::thread([server = &abyss_->server] {
        nameThisThread("charla-xmlrpc");
        ServerRun(server);
    });
    qCInfo(lcChannel) << "serving XML-RPC on" << address_.c_str() << "port" << port_;
}

void RpcServer::stop() {
    if (!abyss_)
        return;
    ServerTerminate(&abyss_->server);
    if (thread_.joinable())
        thread_.join();
    abyss_.reset();
}

} // namespace charla::host
