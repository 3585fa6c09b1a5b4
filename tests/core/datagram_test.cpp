// The datagram path: the wire format on its own, then real UDP sockets on loopback through
// HostChannel/PluginScope (what a plugin sees), with raw sockets playing the contact, a stranger
// on another port and one on another address.
#include "core/datagram.h"
#include "core/host_channel.h"
#include "core/session.h"
#include "security/datagram_keys.h"

#include "ports.h"
#include "session_pair.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

namespace charla::test {
namespace {

using host::buildDatagram;
using host::DatagramVerdict;
using host::parseDatagram;

std::vector<std::uint8_t> bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

std::vector<std::uint8_t> datagram(const std::string& plugin, const std::string& payload,
                                   const std::string& secret = {}) {
    const auto p = bytes(payload);
    return buildDatagram(plugin, p.data(), p.size(), secret);
}

TEST(DatagramFormat, RoundTripsWithAndWithoutSecret) {
    for (const std::string secret : {"", "correct horse"}) {
        const auto d = datagram("audio", "payload!", secret);
        EXPECT_EQ(d.size(), 3 + 5 + (secret.empty() ? 0 : host::kDatagramTagBytes) + 8);
        const auto parsed = parseDatagram(d.data(), d.size(), secret);
        ASSERT_EQ(parsed.verdict, DatagramVerdict::Ok) << parsed.why;
        EXPECT_EQ(parsed.pluginId, "audio");
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(parsed.payload), parsed.payloadSize),
                  "payload!");
    }
    const auto empty = datagram("x", "");
    EXPECT_EQ(parseDatagram(empty.data(), empty.size(), "").verdict, DatagramVerdict::Ok);
}

TEST(DatagramFormat, TheTagCoversHeaderAndPayload) {
    const auto good = datagram("audio", "frame", "s3cret");
    EXPECT_EQ(parseDatagram(good.data(), good.size(), "other").verdict,
              DatagramVerdict::Unauthorized);
    const auto unsigned_ = datagram("audio", "frame");
    EXPECT_EQ(parseDatagram(unsigned_.data(), unsigned_.size(), "s3cret").verdict,
              DatagramVerdict::Unauthorized);
    for (std::size_t i : {std::size_t(3), std::size_t(8), good.size() - 1}) { // id, tag, payload
        auto flipped = good;
        flipped[i] ^= 0x01;
        EXPECT_EQ(parseDatagram(flipped.data(), flipped.size(), "s3cret").verdict,
                  DatagramVerdict::Unauthorized)
            << "byte " << i;
    }
    // Without a secret on the receiving side a tag is carried but not checked.
    EXPECT_EQ(parseDatagram(good.data(), good.size(), "").verdict, DatagramVerdict::Ok);
}

TEST(DatagramFormat, MalformedHeadersAreRefused) {
    const auto good = datagram("audio", "x", "k");
    auto expectMalformed = [](std::vector<std::uint8_t> d, const char* what) {
        EXPECT_EQ(parseDatagram(d.data(), d.size(), "k").verdict, DatagramVerdict::Malformed)
            << what;
    };
    expectMalformed({}, "empty");
    expectMalformed({1, 0, 1}, "three bytes");
    auto v = good;
    v[0] = 2;
    expectMalformed(v, "version 2");
    v = good;
    v[1] |= 0x80;
    expectMalformed(v, "unknown flag");
    v = good;
    v[2] = 0;
    expectMalformed(v, "id length 0");
    v = good;
    v[2] = 33;
    expectMalformed(v, "id length 33");
    expectMalformed(std::vector<std::uint8_t>(good.begin(), good.begin() + 10),
                    "cut inside the tag");
    EXPECT_EQ(parseDatagram(nullptr, 0, "").verdict, DatagramVerdict::Malformed);
}

// A UDP socket on 127.0.0.x playing a contact or a stranger.
class RawUdp {
public:
    explicit RawUdp(const char* address = "127.0.0.1", std::uint16_t port = 0) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        inet_pton(AF_INET, address, &addr.sin_addr);
        ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~RawUdp() { ::close(fd_); }
    bool ok() const { return ok_; }
    std::uint16_t port() const { return port_; }
    void sendTo(std::uint16_t port, const std::vector<std::uint8_t>& d) const {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                  static_cast<ssize_t>(d.size()));
    }

private:
    int fd_ = -1;
    bool ok_ = false;
    std::uint16_t port_ = 0;
};

// One host with one plugin scope ("echo") whose datagram handler records what arrives.
struct Receiver {
    explicit Receiver(const std::string& listen = "127.0.0.1") {
        channel.listen(listen, 0, [this] {
            scope = channel.createScope("echo");
            EXPECT_TRUE(
                scope->registerDatagramHandler([this](const std::uint8_t* d, std::size_t n) {
                    std::lock_guard lock(mutex);
                    payloads.emplace_back(reinterpret_cast<const char*>(d), n);
                }));
            scope->closeRegistration();
            scope->publishMethods();
        });
    }
    std::vector<std::string> received() {
        std::lock_guard lock(mutex);
        return payloads;
    }
    host::DatagramStats stats() { return channel.datagrams().stats(); }

    host::HostChannel channel;
    std::unique_ptr<host::PluginScope> scope;
    std::mutex mutex;
    std::vector<std::string> payloads;
};

TEST(DatagramChannel, TwoChannelsExchangeDatagramsBothWays) {
    Receiver a, b;
    a.channel.setPeerAddress({"127.0.0.1", b.channel.port()});
    b.channel.setPeerAddress({"127.0.0.1", a.channel.port()});
    const auto hello = bytes("hello B");
    EXPECT_GT(a.scope->maxDatagramPayload(), 1900u);
    ASSERT_TRUE(a.scope->sendDatagram(hello.data(), hello.size()));
    const auto back = bytes("hello A");
    ASSERT_TRUE(b.scope->sendDatagram(back.data(), back.size()));
    ASSERT_TRUE(waitUntil([&] { return b.received().size() == 1 && a.received().size() == 1; }));
    EXPECT_EQ(b.received()[0], "hello B");
    EXPECT_EQ(a.received()[0], "hello A");
    EXPECT_EQ(a.stats().sent, 1u);
    EXPECT_EQ(b.stats().delivered, 1u);
    EXPECT_EQ(b.stats().bytesReceived, a.stats().bytesSent);
    // Too large for a datagram: refused at once and counted, nothing sent.
    const std::vector<std::uint8_t> big(a.scope->maxDatagramPayload() + 1, 'x');
    EXPECT_FALSE(a.scope->sendDatagram(big.data(), big.size()));
    EXPECT_EQ(a.stats().sendFailed, 1u);
}

TEST(DatagramChannel, WithASecretBothWaysSignedDatagramsArrive) {
    Receiver a, b;
    a.channel.setSecret("shared");
    b.channel.setSecret("shared");
    a.channel.setPeerAddress({"127.0.0.1", b.channel.port()});
    b.channel.setPeerAddress({"127.0.0.1", a.channel.port()});
    const auto p = bytes("signed");
    ASSERT_TRUE(a.scope->sendDatagram(p.data(), p.size()));
    ASSERT_TRUE(waitUntil([&] { return b.received().size() == 1; }));
    EXPECT_EQ(b.stats().unauthorized, 0u);
}

// Waits until `b` has read `arrived` datagrams and delivered exactly one: `text`.
void expectOnlyDelivered(Receiver& b, std::uint64_t arrived, const std::string& text) {
    ASSERT_TRUE(waitUntil([&] { return b.stats().received == arrived; }));
    ASSERT_TRUE(waitUntil([&] { return b.received().size() == 1; }));
    EXPECT_EQ(b.received()[0], text);
}

// `other`, then the contact (at 127.0.0.1) send to `b`: only the contact is heard, the other
// counts as foreign.
void expectOnlyTheContactHeard(Receiver& b, RawUdp& contact, RawUdp& other) {
    b.channel.setPeerAddress({"127.0.0.1", contact.port()});
    other.sendTo(b.channel.port(), datagram("echo", "from someone else"));
    contact.sendTo(b.channel.port(), datagram("echo", "from the contact"));
    ASSERT_NO_FATAL_FAILURE(expectOnlyDelivered(b, 2, "from the contact"));
    EXPECT_EQ(b.stats().foreign, 1u);
}

TEST(DatagramChannel, OnlyTheContactsPortIsHeardInLocalMode) {
    Receiver b;
    RawUdp contact, stranger;
    expectOnlyTheContactHeard(b, contact, stranger);
}

TEST(DatagramChannel, OnlyTheContactsAddressIsHeardBetweenComputers) {
    // Listening on every address (remote mode): the contact is exactly 127.0.0.1; 127.0.0.2 with
    // the same port number is someone else.
    Receiver b("0.0.0.0");
    RawUdp contact("127.0.0.1");
    RawUdp otherAddress("127.0.0.2", contact.port());
    if (!otherAddress.ok())
        GTEST_SKIP() << "cannot bind 127.0.0.2 here";
    expectOnlyTheContactHeard(b, contact, otherAddress);
}

TEST(DatagramChannel, WithASecretUnsignedAndWronglySignedAreDropped) {
    Receiver b;
    b.channel.setSecret("right");
    RawUdp contact;
    b.channel.setPeerAddress({"127.0.0.1", contact.port()});
    contact.sendTo(b.channel.port(), datagram("echo", "unsigned"));
    contact.sendTo(b.channel.port(), datagram("echo", "wrong", "wrong"));
    contact.sendTo(b.channel.port(), datagram("echo", "signed", "right"));
    ASSERT_NO_FATAL_FAILURE(expectOnlyDelivered(b, 3, "signed"));
    EXPECT_EQ(b.stats().unauthorized, 2u);
}

TEST(DatagramChannel, GarbageOversizeAndTruncatedAreCountedAndTheStreamGoesOn) {
    Receiver b;
    RawUdp contact;
    b.channel.setPeerAddress({"127.0.0.1", contact.port()});
    const auto good = datagram("echo", "good one");
    contact.sendTo(b.channel.port(), std::vector<std::uint8_t>(host::kMaxDatagramBytes + 500, 1));
    contact.sendTo(b.channel.port(), bytes("GET / HTTP/1.1\r\n\r\n"));
    contact.sendTo(b.channel.port(), std::vector<std::uint8_t>(good.begin(), good.begin() + 5));
    contact.sendTo(b.channel.port(), {});
    contact.sendTo(b.channel.port(), datagram("nobody", "for a plugin that is not here"));
    contact.sendTo(b.channel.port(), good);
    ASSERT_TRUE(waitUntil([&] { return b.received().size() == 1; }));
    EXPECT_EQ(b.received()[0], "good one");
    const auto s = b.stats();
    EXPECT_EQ(s.oversize, 1u);
    EXPECT_EQ(s.malformed, 3u); // garbage, truncated, empty
    EXPECT_EQ(s.unclaimed, 1u);
    EXPECT_EQ(s.delivered, 1u);
}

TEST(DatagramChannel, TheHandlerIsGoneOnceThePluginIsDisabled) {
    Receiver b;
    RawUdp contact;
    b.channel.setPeerAddress({"127.0.0.1", contact.port()});
    contact.sendTo(b.channel.port(), datagram("echo", "before"));
    ASSERT_TRUE(waitUntil([&] { return b.received().size() == 1; }));
    b.scope->removeMethods(); // what disabling the plugin does first
    contact.sendTo(b.channel.port(), datagram("echo", "after"));
    ASSERT_TRUE(waitUntil([&] { return b.stats().unclaimed == 1; }));
    EXPECT_EQ(b.received().size(), 1u);
}

TEST(DatagramChannel, RegistrationOnlyInsideInitialize) {
    host::HostChannel channel;
    auto scope = channel.createScope("echo");
    auto handler = [](const std::uint8_t*, std::size_t) {};
    EXPECT_TRUE(scope->registerDatagramHandler(handler));
    EXPECT_THROW(scope->registerDatagramHandler(handler), std::invalid_argument);
    scope->closeRegistration();
    EXPECT_THROW(scope->registerDatagramHandler(handler), std::logic_error);
    // Not listening: nothing can be sent, and nothing blocks.
    const auto p = bytes("x");
    EXPECT_FALSE(scope->sendDatagram(p.data(), p.size()));
}

// Sealed datagrams (issue 13) over real sockets: Bob is a whole TLS session with the echo plugin;
// the test plays Alice with a TLS stream presenting Alice's key (the exporter's key is taken
// from it as a Charla's presence stream does) and a UDP socket on Alice's port, so it can seal,
// replay and tamper with datagrams exactly as someone holding or recording them would.
class DatagramSealed : public ::testing::Test {
protected:
    void SetUp() override {
        std::tie(portA, portB) = reserveTwoPorts();
        bob = std::make_unique<host::Session>(
            loopbackConfig(portB, portA, "bob", QStringLiteral(CHARLA_TEST_PLUGINS_DIR "/good")));
        bob->start();
        alice = std::make_unique<RawUdp>("127.0.0.1", portA);
        if (!alice->ok())
            GTEST_SKIP() << "UDP port " << portA << " is taken here";
        key = connect(*(stream = contactStream(portB, "host")));
    }
    // One call on `s`; the key of its connection, as the keying stream hands it on.
    security::DatagramKey connect(host::CurlPeerStream& s) {
        std::optional<security::DatagramKey> got;
        s.setDatagramKeySink([&](const security::DatagramKey& k) { got = k; });
        s.call("host.ping", xmlrpc_c::paramList(), std::chrono::seconds(5));
        EXPECT_TRUE(got.has_value()) << "no key exported from the TLS connection";
        return got.value_or(security::DatagramKey{});
    }
    std::vector<std::uint8_t> seal(const security::DatagramKey& k, std::uint64_t seq,
                                   const std::string& text) {
        const auto p = bytes(text);
        return host::buildSealedDatagram("echo", k, seq, p.data(), p.size());
    }
    host::DatagramStats stats() { return bob->channel().datagrams().stats(); }
    // What Bob's echo plugin was handed: how many, the last.
    std::pair<int, std::string> echoed() {
        auto s = contactStream(portB, "probe");
        const xmlrpc_c::value v =
            s->call("echo.stats", xmlrpc_c::paramList(), std::chrono::seconds(5));
        auto m = xmlrpc_c::value_struct(v).cvalue();
        return {xmlrpc_c::value_int(m.at("datagrams")),
                xmlrpc_c::value_string(m.at("last_datagram"))};
    }
    void sendAndWait(const std::vector<std::uint8_t>& d) {
        const auto before = stats().received;
        alice->sendTo(portB, d);
        ASSERT_TRUE(waitUntil([&] { return stats().received == before + 1; }));
    }

    std::uint16_t portA = 0, portB = 0;
    std::unique_ptr<host::Session> bob;
    std::unique_ptr<RawUdp> alice;
    std::unique_ptr<host::CurlPeerStream> stream;
    security::DatagramKey key;
};

TEST_F(DatagramSealed, BothEndsOfTheConnectionDeriveTheSameKey) {
    sendAndWait(seal(key, 0, "sealed hello"));
    EXPECT_EQ(echoed(), std::make_pair(1, std::string("sealed hello")));
    EXPECT_EQ(stats().delivered, 1u);
    EXPECT_EQ(stats().unauthorized, 0u);
}

TEST_F(DatagramSealed, AReplayedDatagramIsDroppedLossAndReorderAreNot) {
    const auto first = seal(key, 0, "one");
    sendAndWait(first);
    sendAndWait(seal(key, 3, "four"));  // 1 and 2 lost...
    sendAndWait(seal(key, 2, "three")); // ...one of them late
    sendAndWait(first);                 // recorded and sent again
    sendAndWait(seal(key, 3, "four"));  // the same sequence number again
    EXPECT_EQ(echoed(), std::make_pair(3, std::string("three")));
    EXPECT_EQ(stats().replayed, 2u);
    EXPECT_EQ(stats().delivered, 3u);
}

TEST_F(DatagramSealed, TamperedUnsealedAndUnknownEpochAreDropped) {
    auto tampered = seal(key, 0, "payload");
    tampered.back() ^= 1;
    sendAndWait(tampered);
    sendAndWait(datagram("echo", "in clear")); // today's format: refused by a TLS Charla
    auto other = key;
    other.epoch ^= 1;
    sendAndWait(seal(other, 1, "no such epoch"));
    EXPECT_EQ(stats().unauthorized, 3u);
    EXPECT_EQ(echoed().first, 0);
    sendAndWait(seal(key, 0, "the real one")); // the forgery did not spend sequence number 0
    EXPECT_EQ(echoed(), std::make_pair(1, std::string("the real one")));
}

TEST_F(DatagramSealed, ANewConnectionIsANewEpochAndTheOldOneStillOpensForAWhile) {
    auto second = contactStream(portB, "host");
    const auto newKey = connect(*second);
    EXPECT_NE(newKey.epoch, key.epoch);
    EXPECT_NE(newKey.key, key.key);
    // The old connection closes; a datagram sealed before the switch arrives after it.
    stream.reset();
    ASSERT_TRUE(waitUntil([&] { return bob->channel().datagrams().receiveKeys().retired() == 1; }));
    sendAndWait(seal(newKey, 0, "new epoch"));
    sendAndWait(seal(key, 7, "old epoch, in flight"));
    EXPECT_EQ(stats().delivered, 2u);
    EXPECT_EQ(echoed().second, "old epoch, in flight");
}

// Two whole sessions: Alice's presence stream keys her datagrams, and what Bob's echo gets is
// what Alice's echo sent; nothing is sent before a key exists.
TEST_F(DatagramSealed, TwoSessionsSealTheirDatagramsBothWays) {
    stream.reset();
    alice.reset(); // frees UDP portA for the real Alice
    auto a = std::make_unique<host::Session>(
        loopbackConfig(portA, portB, "alice", QStringLiteral(CHARLA_TEST_PLUGINS_DIR "/good")));
    a->start();
    ASSERT_TRUE(waitUntil([&] {
        return a->channel().datagrams().sendEpoch() && bob->channel().datagrams().sendEpoch();
    }));
    auto send = [](std::uint16_t port, const std::string& text) {
        xmlrpc_c::paramList p;
        p.add(xmlrpc_c::value_string(text));
        return xmlrpc_c::value_boolean(
            contactStream(port, "probe")->call("echo.sendDatagram", p, std::chrono::seconds(5)));
    };
    ASSERT_TRUE(static_cast<bool>(send(portA, "from alice")));
    ASSERT_TRUE(static_cast<bool>(send(portB, "from bob")));
    ASSERT_TRUE(waitUntil(
        [&] { return stats().delivered == 1 && a->channel().datagrams().stats().delivered == 1; }));
    EXPECT_EQ(echoed().second, "from alice");
    EXPECT_NE(*a->channel().datagrams().sendEpoch(), *bob->channel().datagrams().sendEpoch());
    EXPECT_EQ(stats().unauthorized + a->channel().datagrams().stats().unauthorized, 0u);
    a->stop();
}

} // namespace
} // namespace charla::test
