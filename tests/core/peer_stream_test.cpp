// CurlPeerStream against real servers: refused, silent, interrupted, faulting, and reuse of one
// TCP connection.
#include "core/host_channel.h"
#include "core/peer_stream.h"
#include "core/xmlrpc_blobs.h"

#include "test_support.h"

#include <xmlrpc-c/xml.hpp>

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

// A file chunk or a picture in an answer: after the first answer of a method shows it carries
// bytes, the stream asks for blob answers and the bytes cross as themselves, not as base64.
TEST(CurlPeerStream, AnswersHoldingBytesCrossAsRawBytesFromTheSecondCall) {
    constexpr std::size_t kBytes = 100'000;
    host::HostChannel server;
    sdk::MethodSpec chunk;
    chunk.name = "t.chunk";
    chunk.handler = [](const xmlrpc_c::paramList& p) {
        const int seed = p.getInt(0);
        std::vector<unsigned char> data(kBytes);
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<unsigned char>((i * 131 + static_cast<std::size_t>(seed)) % 251);
        return xmlrpc_c::value_struct(
            {{"seed", xmlrpc_c::value_int(seed)}, {"data", xmlrpc_c::value_bytestring(data)}});
    };
    server.methods().add("t", chunk);
    server.listen("127.0.0.1", 0);
    TcpProxy proxy(server.port());
    host::CurlPeerStream stream("test", urlFor(proxy.port()));
    std::vector<std::uint64_t> answerBytes;
    for (int seed = 0; seed < 3; ++seed) {
        const std::uint64_t before = proxy.bytes(TcpProxy::Direction::FromTarget);
        const std::map<std::string, xmlrpc_c::value> answer =
            xmlrpc_c::value_struct(stream.call("t.chunk", params({xmlrpc_c::value_int(seed)}), 5s));
        answerBytes.push_back(proxy.bytes(TcpProxy::Direction::FromTarget) - before);
        const auto data = xmlrpc_c::value_bytestring(answer.at("data")).vectorUcharValue();
        ASSERT_EQ(data.size(), kBytes);
        for (std::size_t i = 0; i < data.size(); i += 997)
            ASSERT_EQ(data[i], (i * 131 + static_cast<std::size_t>(seed)) % 251) << "byte " << i;
        EXPECT_EQ(int(xmlrpc_c::value_int(answer.at("seed"))), seed);
    }
    EXPECT_GT(answerBytes[0], kBytes * 4 / 3) << "the first answer is plain XML-RPC (base64)";
    for (std::size_t i = 1; i < answerBytes.size(); ++i)
        EXPECT_LT(answerBytes[i], kBytes + 1000) << "answer " << i << " still carries base64";
    // Other methods' calls do not ask: their answers stay XML-RPC.
    server.methods().add("t", echoSpec());
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  stream.call("t.echo", params({xmlrpc_c::value_string("plain")}), 5s))),
              "plain");
}

// A blob answer to a call that did not ask for one is not read (a hostile or broken peer).
TEST(CurlPeerStream, AnUnaskedBlobAnswerIsABadResponse) {
    std::string xml;
    const std::string ref = host::encodeBlobRef({0, 3});
    xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(xmlrpc_c::value_bytestring(
                                        std::vector<unsigned char>(ref.begin(), ref.end()))),
                                    &xml);
    const std::string blobType = std::string("Content-Type: ") + host::kBlobContentType + "\r\n";
    CannedHttpServer unasked(
        xml + "abc", blobType + "X-Charla-Xml-Length: " + std::to_string(xml.size()) + "\r\n");
    host::CurlPeerStream stream("test", urlFor(unasked.port()));
    auto error = callError(stream, "t.chunk", 5s);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), Kind::BadResponse) << error->what();
    EXPECT_NE(std::string(error->what()).find("a blob answer to a call that asked for XML"),
              std::string::npos)
        << error->what();
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
