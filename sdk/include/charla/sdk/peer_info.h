// What the host knows about the contact, learned from host.hello (docs/protocol.md).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace charla::sdk {

// One plugin the peer has enabled, and which media kinds it can send and receive.
struct PeerPlugin {
    std::string id;
    std::string version;
    std::vector<std::string> sends;
    std::vector<std::string> receives;
    // Plugin-defined facts for the peer's plugin of the same id, e.g. {"codecs": "opus,pcm16"}.
    std::map<std::string, std::string> params;

    bool canSend(const std::string& kind) const { return contains(sends, kind); }
    bool canReceive(const std::string& kind) const { return contains(receives, kind); }

private:
    static bool contains(const std::vector<std::string>& list, const std::string& kind) {
        for (const auto& k : list)
            if (k == kind)
                return true;
        return false;
    }
};

struct PeerInfo {
    bool online = false;     // answers host.ping right now
    bool introduced = false; // at least one host.hello has been exchanged
    std::string app;
    std::string appVersion;
    int protocol = 0;
    std::string user; // the contact's display name
    std::vector<PeerPlugin> plugins;

    // The peer's enabled plugin with this id, or nullptr.
    const PeerPlugin* plugin(const std::string& id) const {
        for (const auto& p : plugins)
            if (p.id == id)
                return &p;
        return nullptr;
    }
    // True when the peer has plugin `id` enabled and it can receive `kind` (e.g. "text").
    bool receives(const std::string& id, const std::string& kind) const {
        const PeerPlugin* p = plugin(id);
        return p && p->canReceive(kind);
    }
    bool sends(const std::string& id, const std::string& kind) const {
        const PeerPlugin* p = plugin(id);
        return p && p->canSend(kind);
    }
};

} // namespace charla::sdk
