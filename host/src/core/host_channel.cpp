#include "core/host_channel.h"

#include "core/logging.h"
#include "core/plugin_scope.h"
#include "security/datagram_keys.h"
#include "security/tls.h"

namespace charla::host {

HostChannel::HostChannel() : server_(methods_) {
    // The contact's datagram keys come from the connections it opened to our server, one per
    // connection (security/datagram_keys.h): from its handshake until a grace after its close.
    server_.setTlsObserver(
        {[this](std::uint64_t connection, SSL* ssl) {
             if (auto key = security::exportDatagramKey(ssl))
                 datagrams_.receiveKeys().add(connection, *key);
             else
                 qCWarning(lcSecurity) << "cannot export datagram keys from a TLS connection";
         },
         [this](std::uint64_t connection) {
             datagrams_.receiveKeys().retire(connection, std::chrono::steady_clock::now());
         }});
}

HostChannel::~HostChannel() {
    stopListening();
}

void HostChannel::listen(const std::string& address, std::uint16_t port,
                         const std::function<void()>& beforeServing) {
    bind(address, port);
    if (beforeServing) {
        try {
            beforeServing();
        } catch (...) {
            stopListening();
            throw;
        }
    }
    serve();
}

void HostChannel::bind(const std::string& address, std::uint16_t port) {
    {
        std::lock_guard lock(mutex_);
        listenAddress_ = address;
        updateAccessPolicy();
    }
    server_.bind(address, port);
    try {
        datagrams_.bind(address, server_.port());
    } catch (...) {
        server_.stop();
        throw;
    }
}

void HostChannel::serve() {
    server_.serve();
    datagrams_.start();
}

void HostChannel::setSecret(std::string secret) {
    std::lock_guard lock(mutex_);
    secret_ = std::move(secret);
    updateAccessPolicy();
}

void HostChannel::updateAccessPolicy() {
    AccessPolicy policy;
    policy.loopbackOnly = listenAddress_.rfind("127.", 0) == 0;
    policy.allowedPeerIp = peerAddress_.host;
    policy.secret = secret_;
    policy.contact = peerAddress_.display();
    DatagramPolicy datagramPolicy;
    datagramPolicy.loopbackOnly = policy.loopbackOnly;
    datagramPolicy.peerHost = peerAddress_.host;
    datagramPolicy.peerPort = peerAddress_.port;
    datagramPolicy.secret = secret_;
    datagramPolicy.sealed = tls_ != nullptr;
    datagrams_.setPolicy(std::move(datagramPolicy));
    server_.setAccessPolicy(std::move(policy));
}

void HostChannel::stopListening() {
    server_.stop();
    datagrams_.stop();
    datagrams_.receiveKeys().clear();
}

void HostChannel::setPeerAddress(PeerAddress address) {
    std::lock_guard lock(mutex_);
    peerAddress_ = std::move(address);
    updateAccessPolicy();
}

void HostChannel::setTls(std::shared_ptr<security::TlsContext> tls) {
    std::lock_guard lock(mutex_);
    tls_ = tls;
    server_.setTls(std::move(tls));
    updateAccessPolicy();
}

bool HostChannel::encrypted() const {
    std::lock_guard lock(mutex_);
    return tls_ != nullptr;
}

std::shared_ptr<security::TlsContext> HostChannel::tls() const {
    std::lock_guard lock(mutex_);
    return tls_;
}

std::string HostChannel::keyRefusal() const {
    std::lock_guard lock(mutex_);
    return tls_ ? tls_->lastRefusal().toStdString() : std::string();
}

PeerAddress HostChannel::peerAddress() const {
    std::lock_guard lock(mutex_);
    return peerAddress_;
}

std::shared_ptr<CurlPeerStream> HostChannel::makeStream(const std::string& name) const {
    std::lock_guard lock(mutex_);
    return std::make_shared<CurlPeerStream>(name, peerAddress_.url(tls_ != nullptr), secret_, tls_,
                                            peerAddress_.display());
}

std::shared_ptr<CurlPeerStream> HostChannel::makeKeyingStream(const std::string& name) {
    auto stream = makeStream(name);
    if (encrypted())
        stream->setDatagramKeySink(
            [this](const security::DatagramKey& key) { datagrams_.setSendKey(key); });
    return stream;
}

sdk::PeerInfo HostChannel::peer() const {
    std::lock_guard lock(mutex_);
    return peer_;
}

void HostChannel::setPeer(sdk::PeerInfo info) {
    std::lock_guard lock(mutex_);
    peer_ = std::move(info);
}

std::unique_ptr<PluginScope> HostChannel::createScope(const std::string& pluginId) {
    return std::make_unique<PluginScope>(*this, pluginId);
}

} // namespace charla::host
