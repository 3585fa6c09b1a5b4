// One running Charla: the Channel listening, the link to the contact, and the plugins. The GUI,
// the command line and the tests all drive the host through this object.
#pragma once

#include "core/call_manager.h"
#include "core/host_channel.h"
#include "core/peer_link.h"
#include "core/plugin_manager.h"

#include <QObject>
#include <QSet>
#include <QStringList>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace charla::host {

struct SessionConfig {
    QString listenAddress = QStringLiteral("0.0.0.0"); // 127.0.0.1 in local mode
    quint16 port = 5000;                               // 0 picks a free one (tests)
    PeerAddress peer;
    QString user;
    QStringList pluginDirs;
    QSet<QString> disabledPlugins;
    std::map<std::string, std::string> pluginOptions; // "id.key" -> value
    QString crashGuardPath;
    std::string secret; // shared secret, empty for none; never logged // see
                        // PluginManager::setCrashGuardPath; empty: no guard
    std::chrono::milliseconds pingInterval{1000};
    // Where this installation's key (identity.pem) and its contacts' keys (known_peers) live;
    // empty: the user's data directory (…/charla). Unused with `plaintext`.
    QString securityDir;
    // Plain HTTP both ways, for a foreign peer that cannot do TLS: only by explicit choice
    // (--allow-plaintext), never a fallback. Otherwise TLS 1.3 with pinned keys (docs/security.md).
    bool plaintext = false;
};

class Session : public QObject {
    Q_OBJECT
public:
    explicit Session(SessionConfig config, QObject* parent = nullptr);
    ~Session() override;

    // Listens, finds and enables plugins, starts the link. Throws StartError.
    void start();
    void stop();

    const SessionConfig& config() const { return config_; }
    HostChannel& channel() { return channel_; }
    PeerLink& link() { return *link_; }
    PluginManager& plugins() { return *plugins_; }
    CallManager& calls() { return *calls_; }

signals:
    void peerChanged(const charla::sdk::PeerInfo& peer); // on this object's thread
    void refusalChanged(const QString& why);             // PeerLink::refusalChanged, queued

private:
    void setUpTls();

    SessionConfig config_;
    std::string tlsError_; // why TLS could not be set up: start() refuses with it
    HostChannel channel_;
    std::unique_ptr<PeerLink> link_;
    std::unique_ptr<CallManager> calls_;
    // After calls_, so it goes first: the plugins read the call from calls_ until they are gone.
    std::unique_ptr<PluginManager> plugins_;
    bool started_ = false;
};

} // namespace charla::host
