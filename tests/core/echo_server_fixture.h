// The fixture of the suites that talk to one host's server: a HostChannel listening on
// 127.0.0.1 (any free port) with host.ping/host.hello (a PeerLink that is never started) and
// t.echo, plus what the suite adds.
#pragma once

#include "core/host_channel.h"
#include "core/peer_link.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace charla::test {

class EchoServerTest : public ::testing::Test {
protected:
    void SetUp() override { serve(); }
    void TearDown() override {
        channel.stopListening();
        link.reset();
    }
    // Registers t.echo and `extra` (names in "t."), then listens.
    void serve(std::vector<sdk::MethodSpec> extra = {}) {
        link = std::make_unique<host::PeerLink>(channel, "tester");
        channel.methods().add("t", echoSpec());
        for (sdk::MethodSpec& spec : extra)
            channel.methods().add("t", std::move(spec));
        channel.listen("127.0.0.1", 0);
        port = channel.port();
        ASSERT_NE(port, 0);
    }

    host::HostChannel channel;
    std::unique_ptr<host::PeerLink> link;
    std::uint16_t port = 0;
};

} // namespace charla::test
