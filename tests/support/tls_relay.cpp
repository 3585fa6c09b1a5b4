#include "tls_relay.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace charla::test {

namespace {

SSL_CTX* makeContext(const SSL_METHOD* method, const security::Identity& key) {
    SSL_CTX* ctx = SSL_CTX_new(method);
    if (!ctx || SSL_CTX_use_certificate(ctx, key.certificate()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key.key()) != 1)
        throw std::runtime_error("TlsRelay: cannot make an SSL_CTX");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    // Asks for the client's certificate (as Charla does) but accepts anything: an attacker.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    SSL_CTX_set_num_tickets(ctx, 0);
    return ctx;
}

// A bounded wait for a blocking socket: a peer that stops answering cannot hold a relay thread.
void limitWaits(int fd) {
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

} // namespace

TlsRelay::TlsRelay(std::uint16_t target, const security::Identity& key)
    : server_(makeContext(TLS_server_method(), key)),
      client_(makeContext(TLS_client_method(), key)),
      relay_(target, [this](int client, int upstream) { relay(client, upstream); }) {}

TlsRelay::~TlsRelay() {
    relay_.stop(); // its threads use the contexts
    SSL_CTX_free(server_);
    SSL_CTX_free(client_);
}

void TlsRelay::relay(int client, int upstream) {
    limitWaits(client);
    limitWaits(upstream);
    SSL* up = SSL_new(client_);
    SSL* down = SSL_new(server_);
    SSL_set_fd(up, upstream);
    SSL_set_fd(down, client);
    // Both handshakes whatever the other's outcome: each peer gets to see the relay's key.
    const bool upOk = SSL_connect(up) == 1;
    if (upOk)
        ++upstreamHandshakes_;
    const bool downOk = SSL_accept(down) == 1;
    if (downOk)
        ++downstreamHandshakes_;
    ERR_clear_error();
    if (upOk && downOk) {
        char buffer[16384];
        SSL* ends[2] = {down, up};
        pollfd p[3] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}, {relay_.wakeFd(), POLLIN, 0}};
        for (bool open = true; open;) {
            const bool pending = SSL_pending(down) > 0 || SSL_pending(up) > 0;
            if (!pending && ::poll(p, 3, 1000) <= 0)
                continue;
            if (p[2].revents)
                break;
            for (int i = 0; i < 2 && open; ++i) {
                if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)) && SSL_pending(ends[i]) == 0)
                    continue;
                const int n = SSL_read(ends[i], buffer, sizeof buffer);
                if (n <= 0 || SSL_write(ends[1 - i], buffer, n) != n) {
                    open = false;
                    break;
                }
                bytesRelayed_ += static_cast<std::uint64_t>(n);
            }
            p[0].revents = p[1].revents = 0;
        }
    }
    ERR_clear_error();
    SSL_free(up);
    SSL_free(down);
    ::close(client);
    ::close(upstream);
}

} // namespace charla::test
