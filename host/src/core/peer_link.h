// Presence and introductions: serves host.ping and host.hello, pings the contact every second on
// the "host" stream, and says hello on connect and whenever the local plugin set changes, so each
// side knows what the other can receive. Never touches the GUI: it only emits peerChanged().
#pragma once

#include "core/host_channel.h"

#include <charla/sdk/backoff.h>
#include <charla/sdk/peer_info.h>

#include <QObject>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace charla::host {

class PeerLink : public QObject {
    Q_OBJECT
public:
    PeerLink(HostChannel& channel, std::string localUser, QObject* parent = nullptr);
    ~PeerLink() override;

    void start(std::chrono::milliseconds pingInterval = std::chrono::milliseconds(1000));
    void stop();

    // Thread-safe. Announces the new set to the peer with host.hello as soon as possible.
    void setLocalPlugins(std::vector<sdk::PeerPlugin> plugins);

    // The struct this side sends in host.hello (also returned by it).
    xmlrpc_c::value localHello() const;
    // Parses a host.hello struct; throws xmlrpc_c::fault (kFaultBadParams) on a malformed one.
    static sdk::PeerInfo parseHello(const xmlrpc_c::value& hello);

signals:
    // Emitted from any thread when the contact's presence or capabilities changed.
    void peerChanged(const charla::sdk::PeerInfo& peer);
    // Emitted from the link's thread when the contact starts or stops refusing our calls (fault
    // 401: the shared secrets differ; 403: it expects us at another address); empty when it
    // answers again. Without this, both sides would only look "offline" to their users.
    void refusalChanged(const QString& why);

private:
    void run(std::stop_token stop);
    // Says host.hello with our current plugin set; on any failure (unreachable, a fault, an
    // answer that does not parse) schedules the next try by helloBackoff_.
    void introduce(sdk::PeerStream& stream, int theirSerial, int serialToAnnounce,
                   std::chrono::milliseconds timeout);
    void updatePeer(const std::function<void(sdk::PeerInfo&)>& change);

    HostChannel& channel_;
    std::string localUser_;
    std::chrono::milliseconds pingInterval_{1000};

    std::mutex peerUpdateMutex_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::vector<sdk::PeerPlugin> localPlugins_;
    int localSerial_ = 1;     // bumped when the local plugin set changes
    int announcedSerial_ = 0; // what the peer last got from us
    int peerSerial_ = 0;      // the peer's serial from its last hello
    int attemptedSerial_ = 0; // the serial of our last host.hello, whether it worked or not
    // Link thread only: when a failed host.hello may be tried again.
    sdk::Backoff helloBackoff_{std::chrono::seconds(1), std::chrono::seconds(30)};
    std::chrono::steady_clock::time_point helloRetryAt_{};
    std::jthread thread_;
};

} // namespace charla::host
