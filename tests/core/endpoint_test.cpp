// Ports, "HOST[:PORT]" and name resolution (core/endpoint.h).
#include "core/endpoint.h"

#include <gtest/gtest.h>

namespace {

using namespace charla::host;

TEST(Endpoint, ParsePortAcceptsOneTo65535) {
    QString error;
    EXPECT_EQ(parsePort("1", &error), 1);
    EXPECT_EQ(parsePort("5000", &error), 5000);
    EXPECT_EQ(parsePort("65535", &error), 65535);
    EXPECT_EQ(parsePort(" 80 ", &error), 80);
    EXPECT_EQ(parsePort("00080", &error), 80);
    EXPECT_TRUE(error.isEmpty()) << error.toStdString();
}

TEST(Endpoint, ParsePortRejectsEverythingElse) {
    for (const char* bad : {"0", "65536", "70000", "123456", "-1", "+80", "", " ", "8o", "0x50",
                            "80.0", "1e3", "٣"}) {
        QString error;
        EXPECT_FALSE(parsePort(bad, &error).has_value()) << bad;
        EXPECT_TRUE(error.contains("invalid port")) << bad << ": " << error.toStdString();
        EXPECT_TRUE(error.contains(QString::fromUtf8(bad))) << error.toStdString();
    }
    EXPECT_FALSE(parsePort("0", nullptr).has_value()) << "a null error pointer is allowed";
}

TEST(Endpoint, ParseHostPortSplitsHostAndPort) {
    QString error;
    auto hp = parseHostPort("alice-pc:5001", &error);
    ASSERT_TRUE(hp) << error.toStdString();
    EXPECT_EQ(hp->host, "alice-pc");
    EXPECT_EQ(hp->port, 5001);
    hp = parseHostPort("192.168.1.7", &error);
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "192.168.1.7");
    EXPECT_FALSE(hp->port.has_value());
    hp = parseHostPort("  localhost  ", &error);
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "localhost");
    hp = parseHostPort("a.b-c.example.org:65535", &error);
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->port, 65535);
}

TEST(Endpoint, ParseHostPortRejectsBadInput) {
    for (const char* bad :
         {"", " ", ":5000", "host:", "host:0", "host:65536", "host:abc", "bad host", "under_score",
          "-dash", ".dot", "[::1]:5000", "::1", "a:b:c", "ho$t"}) {
        QString error;
        EXPECT_FALSE(parseHostPort(bad, &error).has_value()) << bad;
        EXPECT_FALSE(error.isEmpty()) << bad;
    }
    EXPECT_FALSE(parseHostPort("x y", nullptr).has_value());
    EXPECT_FALSE(parseHostPort(QString(300, 'a'), nullptr).has_value()) << "over 253 characters";
}

TEST(Endpoint, ResolveIPv4OfLiteralsAndLocalhost) {
    QString error;
    EXPECT_EQ(resolveIPv4("127.0.0.1", &error), "127.0.0.1");
    EXPECT_EQ(resolveIPv4("10.77.0.2", &error), "10.77.0.2");
    const auto local = resolveIPv4("localhost", &error);
    ASSERT_TRUE(local) << error.toStdString();
    EXPECT_TRUE(local->startsWith("127.")) << local->toStdString();
}

TEST(Endpoint, ResolveIPv4OfAnUnknownHostFails) {
    QString error;
    EXPECT_FALSE(resolveIPv4("no-such-host.invalid", &error).has_value());
    EXPECT_TRUE(error.contains("unknown host")) << error.toStdString();
    EXPECT_TRUE(error.contains("no-such-host.invalid")) << error.toStdString();
}

TEST(Endpoint, LocalAddressesExcludeLoopback) {
    for (const QString& a : localIPv4Addresses())
        EXPECT_FALSE(a.startsWith("127.")) << a.toStdString();
}

} // namespace
