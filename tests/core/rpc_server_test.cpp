// RpcServer: processCall on its own, then the real Abyss server over HTTP on loopback.
#include "core/host_channel.h"
#include "core/peer_link.h"
#include "core/rpc_server.h"
#include "core/xmlrpc_blobs.h"
#include "core/xmlrpc_reader.h"

#include <charla/sdk/background_thread.h>
#include <charla/sdk/version.h>

#include "echo_server_fixture.h"
#include "test_support.h"

#include <xmlrpc-c/xml.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <future>

#include <sys/resource.h>
#include <unistd.h>

namespace charla::test {
namespace {

using Struct = std::map<std::string, xmlrpc_c::value>;

std::string callXml(const std::string& method, const xmlrpc_c::paramList& p) {
    std::string xml;
    xmlrpc_c::xml::generateCall(method, p, &xml);
    return xml;
}

xmlrpc_c::value stringArray(std::initializer_list<const char*> items) {
    std::vector<xmlrpc_c::value> out;
    for (const char* i : items)
        out.push_back(xmlrpc_c::value_string(i));
    return xmlrpc_c::value_array(out);
}

Struct goodHello() {
    Struct plugin{{"id", xmlrpc_c::value_string("text")},
                  {"version", xmlrpc_c::value_string("1.0.0")},
                  {"sends", stringArray({"text"})},
                  {"receives", stringArray({"text"})}};
    return Struct{{"app", xmlrpc_c::value_string("Charla")},
                  {"version", xmlrpc_c::value_string("9.9.9")},
                  {"protocol", xmlrpc_c::value_int(1)},
                  {"user", xmlrpc_c::value_string("zoe")},
                  {"plugins_serial", xmlrpc_c::value_int(3)},
                  {"plugins", xmlrpc_c::value_array(
                                  std::vector<xmlrpc_c::value>{xmlrpc_c::value_struct(plugin)})}};
}

// The echo server plus t.block, which holds its caller until the test releases it.
class RpcServerTest : public EchoServerTest {
protected:
    void SetUp() override {
        sdk::MethodSpec slow;
        slow.name = "t.block";
        slow.handler = [this](const xmlrpc_c::paramList&) {
            blockEntered.set_value();
            blockRelease.get_future().wait_for(10s);
            return xmlrpc_c::value_int(1);
        };
        std::vector<sdk::MethodSpec> extra;
        extra.push_back(std::move(slow));
        serve(std::move(extra));
    }

    int processFault(const std::string& xml) {
        return faultCodeOf(host::RpcServer::processCall(channel.methods(), xml));
    }
    // A good call after a bad input: the server still answers.
    void expectStillServing() {
        const auto v = rpc(port, "t.echo", params({xmlrpc_c::value_string("still here")}));
        EXPECT_EQ(std::string(xmlrpc_c::value_string(v)), "still here");
    }
    int httpFault(const std::string& body) {
        const HttpReply r = httpPost(port, body);
        EXPECT_EQ(r.curlCode, 0);
        EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
        return r.status == 200 ? faultCodeOf(r.body) : 0;
    }

    std::promise<void> blockEntered;
    std::promise<void> blockRelease;
};

// The signature's HMAC-SHA256 against RFC 4231's vectors (a foreign peer computes the same), the
// parts of one body split anywhere giving the same digest, and an empty secret.
TEST(Signature, HmacSha256MatchesRfc4231AndIgnoresHowTheBodyIsSplit) {
    EXPECT_EQ(
        QByteArray::fromStdString(host::hmacSha256(std::string(20, '\x0b'), {"Hi There"})).toHex(),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(host::signBody("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(host::signCall("Jefe", "what do ya ", "want for nothing?"),
              host::signBody("Jefe", "what do ya want for nothing?"));
    EXPECT_EQ(host::signBody("", ""), // Python: hmac.new(b"", b"", "sha256").hexdigest()
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// A call that asks for blob answers pulls bytes (a file's chunks): a background worker runs it,
// so that it never takes the CPU from a call; every other call runs at the process's priority.
TEST(RpcServerPriority, CallsAskingForBlobAnswersRunAtALowerPriority) {
    sdk::MethodSpec nice;
    nice.name = "t.nice";
    nice.handler = [](const xmlrpc_c::paramList&) {
        errno = 0;
        return xmlrpc_c::value_int(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())));
    };
    host::MethodTable table;
    table.add("test", std::move(nice));
    host::RpcServer server(table);
    server.start("127.0.0.1", 0);
    auto niceOf = [&](std::vector<std::string> headers) {
        const HttpReply r = httpPost(server.port(), callXml("t.nice", params({})), 10s, headers);
        EXPECT_EQ(r.status, 200);
        xmlrpc_c::rpcOutcome outcome;
        xmlrpc_c::xml::parseResponse(r.body, &outcome);
        return outcome.succeeded() ? xmlrpc_c::value_int(outcome.getResult()).cvalue() : -100;
    };
    const int own = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
    EXPECT_EQ(niceOf({}), own);
    EXPECT_EQ(niceOf({std::string("Accept: ") + host::kBlobContentType}), sdk::kBackgroundNice);
    EXPECT_EQ(niceOf({"Accept: text/xml"}), own);
    server.stop();
}

TEST_F(RpcServerTest, ProcessCallAnswersAGoodCall) {
    const std::string response = host::RpcServer::processCall(
        channel.methods(), callXml("t.echo", params({xmlrpc_c::value_string("héllo")})));
    xmlrpc_c::rpcOutcome outcome;
    xmlrpc_c::xml::parseResponse(response, &outcome);
    ASSERT_TRUE(outcome.succeeded());
    EXPECT_EQ(std::string(xmlrpc_c::value_string(outcome.getResult())), "héllo");
}

// Crashes the fuzzers found in xmlrpc-c itself (an <i8> that is not a plain integer segfaults
// its parser): replayed here in the ordinary build, so they can never come back unnoticed.
TEST_F(RpcServerTest, FuzzerFoundCallsGetAFaultInsteadOfACrash) {
    int replayed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(CHARLA_FUZZ_REGRESSIONS_DIR) / "fuzz_rpc_dispatch")) {
        std::ifstream file(entry.path(), std::ios::binary);
        const std::string body((std::istreambuf_iterator<char>(file)), {});
        EXPECT_EQ(processFault(body), -32700) << entry.path();
        ++replayed;
    }
    EXPECT_GE(replayed, 2);
    for (const char* i8 : {"x", "3x", "-", "5.0", "9223372036854775808", "&#120;", "<![CDATA[y]]>"})
        EXPECT_EQ(processFault(std::string("<?xml version=\"1.0\"?><methodCall><methodName>"
                                           "host.ping</methodName><params><param><value><i8>") +
                               i8 + "</i8></value></param></params></methodCall>"),
                  -32700)
            << i8;
    // A good <i8> still reaches the method (host.ping takes no parameters: -32602, not -32700).
    EXPECT_EQ(processFault("<?xml version=\"1.0\"?><methodCall><methodName>host.ping</methodName>"
                           "<params><param><value><i8>-42</i8></value></param></params>"
                           "</methodCall>"),
              -32602);
}

// xmlrpc-c's parser overflowed the stack on this (SIGSEGV, the whole host gone); Charla's reader
// stops at depth 65 and answers with a fault.
TEST_F(RpcServerTest, ProcessCallRefusesACallNested100000Deep) {
    std::string deep;
    for (int i = 0; i < 100'000; ++i)
        deep += "<value><array><data>";
    std::string close;
    for (int i = 0; i < 100'000; ++i)
        close += "</data></array></value>";
    const std::string response = host::RpcServer::processCall(
        channel.methods(), "<?xml version=\"1.0\"?><methodCall><methodName>t.echo</methodName>"
                           "<params><param>" +
                               deep + close + "</param></params></methodCall>");
    EXPECT_EQ(faultCodeOf(response), -32602) << response.substr(0, 400);
    EXPECT_NE(response.find("deeper than 64"), std::string::npos) << response.substr(0, 400);
    // Unterminated, as an attacker need not bother closing: the limit still answers first.
    EXPECT_EQ(processFault("<methodCall><methodName>t.echo</methodName><params><param>" + deep),
              -32602);
    expectStillServing();
}

// What Python's xmlrpc.client sends for ServerProxy(...).t.echo("hola 👋"): xmlrpc-c's parser
// answered -32700.
TEST_F(RpcServerTest, EmojiFromAForeignClientArrivesAsSent) {
    const std::string emoji = "hola \xF0\x9F\x91\x8B";
    const std::string python = "<?xml version='1.0'?>\n<methodCall>\n<methodName>t.echo"
                               "</methodName>\n<params>\n<param>\n<value><string>" +
                               emoji + "</string></value>\n</param>\n</params>\n</methodCall>\n";
    const xmlrpc_c::rpcOutcome outcome =
        host::parseXmlRpcResponse(host::RpcServer::processCall(channel.methods(), python));
    ASSERT_TRUE(outcome.succeeded()) << outcome.getFault().getDescription();
    EXPECT_EQ(std::string(xmlrpc_c::value_string(outcome.getResult())), emoji);
    // And both ways over HTTP, through CurlPeerStream.
    const auto v = rpc(port, "t.echo", params({xmlrpc_c::value_string(emoji)}));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(v)), emoji);
}

TEST_F(RpcServerTest, ProcessCallFaultsOnMalformedInput) {
    EXPECT_EQ(processFault(""), -32700);
    EXPECT_EQ(processFault("<methodCall><methodName>t.echo</methodName>"), -32700);
    EXPECT_EQ(processFault("this is not XML at all"), -32700);
    EXPECT_EQ(processFault("<?xml version=\"1.0\"?><methodResponse><params><param><value>"
                           "<string>x</string></value></param></params></methodResponse>"),
              -32700)
        << "a methodResponse is not a call";
    EXPECT_EQ(processFault("<?xml version=\"1.0\"?><methodCall><methodName>t.echo</methodName>"
                           "<params><param><value><i4>notanumber</i4></value></param></params>"
                           "</methodCall>"),
              -32700);
    EXPECT_EQ(processFault(callXml("no.such", xmlrpc_c::paramList())), -32601);
    EXPECT_EQ(processFault(callXml("t.echo", params({xmlrpc_c::value_int(3)}))), -32602);
    EXPECT_EQ(processFault(callXml(
                  "t.echo", params({xmlrpc_c::value_string(std::string(64 * 1024 + 1, 'x'))}))),
              413);
}

TEST_F(RpcServerTest, HostHelloValidatesItsStruct) {
    EXPECT_EQ(processFault(callXml("host.hello", xmlrpc_c::paramList())), -32602);
    EXPECT_EQ(processFault(callXml("host.hello", params({xmlrpc_c::value_int(1)}))), -32602);
    for (const char* key : {"app", "version", "protocol", "user", "plugins"}) {
        Struct hello = goodHello();
        hello.erase(key);
        const std::string response = host::RpcServer::processCall(
            channel.methods(), callXml("host.hello", params({xmlrpc_c::value_struct(hello)})));
        EXPECT_EQ(faultCodeOf(response), -32602) << "without " << key;
        EXPECT_NE(response.find(key), std::string::npos) << "the fault should name " << key;
    }
    Struct wrongType = goodHello();
    wrongType.erase("protocol"); // xmlrpc_c::value cannot be assigned to
    wrongType.emplace("protocol", xmlrpc_c::value_string("1"));
    EXPECT_EQ(processFault(callXml("host.hello", params({xmlrpc_c::value_struct(wrongType)}))),
              -32602);
    Struct badPlugin = goodHello();
    badPlugin.erase("plugins");
    badPlugin.emplace("plugins", xmlrpc_c::value_array(
                                     std::vector<xmlrpc_c::value>{xmlrpc_c::value_string("text")}));
    EXPECT_EQ(processFault(callXml("host.hello", params({xmlrpc_c::value_struct(badPlugin)}))),
              -32602);
    EXPECT_FALSE(channel.peer().introduced) << "a rejected hello must not introduce the peer";
}

TEST_F(RpcServerTest, HostHelloIntroducesThePeerAndAnswersWithOurs) {
    const xmlrpc_c::value reply =
        rpc(port, "host.hello", params({xmlrpc_c::value_struct(goodHello())}));
    const sdk::PeerInfo ours = host::PeerLink::parseHello(reply);
    EXPECT_EQ(ours.user, "tester");
    EXPECT_EQ(ours.app, "Charla");
    EXPECT_EQ(ours.protocol, CHARLA_PROTOCOL_VERSION);
    const sdk::PeerInfo peer = channel.peer();
    EXPECT_TRUE(peer.introduced);
    EXPECT_TRUE(peer.online);
    EXPECT_EQ(peer.user, "zoe");
    EXPECT_EQ(peer.appVersion, "9.9.9");
    ASSERT_NE(peer.plugin("text"), nullptr);
    EXPECT_TRUE(peer.receives("text", "text"));
    EXPECT_FALSE(peer.receives("text", "video"));

    const xmlrpc_c::value pong = rpc(port, "host.ping");
    EXPECT_EQ(std::string(xmlrpc_c::value_string(asStruct(pong).at("app"))), "Charla");
    EXPECT_EQ(intMember(pong, "protocol"), CHARLA_PROTOCOL_VERSION);
}

TEST_F(RpcServerTest, OverHttpEveryBadInputGetsAFaultAndTheServerKeepsServing) {
    EXPECT_EQ(httpFault("<methodCall><broken"), -32700);
    expectStillServing();
    EXPECT_EQ(httpFault("<?xml version=\"1.0\"?><methodResponse><params><param><value>"
                        "<int>1</int></value></param></params></methodResponse>"),
              -32700);
    expectStillServing();
    EXPECT_EQ(httpFault(callXml("t.echo", params({xmlrpc_c::value_int(1)}))), -32602);
    expectStillServing();
    Struct hello = goodHello();
    hello.erase("user");
    EXPECT_EQ(httpFault(callXml("host.hello", params({xmlrpc_c::value_struct(hello)}))), -32602);
    expectStillServing();
    EXPECT_EQ(httpFault(callXml("no.such.method", xmlrpc_c::paramList())), -32601);
    expectStillServing();
    EXPECT_EQ(httpFault(callXml("t.echo",
                                params({xmlrpc_c::value_string(std::string(100 * 1024, 'x'))}))),
              413);
    expectStillServing();
}

TEST_F(RpcServerTest, ABodyAboveTheProcessLimitGetsAnHttpErrorAndTheServerKeepsServing) {
    const std::string big =
        callXml("t.echo", params({xmlrpc_c::value_string(std::string(17 * 1024 * 1024, 'x'))}));
    const HttpReply r = httpPost(port, big, 30s);
    EXPECT_TRUE(r.status >= 400 || (r.status == 0 && r.curlCode != 0))
        << "HTTP " << r.status << " curl " << r.curlCode << ": " << r.body.substr(0, 200);
    EXPECT_NE(r.status, 200);
    expectStillServing();
    // Just under the process limit but over the method's: a 413 fault, not a dropped connection.
    const HttpReply under = httpPost(
        port,
        callXml("t.echo", params({xmlrpc_c::value_string(std::string(8 * 1024 * 1024, 'y'))})),
        30s);
    ASSERT_EQ(under.status, 200);
    EXPECT_EQ(faultCodeOf(under.body), 413);
    expectStillServing();
}

TEST_F(RpcServerTest, AWrongPathIsABadResponse) {
    host::CurlPeerStream stream("test", urlFor(port, "/elsewhere"));
    try {
        stream.call("t.echo", params({xmlrpc_c::value_string("x")}), 5s);
        FAIL() << "a call to /elsewhere succeeded";
    } catch (const sdk::PeerCallError& e) {
        EXPECT_EQ(e.kind(), sdk::PeerCallError::Kind::BadResponse) << e.what();
    }
    expectStillServing();
}

TEST_F(RpcServerTest, ASlowCallDoesNotBlockOtherConnections) {
    auto slow = std::async(std::launch::async, [&] { return rpc(port, "t.block"); });
    ASSERT_EQ(blockEntered.get_future().wait_for(5s), std::future_status::ready);
    expectStillServing();
    EXPECT_EQ(listMethods(port).size(), channel.methods().names().size());
    blockRelease.set_value();
    EXPECT_EQ(int(xmlrpc_c::value_int(slow.get())), 1);
}

// XML-RPC introspection over the wire, as Python's xmlrpc.client or any other client asks.
TEST_F(RpcServerTest, ServesMethodSignatureAndMethodHelp) {
    sdk::MethodSpec stats = echoSpec("t.stats");
    stats.signature = "S:,S:S";
    stats.help = "Counters: {sent, failed}.";
    channel.methods().add("t", std::move(stats));
    const auto names = listMethods(port);
    EXPECT_TRUE(contains(names, "system.methodSignature"));
    EXPECT_TRUE(contains(names, "system.methodHelp"));

    const xmlrpc_c::value signature =
        rpc(port, "system.methodSignature", params({xmlrpc_c::value_string("t.stats")}));
    ASSERT_EQ(signature.type(), xmlrpc_c::value::TYPE_ARRAY);
    std::vector<std::vector<std::string>> types;
    for (const auto& one : xmlrpc_c::value_array(signature).vectorValueValue()) {
        types.emplace_back();
        for (const auto& type : xmlrpc_c::value_array(one).vectorValueValue())
            types.back().push_back(xmlrpc_c::value_string(type));
    }
    EXPECT_EQ(types, (std::vector<std::vector<std::string>>{{"struct"}, {"struct", "struct"}}));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(port, "system.methodHelp", params({xmlrpc_c::value_string("t.stats")})))),
              "Counters: {sent, failed}.");
    // t.echo has neither.
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(port, "system.methodSignature", params({xmlrpc_c::value_string("t.echo")})))),
              "undef");
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(port, "system.methodHelp", params({xmlrpc_c::value_string("t.echo")})))),
              "");
    for (const char* method : {"system.methodSignature", "system.methodHelp"}) {
        EXPECT_EQ(rpcFaultCode(port, method, params({xmlrpc_c::value_string("no.such")})),
                  sdk::kFaultUnknownMethod)
            << method;
        EXPECT_EQ(rpcFaultCode(port, method), sdk::kFaultBadParams) << method;
        EXPECT_EQ(rpcFaultCode(port, method, params({xmlrpc_c::value_int(7)})),
                  sdk::kFaultBadParams)
            << method;
    }
    expectStillServing();
}

TEST_F(RpcServerTest, StopEndsServingAndFreesThePort) {
    expectStillServing();
    channel.stopListening();
    try {
        rpc(port, "t.echo", params({xmlrpc_c::value_string("x")}), 2s);
        FAIL() << "the stopped server answered";
    } catch (const sdk::PeerCallError& e) {
        EXPECT_EQ(e.kind(), sdk::PeerCallError::Kind::Unreachable) << e.what();
    }
    host::HostChannel again;
    again.methods().add("t", echoSpec("t.echo", 100));
    ASSERT_NO_THROW(again.listen("127.0.0.1", port)) << "the port was not released";
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(port, "t.echo", params({xmlrpc_c::value_string("back")})))),
              "back");
}

TEST(RpcServerStart, APortInUseIsAStartErrorSayingSo) {
    host::HostChannel first;
    first.listen("127.0.0.1", 0);
    host::HostChannel second;
    try {
        second.listen("127.0.0.1", first.port());
        FAIL() << "listening twice on port " << first.port() << " succeeded";
    } catch (const host::StartError& e) {
        EXPECT_NE(std::string(e.what()).find("already in use"), std::string::npos) << e.what();
    }
    // The first server is unaffected.
    EXPECT_TRUE(contains(listMethods(first.port()), "system.listMethods"));
}

TEST(RpcServerStart, AnAddressNotOnThisMachineIsAStartError) {
    host::HostChannel channel;
    try {
        channel.listen("10.255.255.1", 0);
        FAIL() << "listening on 10.255.255.1 succeeded";
    } catch (const host::StartError& e) {
        EXPECT_NE(std::string(e.what()).find("10.255.255.1"), std::string::npos) << e.what();
    }
}

TEST(RpcServerStart, AGarbageAddressIsAStartError) {
    for (const char* address : {"not-an-address", "", "127.0.0.256", "::1", "1.2.3"}) {
        host::HostChannel channel;
        try {
            channel.listen(address, 0);
            ADD_FAILURE() << "listening on '" << address << "' succeeded";
        } catch (const host::StartError& e) {
            EXPECT_NE(std::string(e.what()).find("IPv4"), std::string::npos) << e.what();
        }
    }
}

TEST(RpcServerStart, ServesAgainAfterAFailedStart) {
    host::HostChannel channel;
    EXPECT_THROW(channel.listen("10.255.255.1", 0), host::StartError);
    channel.listen("127.0.0.1", 0);
    EXPECT_TRUE(contains(listMethods(channel.port()), "system.listMethods"));
}

} // namespace
} // namespace charla::test
