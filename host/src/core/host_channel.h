// The central Channel: owns the XML-RPC server, the dispatch table, the streams to the contact and
// every plugin's worker threads. Each plugin sees it through a PluginScope (the SDK's Channel),
// which records what the plugin registered so that disabling it removes exactly that.
#pragma once

#include "core/datagram_socket.h"
#include "core/method_table.h"
#include "core/peer_stream.h"
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
    std::string url() const { return "http://" + host + ":" + std::to_string(port) + "/RPC2"; }
    std::string display() const { return host + ":" + std::to_string(port); }
};

class PluginScope;

class HostChannel {
public:
    HostChannel();
    ~HostChannel();
    HostChannel(const HostChannel&) = delete;
    HostChannel& operator=(const HostChannel&) = delete;

    // Starts the server (XML-RPC on TCP, datagrams on UDP, same port number). Throws StartError
    // with a readable reason.
    void listen(const std::string& address, std::uint16_t port);
    // listen() in two steps: claim the port, then answer (the session enables its plugins in
    // between, so the first call already sees every method).
    void bind(const std::string& address, std::uint16_t port);
    void serve();
    void stopListening();
    std::uint16_t port() const { return server_.port(); }

    // Only the contact may call (loopback only when listening on loopback): docs/security.md.
    void setPeerAddress(PeerAddress address);
    // Empty: no shared secret. Otherwise calls both ways are signed and checked with it.
    void setSecret(std::string secret);
    PeerAddress peerAddress() const;

    MethodTable& methods() { return methods_; }
    DatagramSocket& datagrams() { return datagrams_; }
    std::shared_ptr<CurlPeerStream> makeStream(const std::string& name) const;

    sdk::PeerInfo peer() const;
    void setPeer(sdk::PeerInfo info);

    std::unique_ptr<PluginScope> createScope(const std::string& pluginId);

private:
    MethodTable methods_;
    RpcServer server_;
    DatagramSocket datagrams_;
    void updateAccessPolicy(); // with mutex_ held

    mutable std::mutex mutex_;
    PeerAddress peerAddress_;
    std::string listenAddress_;
    std::string secret_;
    sdk::PeerInfo peer_;
};

// One plugin's view of the Channel, and the record of what it registered.
class PluginScope : public sdk::Channel {
public:
    using FailureHandler = std::function<void(const std::string& what)>;

    PluginScope(HostChannel& channel, std::string pluginId);
    ~PluginScope() override; // shuts down if still running

    void registerMethod(sdk::MethodSpec spec) override;
    void registerWorker(sdk::WorkerSpec spec) override;
    std::shared_ptr<sdk::PeerStream> openStream(const std::string& name) override;
    sdk::PeerInfo peer() const override { return channel_.peer(); }
    bool registerDatagramHandler(DatagramHandler handler) override;
    bool sendDatagram(const std::uint8_t* data, std::size_t size) override;
    std::size_t maxDatagramPayload() const override;

    // Called by the host when a worker thread throws (runs on that worker's thread).
    void setFailureHandler(FailureHandler handler) { onFailure_ = std::move(handler); }

    void closeRegistration() { registrationOpen_ = false; }
    void publishMethods();
    void startWorkers();
    // Removes the methods and the datagram handler (waiting for calls in progress).
    void removeMethods();
    void stopWorkers();
    std::size_t workerCount() const { return workers_.size(); }
    std::vector<std::string> methodNames() const;

private:
    HostChannel& channel_;
    std::string pluginId_;
    bool registrationOpen_ = true;
    bool published_ = false;
    std::vector<sdk::MethodSpec> methods_;
    DatagramHandler datagramHandler_;
    std::vector<sdk::WorkerSpec> workerSpecs_;
    std::vector<std::jthread> workers_;
    std::mutex streamsMutex_;
    std::vector<std::shared_ptr<CurlPeerStream>> streams_;
    FailureHandler onFailure_;
};

} // namespace charla::host
