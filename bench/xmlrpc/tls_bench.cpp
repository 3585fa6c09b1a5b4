// What TLS costs a Charla connection (issue 13): an RpcServer on loopback served twice, plain
// HTTP and TLS 1.3 with Identity keys (both sides' keys checked, as between two Charlas), called
// by CurlPeerStream, interleaved case by case in the same run so both see the same machine load.
// Prints p50/p95 of
//   - connect: a new stream's first call (TCP connect, for TLS the handshake with both
//     certificates and key checks, then the call) — what "time to connect" adds;
//   - call: one more call on the open connection, a 100-byte and a 60 KiB string.
// Each case also with a shared secret (every call signed and checked; over TLS the signature
// covers the connection's exporter value, so the client exports it for every call).
// Usage: charla_tls_bench [iterations, default 200]
#include "core/host_channel.h"
#include "core/method_table.h"
#include "core/peer_stream.h"
#include "core/rpc_server.h"
#include "security/tls.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace charla;
using Clock = std::chrono::steady_clock;

std::shared_ptr<security::TlsContext> tlsIn(const QString& dir) {
    QString error;
    auto identity = security::Identity::loadOrCreate(dir, &error);
    auto trust = security::TrustStore::load(dir + "/known_peers", &error);
    if (!identity || !trust) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        std::exit(1);
    }
    return std::make_shared<security::TlsContext>(std::move(*identity), std::move(*trust));
}

struct Samples {
    std::vector<double> us;
    void add(Clock::duration d) {
        us.push_back(std::chrono::duration<double, std::micro>(d).count());
    }
    double at(double q) {
        std::sort(us.begin(), us.end());
        return us[std::min(us.size() - 1, static_cast<std::size_t>(q * us.size()))];
    }
};

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    QCoreApplication app(argc, argv);
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
    QTemporaryDir serverDir, clientDir;
    const auto serverTls = tlsIn(serverDir.path());
    const auto clientTls = tlsIn(clientDir.path());

    host::MethodTable table;
    sdk::MethodSpec echo;
    echo.name = "bench.echo";
    echo.signature = "s:s";
    echo.handler = [](const xmlrpc_c::paramList& p) {
        return xmlrpc_c::value_string(p.getString(0));
    };
    table.add("bench", echo);

    // Cases: plain, TLS, plain with a secret, TLS with a secret.
    const std::string secret = "a long random shared secret for the bench 5e0b";
    host::RpcServer plain(table), tls(table), plainSigned(table), tlsSigned(table);
    host::RpcServer* servers[4] = {&plain, &tls, &plainSigned, &tlsSigned};
    tls.setTls(serverTls);
    tlsSigned.setTls(serverTls);
    for (int c = 0; c < 4; ++c) {
        servers[c]->start("127.0.0.1", 0);
        host::AccessPolicy policy;
        policy.contact = "bench-client";
        policy.secret = c >= 2 ? secret : std::string();
        servers[c]->setAccessPolicy(policy);
    }

    auto stream = [&](int c) {
        const bool encrypted = c % 2 == 1;
        const host::PeerAddress at{"127.0.0.1", servers[c]->port()};
        return std::make_unique<host::CurlPeerStream>(
            "bench", at.url(encrypted), c >= 2 ? secret : std::string(),
            encrypted ? clientTls : nullptr, encrypted ? at.display() : std::string());
    };
    const std::string small(100, 'x'), big(60 * 1024, 'y');
    auto call = [](host::CurlPeerStream& s, const std::string& text) {
        s.call("bench.echo", xmlrpc_c::paramList().add(xmlrpc_c::value_string(text)),
               std::chrono::seconds(5));
    };
    Samples connect[4], smallCall[4], bigCall[4];
    for (int i = 0; i < iterations; ++i)
        for (int c = 0; c < 4; ++c) {
            auto s = stream(c);
            auto t0 = Clock::now();
            call(*s, small);
            connect[c].add(Clock::now() - t0);
            t0 = Clock::now();
            call(*s, small);
            smallCall[c].add(Clock::now() - t0);
            t0 = Clock::now();
            call(*s, big);
            bigCall[c].add(Clock::now() - t0);
        }
    std::printf("%d iterations, plain HTTP and TLS 1.3 interleaved, loopback\n", iterations);
    for (int withSecret = 0; withSecret < 2; ++withSecret) {
        std::printf("%s\n", withSecret ? "with a shared secret (signed calls)" : "no secret");
        std::printf("%-34s %10s %10s %10s %10s\n", "", "plain p50", "p95", "TLS p50", "p95");
        auto row = [withSecret](const char* what, Samples* s) {
            Samples& p = s[2 * withSecret];
            Samples& t = s[2 * withSecret + 1];
            std::printf("%-34s %8.0f us %7.0f us %7.0f us %7.0f us\n", what, p.at(0.5), p.at(0.95),
                        t.at(0.5), t.at(0.95));
        };
        row("first call on a new connection", connect);
        row("next call, 100 B, same connection", smallCall);
        row("next call, 60 KiB, same connection", bigCall);
    }
    for (host::RpcServer* server : servers)
        server->stop();
    return 0;
}
