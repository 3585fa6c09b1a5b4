// The fixture of the suites that load plugins into a host: a HostChannel serving on 127.0.0.1
// whose peer is itself (a plugin's worker has someone to talk to), and a PluginManager on it,
// destroyed before the channel.
#pragma once

#include "core/host_channel.h"
#include "core/plugin_manager.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

namespace charla::test {

class LoopbackPluginManagerTest : public ::testing::Test {
protected:
    explicit LoopbackPluginManagerTest(std::string localUser = "tester")
        : localUser_(std::move(localUser)) {}
    void SetUp() override {
        channel.listen("127.0.0.1", 0);
        channel.setPeerAddress({"127.0.0.1", channel.port()});
        pm = std::make_unique<host::PluginManager>(channel, localUser_);
    }
    void TearDown() override { pm.reset(); }

    host::HostChannel channel;
    std::unique_ptr<host::PluginManager> pm;

private:
    std::string localUser_;
};

} // namespace charla::test
