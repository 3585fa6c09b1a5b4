#include "core/plugin_scope.h"

#include "core/host_channel.h"
#include "core/logging.h"
#include "core/thread_name.h"

#include <stdexcept>

namespace charla::host {

PluginScope::PluginScope(HostChannel& channel, std::string pluginId)
    : channel_(channel), pluginId_(std::move(pluginId)) {}

sdk::PeerInfo PluginScope::peer() const {
    return channel_.peer();
}

PluginScope::~PluginScope() {
    removeMethods();
    stopWorkers();
}

void PluginScope::registerMethod(sdk::MethodSpec spec) {
    if (!registrationOpen_)
        throw std::logic_error(pluginId_ + ": methods can only be registered in initialize()");
    const std::string prefix = pluginId_ + ".";
    if (spec.name.size() <= prefix.size() || spec.name.compare(0, prefix.size(), prefix) != 0)
        throw std::invalid_argument("plugin '" + pluginId_ + "' may only register methods named '" +
                                    prefix + "...', not '" + spec.name + "'");
    for (const auto& m : methods_)
        if (m.name == spec.name)
            throw std::invalid_argument("method " + spec.name + " registered twice");
    methods_.push_back(std::move(spec));
}

void PluginScope::registerWorker(sdk::WorkerSpec spec) {
    if (!registrationOpen_)
        throw std::logic_error(pluginId_ + ": workers can only be registered in initialize()");
    if (!spec.body)
        throw std::invalid_argument("worker " + spec.name + " has no body");
    workerSpecs_.push_back(std::move(spec));
}

bool PluginScope::registerDatagramHandler(DatagramHandler handler) {
    if (!registrationOpen_)
        throw std::logic_error(pluginId_ +
                               ": a datagram handler can only be registered in initialize()");
    if (!handler)
        throw std::invalid_argument(pluginId_ + ": empty datagram handler");
    if (datagramHandler_)
        throw std::invalid_argument(pluginId_ + ": datagram handler registered twice");
    datagramHandler_ = std::move(handler);
    return true;
}

bool PluginScope::sendDatagram(const std::uint8_t* data, std::size_t size) {
    return channel_.datagrams().send(pluginId_, data, size);
}

std::size_t PluginScope::maxDatagramPayload() const {
    return channel_.datagrams().maxPayload(pluginId_);
}

std::shared_ptr<sdk::PeerStream> PluginScope::openStream(const std::string& name) {
    auto stream = channel_.makeStream(pluginId_ + "/" + name);
    std::lock_guard lock(streamsMutex_);
    streams_.push_back(stream);
    return stream;
}

std::vector<std::string> PluginScope::methodNames() const {
    std::vector<std::string> out;
    for (const auto& m : methods_)
        out.push_back(m.name);
    return out;
}

void PluginScope::publishMethods() {
    if (published_)
        return;
    std::vector<std::string> added;
    try {
        for (const auto& m : methods_) {
            channel_.methods().add(pluginId_, m);
            added.push_back(m.name);
        }
        if (datagramHandler_)
            channel_.datagrams().addHandler(pluginId_, datagramHandler_);
    } catch (...) {
        channel_.methods().removeOwner(pluginId_);
        throw;
    }
    published_ = true;
    qCDebug(lcChannel) << pluginId_.c_str() << "serves" << added.size() << "methods";
}

void PluginScope::removeMethods() {
    if (!published_)
        return;
    channel_.methods().removeOwner(pluginId_);
    if (datagramHandler_)
        channel_.datagrams().removeHandler(pluginId_);
    published_ = false;
}

void PluginScope::startWorkers() {
    for (const auto& spec : workerSpecs_) {
        workers_.emplace_back([this, spec](std::stop_token stop) {
            nameThisThread(spec.name); // plugins name theirs "<plugin>-<role>"
            try {
                spec.body(stop);
            } catch (const std::exception& e) {
                qCWarning(lcChannel) << "worker" << spec.name.c_str() << "of" << pluginId_.c_str()
                                     << "failed:" << e.what();
                if (onFailure_)
                    onFailure_(spec.name + ": " + e.what());
            } catch (...) {
                qCWarning(lcChannel) << "worker" << spec.name.c_str() << "of" << pluginId_.c_str()
                                     << "threw a non-exception";
                if (onFailure_)
                    onFailure_(spec.name + ": unknown exception");
            }
        });
    }
}

void PluginScope::stopWorkers() {
    auto started = std::chrono::steady_clock::now();
    for (auto& w : workers_)
        w.request_stop();
    {
        std::lock_guard lock(streamsMutex_);
        for (auto& s : streams_)
            s->interrupt();
        streams_.clear();
    }
    std::size_t count = workers_.size();
    workers_.clear(); // jthread joins
    if (count)
        qCDebug(lcChannel) << pluginId_.c_str() << "stopped" << count << "workers in"
                           << std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count()
                           << "ms";
}

} // namespace charla::host
