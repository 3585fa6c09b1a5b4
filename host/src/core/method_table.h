// The host-owned dispatch table behind the XML-RPC server. xmlrpc-c's registry cannot remove a
// method, so the server sends every call here: removing an owner's entries makes its methods
// vanish at once, and system.listMethods, system.methodSignature and system.methodHelp read the
// same table.
#pragma once

#include <charla/sdk/channel.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace charla::host {

class MethodTable {
public:
    MethodTable();

    // Adds a method owned by `owner` (a plugin id, or "host"). Throws std::invalid_argument if
    // the name is taken.
    void add(const std::string& owner, sdk::MethodSpec spec);
    // Removes every method of `owner`, then waits until calls already inside its handlers have
    // returned, so the owner may be destroyed afterwards.
    void removeOwner(const std::string& owner);

    // Called (on the server thread) when an owner's handler throws something other than a fault
    // or a parameter error: the host marks that plugin failed.
    using FailureHandler = std::function<void(const std::string& owner, const std::string& what)>;
    void setFailureHandler(FailureHandler handler);

    std::vector<std::string> names() const;
    bool contains(const std::string& name) const;

    // Runs the call. Throws xmlrpc_c::fault for an unknown method, a payload over the limit,
    // bad parameters or a failing handler.
    xmlrpc_c::value dispatch(const std::string& name, const xmlrpc_c::paramList& params) const;

private:
    // Counts calls in flight for one owner, so removeOwner can wait for them.
    struct OwnerGate {
        std::mutex mutex;
        std::condition_variable idle;
        int inFlight = 0;
    };
    struct Entry {
        std::string owner;
        sdk::MethodSpec spec;
        std::shared_ptr<OwnerGate> gate;
    };

    void reportFailure(const std::string& owner, const std::string& what) const;
    // The entry of a method served now; throws fault -32601 for an unknown one.
    std::shared_ptr<const Entry> find(const std::string& name) const;

    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const Entry>> entries_;
    std::map<std::string, std::shared_ptr<OwnerGate>> gates_;
    FailureHandler onFailure_;
};

// Bytes of string and base64 data in a value, recursively: the part of a call that can be big.
std::size_t payloadBytes(const xmlrpc_c::value& value);

} // namespace charla::host
