// ABI growth (#12): a plugin built against the frozen SDK 1.1 headers (tests/fixtures/sdk-1.1)
// loads and works in today's host, and a plugin built for an older minor on purpose is stamped
// with it. If PluginContext or Channel ever change in a way that breaks built plugins (a virtual
// inserted before the 1.1 ones, a changed signature), the legacy plugin calls the wrong slot and
// these tests fail.
#include "plugin_manager_fixture.h"
#include "test_support.h"

#include <charla/sdk/version.h>

#include <gtest/gtest.h>

namespace charla::test {
namespace {

using host::PluginManager;
using host::PluginState;

class SdkCompatTest : public LoopbackPluginManagerTest {
protected:
    SdkCompatTest() : LoopbackPluginManagerTest("old friend") {}
    void SetUp() override {
        LoopbackPluginManagerTest::SetUp();
        pm->setPluginOptions({{"legacy.mode", "compat"}});
    }
};

TEST_F(SdkCompatTest, APluginBuiltAgainstSdk11LoadsAndWorks) {
    pm->discover({QString::fromStdString(pluginDir("sdk11"))});
    const host::PluginRecord* record = pm->find("legacy");
    ASSERT_TRUE(record);
    EXPECT_EQ(record->manifest.abiMinor, 1);
    ASSERT_LT(1, CHARLA_SDK_ABI_MINOR) << "the host must be newer than the fixture";

    pm->enableDiscovered();
    ASSERT_EQ(pm->find("legacy")->state, PluginState::Enabled)
        << pm->find("legacy")->reason.toStdString();
    // Its methods are served and answer.
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(channel.port(), "legacy.echo", params({xmlrpc_c::value_string("hi")})))),
              "hi");
    // Every PluginContext and Channel entry of 1.1 reached the right function.
    const auto info = asStruct(rpc(channel.port(), "legacy.info"));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(info.at("user"))), "old friend");
    EXPECT_EQ(std::string(xmlrpc_c::value_string(info.at("option"))), "compat");
    EXPECT_TRUE(xmlrpc_c::value_boolean(info.at("call_idle")));
    EXPECT_TRUE(xmlrpc_c::value_boolean(info.at("datagram")))
        << "the host took its datagram handler";
    // It announced.
    const auto caps = pm->enabledCapabilities();
    ASSERT_EQ(caps.size(), 1u);
    EXPECT_EQ(caps[0].params, (std::map<std::string, std::string>{{"built", "1.1"}}));

    // Disable and enable again: a new instance, served again.
    ASSERT_TRUE(pm->setEnabled("legacy", false));
    EXPECT_FALSE(contains(listMethods(channel.port()), "legacy.echo"));
    EXPECT_TRUE(pm->enabledCapabilities().empty());
    ASSERT_TRUE(pm->setEnabled("legacy", true));
    EXPECT_TRUE(contains(listMethods(channel.port()), "legacy.echo"));
    EXPECT_EQ(pm->enabledCapabilities().size(), 1u);
}

// charla_add_plugin(... ABI_MINOR 0): today's headers, stamped 1.0 in the manifest and the library
// (the host compares both), so a 1.0 host would load it too.
TEST_F(SdkCompatTest, APluginBuiltForAnOlderMinorIsStampedWithIt) {
    pm->discover({QString::fromStdString(pluginDir("target10"))});
    const host::PluginRecord* record = pm->find("target10");
    ASSERT_TRUE(record);
    EXPECT_EQ(record->manifest.abiMajor, CHARLA_SDK_ABI_MAJOR);
    EXPECT_EQ(record->manifest.abiMinor, 0);
    pm->enableDiscovered();
    EXPECT_EQ(pm->find("target10")->state, PluginState::Enabled)
        << pm->find("target10")->reason.toStdString();
}

} // namespace
} // namespace charla::test
