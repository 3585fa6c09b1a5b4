// A man-in-the-middle for the TLS tests: every connection to port() is relayed to 127.0.0.1:target
// with TLS terminated on both sides by the relay's own key (it has neither peer's key). A Charla
// must refuse it as a client (the "server" key is not the contact's) and as a server (neither is
// the "client" key). If either side did not check, the relay would carry their calls.
#pragma once

#include "loopback_listener.h"

#include "security/identity.h"

#include <atomic>
#include <cstdint>
#include <memory>

typedef struct ssl_ctx_st SSL_CTX;

namespace charla::test {

class TlsRelay {
public:
    // `key`: the relay's own identity (a key made for the attacker).
    TlsRelay(std::uint16_t target, const security::Identity& key);
    ~TlsRelay();
    TlsRelay(const TlsRelay&) = delete;
    TlsRelay& operator=(const TlsRelay&) = delete;

    std::uint16_t port() const { return relay_.port(); }
    // Connections accepted so far.
    int accepted() const { return relay_.accepted(); }
    // Handshakes the relay completed: with the target (as its client) and with its clients (as
    // their server). A refusing peer may still complete one and close at once.
    int upstreamHandshakes() const { return upstreamHandshakes_; }
    int downstreamHandshakes() const { return downstreamHandshakes_; }
    // Application bytes relayed, both ways: 0 while both sides refuse.
    std::uint64_t bytesRelayed() const { return bytesRelayed_; }

private:
    void relay(int client, int upstream);

    SSL_CTX* server_ = nullptr;
    SSL_CTX* client_ = nullptr;
    std::atomic<int> upstreamHandshakes_{0};
    std::atomic<int> downstreamHandshakes_{0};
    std::atomic<std::uint64_t> bytesRelayed_{0};
    LoopbackRelay relay_; // last: its threads stop before the rest goes
};

} // namespace charla::test
