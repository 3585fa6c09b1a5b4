// CurlPeerStream against real servers: refused, silent, interrupted, faulting, and reuse of one
// TCP connection.
#include "core/host_channel.h"
#include "core/peer_stream.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <future>

namespace charla::test {
namespace {

using Kind = sdk::PeerCallError::Kind;

// Calls and returns the error; fails the test if the call succeeded.
std::optional<sdk::PeerCallError> callError(host::CurlPeerStream& stream, const std::string& method,
                                            std::chrono::milliseconds timeout,
                                            const xmlrpc_c::paramList& p = xmlrpc_c::paramList()) {
    try {
        stream.call(method, p, timeout);
    } catch (const sdk::PeerCallError& e) {
        return e;
    }
    ADD_FAILURE() << method << " succeeded";
    return std::nullopt;
}

TEST(CurlPeerStream, ConnectionRefusedIsUnreachableQuickly) {
    RawServer closed(/*listen=*/false, false); // bound, not listening: connect() is refused
    host::CurlPeerStream stream("test", urlFor(closed.port()));
    const auto start = Clock::now();
    auto error = callError(stream, "host.ping", 5s);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), Kind::Unreachable) << error->what();
    EXPECT_LT(msSince(start), 3000) << "a refused connection must not wait for the timeout";
}

TEST(CurlPeerStream, ASilentServerTimesOut) {
    RawServer silent(/*listen=*/true, /*acceptAndHold=*/true);
    host::CurlPeerStream stream("test", urlFor(silent.port()));
    const auto start = Clock::now();
    auto error = callError(stream, "host.ping", 300ms);
    const auto elapsed = msSince(start);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), Kind::Timeout) << error->what();
    EXPECT_NE(std::string(error->what()).find("300 ms"), std::string::npos) << error->what();
    EXPECT_GE(elapsed, 250) << "timed out before the timeout";
    EXPECT_LT(elapsed, 5000) << "the 300 ms timeout fired far too late";
    EXPECT_GT(silent.bytesReceived(), 0u) << "the request never reached the server";
    // The stream is still usable after a timeout: the next call times out again, not Interrupted.
    auto again = callError(stream, "host.ping", 300ms);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->kind(), Kind::Timeout) << again->what();
}

// Answers xmlrpc-c's parser crashed on (deep nesting: stack overflow; <i8>x</i8>: SIGSEGV) or
// refused, and plain garbage: each is a BadResponse with a readable reason, never a crash.
TEST(CurlPeerStream, AHostileAnswerIsABadResponse) {
    std::string deep;
    for (int i = 0; i < 100'000; ++i)
        deep += "<value><array><data>";
    for (int i = 0; i < 100'000; ++i)
        deep += "</data></array></value>";
    const std::vector<std::pair<std::string, std::string>> answers = {
        {"deeper than 64", "<?xml version=\"1.0\"?><methodResponse><params><param>" + deep +
                               "</param></params></methodResponse>"},
        {"malformed response", "\x01\x02 not XML at all"},
        {"64-bit integer", "<methodResponse><params><param><value><i8>x</i8></value></param>"
                           "</params></methodResponse>"},
        {"expected <methodResponse>", "<methodCall><methodName>x</methodName></methodCall>"},
    };
    for (const auto& [reason, body] : answers) {
        CannedHttpServer peer(body);
        host::CurlPeerStream stream("test", urlFor(peer.port()));
        auto error = callError(stream, "host.ping", 5s);
        ASSERT_TRUE(error) << reason;
        EXPECT_EQ(error->kind(), Kind::BadResponse) << error->what();
        EXPECT_NE(std::string(error->what()).find(reason), std::string::npos) << error->what();
    }
    // A good answer on the same kind of server still works (the fake itself is sound).
    CannedHttpServer good("<methodResponse><params><param><value><string>hola \xF0\x9F\x91\x8B"
                          "</string></value></param></params></methodResponse>");
    host::CurlPeerStream stream("test", urlFor(good.port()));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(stream.call("host.ping", {}, 5s))),
              "hola \xF0\x9F\x91\x8B");
}

TEST(CurlPeerStream, AnAnswerOverTheSizeLimitIsCutOff) {
    constexpr std::size_t k40MB = 40u * 1024 * 1024;
    CannedHttpServer peer("<methodResponse><params><param><value><string>" +
                          std::string(k40MB, 'x') +
                          "</string></value></param></params>"
                          "</methodResponse>");
    host::CurlPeerStream stream("test", urlFor(peer.port()));
    auto error = callError(stream, "host.ping", 10s);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), Kind::BadResponse) << error->what();
    EXPECT_NE(std::string(error->what()).find("larger than 16 MB"), std::string::npos)
        << error->what();
    // Stopped soon after 16 MiB (loopback socket buffers take several MB more), not read to
    // the end.
    EXPECT_LT(peer.bytesWritten(), 32u * 1024 * 1024);
}

TEST(CurlPeerStream, InterruptFromAnotherThreadEndsABlockedCall) {
    RawServer silent(/*listen=*/true, /*acceptAndHold=*/true);
    host::CurlPeerStream stream("test", urlFor(silent.port()));
    auto call = std::async(std::launch::async, [&] { return callError(stream, "host.ping", 10s); });
    // Blocked for sure once the server holds the whole request.
    ASSERT_TRUE(waitUntil([&] { return silent.bytesReceived() > 100; }));
    ASSERT_EQ(call.wait_for(50ms), std::future_status::timeout) << "the call did not block";
    const auto start = Clock::now();
    stream.interrupt();
    ASSERT_EQ(call.wait_for(5s), std::future_status::ready) << "interrupt() did not end the call";
    const auto latency = msSince(start);
    auto error = call.get();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), Kind::Interrupted) << error->what();
    EXPECT_LT(latency, 1000) << "interrupt took " << latency << " ms";
    RecordProperty("interrupt_latency_ms", static_cast<int>(latency));
    // Every later call fails at once with Interrupted.
    auto later = callError(stream, "host.ping", 10s);
    ASSERT_TRUE(later);
    EXPECT_EQ(later->kind(), Kind::Interrupted);
}

TEST(CurlPeerStream, InterruptBeforeAnyCallFailsItAtOnce) {
    host::HostChannel server;
    server.listen("127.0.0.1", 0);
    host::CurlPeerStream stream("test", urlFor(server.port()));
    stream.interrupt();
    auto error = callError(stream, "system.listMethods", 5s);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), Kind::Interrupted);
}

TEST(CurlPeerStream, AFaultFromThePeerCarriesItsCode) {
    host::HostChannel server;
    server.methods().add("t", echoSpec());
    server.listen("127.0.0.1", 0);
    host::CurlPeerStream stream("test", urlFor(server.port()));
    auto unknown = callError(stream, "no.such", 5s);
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->kind(), Kind::Fault);
    EXPECT_EQ(unknown->faultCode(), -32601);
    auto bad = callError(stream, "t.echo", 5s, params({xmlrpc_c::value_int(1)}));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->kind(), Kind::Fault);
    EXPECT_EQ(bad->faultCode(), -32602);
    // A fault leaves the stream usable.
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  stream.call("t.echo", params({xmlrpc_c::value_string("ok")}), 5s))),
              "ok");
}

TEST(CurlPeerStream, FiftyCallsShareOneConnection) {
    // Connections are counted by a TCP proxy in front of a real server: the stream's 50 calls must
    // all travel over the one connection it opened.
    host::HostChannel server;
    server.methods().add("t", echoSpec());
    server.listen("127.0.0.1", 0);
    TcpProxy proxy(server.port());
    {
        host::CurlPeerStream stream("test", urlFor(proxy.port()));
        for (int i = 0; i < 50; ++i) {
            const std::string text = "call " + std::to_string(i);
            const auto v = stream.call("t.echo", params({xmlrpc_c::value_string(text)}), 5s);
            ASSERT_EQ(std::string(xmlrpc_c::value_string(v)), text);
        }
        EXPECT_EQ(proxy.accepted(), 1) << "the stream opened more than one connection";
        EXPECT_GT(stream.bytesSent(), 50u * 100u);
    }
    // Two streams are two connections (the proxy does count).
    host::CurlPeerStream a("a", urlFor(proxy.port())), b("b", urlFor(proxy.port()));
    a.call("t.echo", params({xmlrpc_c::value_string("a")}), 5s);
    b.call("t.echo", params({xmlrpc_c::value_string("b")}), 5s);
    EXPECT_EQ(proxy.accepted(), 3);
}

TEST(CurlPeerStream, ReconnectsAfterTheServerRestarts) {
    auto server = std::make_unique<host::HostChannel>();
    server->methods().add("t", echoSpec());
    server->listen("127.0.0.1", 0);
    const std::uint16_t port = server->port();
    host::CurlPeerStream stream("test", urlFor(port));
    stream.call("t.echo", params({xmlrpc_c::value_string("1")}), 5s);
    server.reset();
    auto down = callError(stream, "t.echo", 2s, params({xmlrpc_c::value_string("2")}));
    ASSERT_TRUE(down);
    EXPECT_NE(down->kind(), Kind::Interrupted);
    server = std::make_unique<host::HostChannel>();
    server->methods().add("t", echoSpec());
    server->listen("127.0.0.1", port);
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  stream.call("t.echo", params({xmlrpc_c::value_string("3")}), 5s))),
              "3");
}

TEST(CurlPeerStream, ConnectsOnceAPeerThatWasDownComesUp) {
    // The usual start-up: this side starts first, the contact a moment later on the same port.
    std::uint16_t port = 0;
    {
        RawServer reserve(/*listen=*/false, false);
        port = reserve.port();
    }
    host::CurlPeerStream stream("test", urlFor(port));
    auto down = callError(stream, "system.listMethods", 2s);
    ASSERT_TRUE(down);
    EXPECT_EQ(down->kind(), Kind::Unreachable) << down->what();
    host::HostChannel server;
    server.methods().add("t", echoSpec());
    server.listen("127.0.0.1", port);
    for (int i = 0; i < 20; ++i) {
        const std::string text = "up " + std::to_string(i);
        const auto start = Clock::now();
        try {
            const auto v = stream.call("t.echo", params({xmlrpc_c::value_string(text)}), 1500ms);
            EXPECT_EQ(std::string(xmlrpc_c::value_string(v)), text);
        } catch (const sdk::PeerCallError& e) {
            FAIL() << "call " << i << " failed after " << msSince(start) << " ms: " << e.what();
        }
    }
}

} // namespace
} // namespace charla::test
