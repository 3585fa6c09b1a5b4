// The central Channel: owns the XML-RPC server, the dispatch table, the streams to the contact and
// the datagram socket. Each plugin sees it through a PluginScope (core/plugin_scope.h).
#pragma once

#include "core/datagram_socket.h"
#include "core/method_table.h"
#include "core/peer_stream.h"
#include "core/plugin_scope.h"
#include "core/rpc_server.h"

#include <charla/sdk/channel.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace charla::host {

struct PeerAddress {
    std::string host;
    std::uint16_t port = 0;
    std::string url(bool tls = false) const {
        return (tls ? "https://" : "http://") + host + ":" + std::to_string(port) + "/RPC2";
    }
    std::string display() const { return host + ":" + std::to_string(port); }
};

class HostChannel {
public:
    HostChannel();
    ~HostChannel();
    HostChannel(const HostChannel&) = delete;
    HostChannel& operator=(const HostChannel&) = delete;

    // Starts the server (XML-RPC on TCP, datagrams on UDP, same port number): claims the port,
    // runs `beforeServing` (the session enables its plugins there, so the first call already
    // sees every method; a port in use fails before any plugin starts), then answers. Throws
    // StartError with a readable reason, or what `beforeServing` threw.
    void listen(const std::string& address, std::uint16_t port,
                const std::function<void()>& beforeServing = {});
    void stopListening();
    std::uint16_t port() const { return server_.port(); }

    // Only the contact may call (loopback only when listening on loopback): docs/security.md.
    void setPeerAddress(PeerAddress address);
    // Empty: no shared secret. Otherwise calls both ways are signed and checked with it.
    void setSecret(std::string secret);
    // Before listen(): TLS 1.3 both ways with this context (docs/security.md); without one the
    // channel speaks plain HTTP, which only an explicit choice may ask for.
    void setTls(std::shared_ptr<security::TlsContext> tls);
    bool encrypted() const;
    // The TLS context (null with --allow-plaintext): the contact's key for the GUI.
    std::shared_ptr<security::TlsContext> tls() const;
    // Why the contact's key was last refused (a changed key), empty if it was not.
    std::string keyRefusal() const;
    PeerAddress peerAddress() const;

    MethodTable& methods() { return methods_; }
    DatagramSocket& datagrams() { return datagrams_; }
    std::shared_ptr<CurlPeerStream> makeStream(const std::string& name) const;
    // A stream whose TLS connection also keys the datagrams we send (security/datagram_keys.h):
    // after each answered call on a new connection, its exported key becomes the send key.
    // PeerLink's presence stream is the one (open the whole session, a call every second).
    std::shared_ptr<CurlPeerStream> makeKeyingStream(const std::string& name);

    sdk::PeerInfo peer() const;
    void setPeer(sdk::PeerInfo info);

    std::unique_ptr<PluginScope> createScope(const std::string& pluginId);

private:
    void bind(const std::string& address, std::uint16_t port);
    void serve();

    MethodTable methods_;
    RpcServer server_;
    DatagramSocket datagrams_;
    void updateAccessPolicy(); // with mutex_ held

    mutable std::mutex mutex_;
    PeerAddress peerAddress_;
    std::string listenAddress_;
    std::string secret_;
    std::shared_ptr<security::TlsContext> tls_;
    sdk::PeerInfo peer_;
};

} // namespace charla::host
