// The datagram path: the wire format on its own, then real UDP sockets on loopback through
// HostChannel/PluginScope (what a plugin sees), with raw sockets playing the contact, a stranger
// on another port and one on another address.
#include "core/datagram.h"
#include "core/host_channel.h"

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

} // namespace
} // namespace charla::test
