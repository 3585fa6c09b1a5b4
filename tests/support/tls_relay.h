// A man-in-the-middle for the TLS tests: every connection to port() is relayed to 127.0.0.1:target
// with TLS terminated on both sides by the relay's own key (it has neither peer's key). A Charla
// must refuse it as a client (the "server" key is not the contact's) and as a server (neither is
// the "client" key). If either side did not check, the relay would carry their calls.
//
// Mode::AnswersItself: the relay does not pass the calls on but plays the contact: it answers
// each call itself, as a Charla would (host.ping and host.hello as "bob" with the text plugin,
// text.send "delivered", anything else an empty struct), unsigned since it has no secret, and
// keeps every byte it decrypted (heard()). At a first contact with a shared secret set, nothing
// but host.ping may reach it.
#pragma once

#include "loopback_listener.h"

#include "security/identity.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace charla::test {

class TlsRelay {
public:
    enum class Mode { Relays, AnswersItself };
    // `key`: the relay's own identity (a key made for the attacker).
    TlsRelay(std::uint16_t target, const security::Identity& key, Mode mode = Mode::Relays);
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
    // Mode::AnswersItself: the requests its clients sent, decrypted, whole (headers and bodies),
    // and the methods called, in order.
    std::string heard() const;
    std::vector<std::string> methodsCalled() const;

private:
    void relay(int client, int upstream);
    void answer(SSL* down, int client);

    Mode mode_;
    mutable std::mutex heardMutex_;
    std::string heard_;
    std::vector<std::string> methods_;

    SSL_CTX* server_ = nullptr;
    SSL_CTX* client_ = nullptr;
    std::atomic<int> upstreamHandshakes_{0};
    std::atomic<int> downstreamHandshakes_{0};
    std::atomic<std::uint64_t> bytesRelayed_{0};
    LoopbackRelay relay_; // last: its threads stop before the rest goes
};

} // namespace charla::test
