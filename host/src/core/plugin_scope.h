// One plugin's view of the HostChannel (the SDK's Channel), and the record of what the plugin
// registered (methods, workers, datagram handler, streams) so that disabling it removes exactly
// that. Created by HostChannel::createScope().
#pragma once

#include "core/peer_stream.h"

#include <charla/sdk/channel.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace charla::host {

class HostChannel;

class PluginScope : public sdk::Channel {
public:
    using FailureHandler = std::function<void(const std::string& what)>;

    PluginScope(HostChannel& channel, std::string pluginId);
    ~PluginScope() override; // shuts down if still running

    void registerMethod(sdk::MethodSpec spec) override;
    void registerWorker(sdk::WorkerSpec spec) override;
    std::shared_ptr<sdk::PeerStream> openStream(const std::string& name) override;
    sdk::PeerInfo peer() const override;
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
