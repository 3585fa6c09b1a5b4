// The host's UDP socket: bound to the same address and port number as the XML-RPC server (TCP
// and UDP ports are separate), so that the contact's datagrams come from the very port its
// XML-RPC server listens on and the receiver can check address and port.
//
// One receive thread of its own (poll + recvmsg on a plain POSIX socket) demultiplexes by plugin
// id and calls that plugin's handler. Why not QUdpSocket: it needs a Qt event loop on the thread
// that reads it, and the GUI thread must never carry media; a thread of our own with poll() is
// simpler than a QThread with an event loop and costs one wake-up per datagram.
//
// Sending is sendto() with MSG_DONTWAIT on the same socket, from any thread: it never waits for
// the network; a full socket buffer is a dropped datagram, counted.
#pragma once

#include "core/datagram.h"
#include "security/datagram_keys.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace charla::host {

// Who may send to us and where we send: docs/security.md, "Datagrams".
struct DatagramPolicy {
    bool loopbackOnly = false;  // local mode: the source must be on 127.0.0.0/8 ...
    std::string peerHost;       // ... otherwise exactly this IPv4 address (resolved once)
    std::uint16_t peerPort = 0; // and the source port must be the contact's port, always
    std::string secret;         // non-empty: datagrams carry a tag, untagged ones are dropped
    // TLS between the two Charlas: every datagram sealed both ways (security/datagram_keys.h),
    // an unsealed one dropped; the secret plays no part. False only with --allow-plaintext.
    bool sealed = false;
};

// A snapshot of the counters (tests, benchmarks, the log).
struct DatagramStats {
    std::uint64_t sent = 0;
    std::uint64_t bytesSent = 0;  // datagram bytes (our header + payload; no IP/UDP headers)
    std::uint64_t sendFailed = 0; // buffer full, no contact, too large
    std::uint64_t received = 0;   // every datagram read from the socket
    std::uint64_t bytesReceived = 0;
    std::uint64_t delivered = 0;    // handed to a plugin's handler
    std::uint64_t foreign = 0;      // not from the contact's address and port
    std::uint64_t unauthorized = 0; // missing or wrong tag, unsealed when sealed, unknown epoch
    std::uint64_t replayed = 0;     // sealed, authentic, but its sequence number was seen or is
                                    // too far behind (security/replay_window.h)
    std::uint64_t malformed = 0;    // bad header
    std::uint64_t oversize = 0;     // larger than kMaxDatagramBytes
    std::uint64_t unclaimed = 0;    // no handler for that plugin id (disabled, or unknown)
};

class DatagramSocket {
public:
    using Handler = std::function<void(const std::uint8_t* data, std::size_t size)>;

    DatagramSocket();
    ~DatagramSocket();
    DatagramSocket(const DatagramSocket&) = delete;
    DatagramSocket& operator=(const DatagramSocket&) = delete;

    // Binds address:port (UDP). Throws StartError with a readable reason.
    void bind(const std::string& address, std::uint16_t port);
    // Starts the receive thread; stop() joins it and closes the socket.
    void start();
    void stop();
    bool bound() const { return fd_ >= 0; }

    // Thread-safe; applies to the next datagram.
    void setPolicy(DatagramPolicy policy);

    // Throws std::invalid_argument if `pluginId` already has a handler.
    void addHandler(const std::string& pluginId, Handler handler);
    // Returns once the handler is gone, waiting for a call of it in progress.
    void removeHandler(const std::string& pluginId);

    // Never blocks. False (and counted) if not sent.
    bool send(const std::string& pluginId, const std::uint8_t* data, std::size_t size);
    // The largest payload a plugin with this id may send, given the current policy.
    std::size_t maxPayload(const std::string& pluginId) const;

    // Sealed policy: the key our datagrams go out with from now on (a new epoch starts at
    // sequence number 0). Until the first one, sealed datagrams cannot be sent (counted failed):
    // never in clear instead.
    void setSendKey(const security::DatagramKey& key);
    // The epoch we send with, if any (tests).
    std::optional<std::uint32_t> sendEpoch() const;
    // The contact's keys our receive thread opens datagrams with (filled from the server's
    // TLS connections by HostChannel).
    security::DatagramKeyRing& receiveKeys() { return receiveKeys_; }

    DatagramStats stats() const;

private:
    struct Target;
    void run();
    void receiveOne(const std::uint8_t* data, std::size_t size, bool truncated, const void* source);
    std::shared_ptr<const Target> target() const;

    int fd_ = -1;
    int wakePipe_[2] = {-1, -1};
    std::thread thread_;
    std::atomic<bool> stopping_{false};

    mutable std::mutex policyMutex_;
    std::shared_ptr<const Target> target_;
    struct SendKey {
        security::DatagramKey key;
        std::atomic<std::uint64_t> next{0};
    };
    std::shared_ptr<SendKey> sendKey_; // under policyMutex_
    security::DatagramKeyRing receiveKeys_;
    std::vector<std::uint8_t> opened_; // the receive thread's plaintext buffer

    std::mutex handlersMutex_; // held while a handler runs: removal waits for it
    std::map<std::string, Handler, std::less<>> handlers_;

    struct Counters {
        std::atomic<std::uint64_t> sent{0}, bytesSent{0}, sendFailed{0}, received{0},
            bytesReceived{0}, delivered{0}, foreign{0}, unauthorized{0}, replayed{0}, malformed{0},
            oversize{0}, unclaimed{0};
    } counters_;
};

} // namespace charla::host
