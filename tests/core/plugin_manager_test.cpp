// PluginManager with the real fixture plugins: discovery, refusal with a reason, failures, and
// good plugins enabling next to broken ones.
#include "files.h" // tests/support
#include "plugin_manager_fixture.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <QFile>

#include <algorithm>
#include <set>

#include <dlfcn.h>

namespace charla::test {
namespace {

using host::PluginManager;
using host::PluginRecord;
using host::PluginState;

QStringList dirs(std::initializer_list<const char*> scenarios) {
    QStringList out;
    for (const char* s : scenarios)
        out << QString::fromStdString(pluginDir(s));
    return out;
}

std::string describe(const std::vector<PluginRecord>& records) {
    std::string out;
    for (const auto& r : records)
        out += "\n  " + r.displayId.toStdString() + " [" + host::toString(r.state).toStdString() +
               "] " + r.reason.toStdString();
    return out;
}

// The records whose display id or path mentions `needle`.
std::vector<PluginRecord> recordsAbout(const PluginManager& pm, const QString& needle) {
    std::vector<PluginRecord> out;
    for (const auto& r : pm.plugins())
        if (r.displayId.contains(needle) || r.path.contains(needle))
            out.push_back(r);
    return out;
}

class PluginManagerTest : public LoopbackPluginManagerTest {
protected:
    void SetUp() override {
        LoopbackPluginManagerTest::SetUp();
        QObject::connect(pm.get(), &PluginManager::pluginsChanged, [this] { ++changes; });
    }
    // The ids of the enabled plugins (their capabilities), sorted.
    std::vector<std::string> enabledIds() const {
        std::vector<std::string> ids;
        for (const auto& c : pm->enabledCapabilities())
            ids.push_back(c.id);
        std::sort(ids.begin(), ids.end());
        return ids;
    }

    // Discovers one broken scenario, enables what can be enabled, and returns its one record
    // that is not a plain "no manifest" side effect.
    PluginRecord single(const char* scenario, const QString& needle) {
        pm->discover(dirs({scenario}));
        pm->enableDiscovered();
        auto found = recordsAbout(*pm, needle);
        EXPECT_FALSE(found.empty())
            << "no record about " << needle.toStdString() << describe(pm->plugins());
        return found.empty() ? PluginRecord{} : found.front();
    }
    // Refused, for a reason that mentions `reasonPart` and, if given, the specifics `detail`.
    void expectRefused(const PluginRecord& r, const char* reasonPart,
                       const char* detail = nullptr) {
        EXPECT_EQ(r.state, PluginState::Refused) << r.reason.toStdString();
        for (const char* part : {reasonPart, detail}) {
            if (!part)
                continue;
            EXPECT_TRUE(r.reason.contains(part, Qt::CaseInsensitive))
                << "reason '" << r.reason.toStdString() << "' does not mention '" << part << "'";
        }
        EXPECT_TRUE(r.manifest.id.isEmpty()) << "a refused record must not be matched by id";
    }

    int changes = 0;
};

// SDK 1.5: a history keeper's renderTimelineRecord reaches the renderer of the plugin the event
// names as its source; nothing when that plugin is not enabled, has no words, or words a line
// timeline.h does not allow; a renderer that throws fails its plugin. A record is checked as it
// is posted.
TEST_F(PluginManagerTest, TimelineRecordsAreWordedByThePluginThatPostedThem) {
    pm->discover(dirs({"good"}));
    charla::sdk::TimelineEvent event;
    event.source = "echo";
    event.key = "k";
    event.text = "stored";
    EXPECT_EQ(pm->renderTimelineRecord(event, "r"), std::nullopt) << "not enabled yet";
    pm->enableDiscovered();
    ASSERT_EQ(pm->find("echo")->state, PluginState::Enabled) << describe(pm->plugins());
    EXPECT_EQ(pm->renderTimelineRecord(event, R"({"fate":"done"})"),
              std::optional<std::string>(R"(echo: {"fate":"done"})"));
    EXPECT_EQ(pm->renderTimelineRecord(event, "none"), std::nullopt);
    EXPECT_EQ(pm->renderTimelineRecord(event, "two lines"), std::nullopt);
    event.source = "nobody";
    EXPECT_EQ(pm->renderTimelineRecord(event, "r"), std::nullopt);

    EXPECT_NO_THROW(pm->postTimelineEvent("echo", event, std::string(4096, 'x')));
    EXPECT_THROW(pm->postTimelineEvent("echo", event, std::string(4097, 'x')),
                 std::invalid_argument);
    EXPECT_THROW(pm->postTimelineEvent("echo", event, "\xff not UTF-8"), std::invalid_argument);

    event.source = "echo";
    EXPECT_EQ(pm->renderTimelineRecord(event, "throw"), std::nullopt);
    ASSERT_TRUE(waitUntil([&] { return pm->find("echo")->state == PluginState::Failed; }));
    EXPECT_TRUE(pm->find("echo")->reason.contains("render exploded on purpose"))
        << pm->find("echo")->reason.toStdString();
}

TEST_F(PluginManagerTest, DiscoversAndEnablesTheGoodPlugin) {
    pm->discover(dirs({"good"}));
    ASSERT_EQ(pm->plugins().size(), 1u) << describe(pm->plugins());
    const PluginRecord& r = pm->plugins()[0];
    EXPECT_EQ(r.manifest.id, "echo");
    EXPECT_EQ(r.manifest.name, "Echo");
    EXPECT_EQ(r.manifest.version, "1.2.3");
    EXPECT_EQ(r.manifest.vendor, "Charla tests");
    EXPECT_EQ(r.state, PluginState::Disabled);
    EXPECT_FALSE(channel.methods().contains("echo.say")) << "discovery must not run plugin code";
    EXPECT_GE(changes, 1);

    pm->enableDiscovered();
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled) << describe(pm->plugins());
    EXPECT_TRUE(channel.methods().contains("echo.say"));
    // Its worker talks to this very host over HTTP.
    EXPECT_TRUE(waitUntil([&] { return intMember(rpc(channel.port(), "echo.stats"), "ok") >= 3; }));
    const auto caps = pm->enabledCapabilities();
    ASSERT_EQ(caps.size(), 1u);
    EXPECT_EQ(caps[0].id, "echo");
    EXPECT_EQ(caps[0].sends, std::vector<std::string>{"echo"});

    pm->disableAll();
    EXPECT_EQ(pm->find("echo")->state, PluginState::Disabled);
    EXPECT_FALSE(channel.methods().contains("echo.say"));
    EXPECT_TRUE(pm->enabledCapabilities().empty());
}

// charla_add_plugin writes free text into the manifest escaped (#12): the quoted fixture's name,
// vendor, description and option help (tests/fixtures/CMakeLists.txt) read back exactly.
TEST_F(PluginManagerTest, ManifestTextWithQuotesAndBackslashesReadsBackExactly) {
    pm->discover(dirs({"quoted"}));
    ASSERT_EQ(pm->plugins().size(), 1u) << describe(pm->plugins());
    const PluginRecord& r = pm->plugins()[0];
    ASSERT_EQ(r.manifest.id, "quoted") << describe(pm->plugins());
    EXPECT_EQ(r.manifest.name.toStdString(), "Say \"hi\" \\ back");
    EXPECT_EQ(r.manifest.vendor.toStdString(), "Tests; [\"quoted\"]");
    EXPECT_EQ(r.manifest.description.toStdString(),
              "Has \"quotes\", a backslash \\ (C:\\temp\\new); $<1:x>\ttab\nline\x01");
    ASSERT_EQ(r.manifest.cliOptions.size(), 1);
    EXPECT_EQ(r.manifest.cliOptions[0].name, "quoted-path");
    EXPECT_EQ(r.manifest.cliOptions[0].valueName, "PATH");
    EXPECT_EQ(r.manifest.cliOptions[0].help.toStdString(), "A \"path\" like C:\\x|y");
    // LOCALIZED: the name and description in the user's language, by region then by language,
    // and the manifest's own where a translation has none.
    EXPECT_EQ(r.manifest.displayName(QLocale("es_MX")).toStdString(), "Di \"hola\" \\ de vuelta");
    EXPECT_EQ(r.manifest.displayDescription(QLocale("es_ES")).toStdString(),
              "Tiene \"comillas\" y la eñe");
    EXPECT_EQ(r.manifest.displayName(QLocale("pt_BR")), "Diga oi");
    EXPECT_EQ(r.manifest.displayDescription(QLocale("pt_BR")), r.manifest.description);
    EXPECT_EQ(r.manifest.displayName(QLocale("fr_FR")), r.manifest.name);
    pm->enableDiscovered();
    EXPECT_EQ(pm->find("quoted")->state, PluginState::Enabled) << describe(pm->plugins());
}

TEST_F(PluginManagerTest, PluginsTheUserDisabledStayDisabledUntilEnabled) {
    pm->discover(dirs({"good"}), {"echo"});
    pm->enableDiscovered();
    const PluginRecord* r = pm->find("echo");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->state, PluginState::Disabled);
    EXPECT_TRUE(r->reason.contains("disabled by the user")) << r->reason.toStdString();
    EXPECT_FALSE(channel.methods().contains("echo.say"));
    QString error;
    EXPECT_TRUE(pm->setEnabled("echo", true, &error)) << error.toStdString();
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled);
    EXPECT_TRUE(pm->setEnabled("echo", true, &error)) << "enabling twice is a no-op";
    EXPECT_TRUE(pm->setEnabled("echo", false, &error));
    EXPECT_TRUE(pm->find("echo")->reason.contains("disabled by the user"));
}

TEST_F(PluginManagerTest, SetEnabledOnAnUnknownIdFails) {
    pm->discover(dirs({"good"}));
    QString error;
    EXPECT_FALSE(pm->setEnabled("nope", true, &error));
    EXPECT_TRUE(error.contains("nope")) << error.toStdString();
    EXPECT_FALSE(pm->setEnabled("nope", false, nullptr));
}

TEST_F(PluginManagerTest, MissingDirectoriesAreIgnored) {
    pm->discover({"/nonexistent/charla-plugins", QString::fromStdString(pluginDir("good"))});
    EXPECT_EQ(pm->plugins().size(), 1u) << describe(pm->plugins());
}

TEST_F(PluginManagerTest, RefusesAnotherSdkAbi) {
    const PluginRecord r = single("abi", "abi99");
    expectRefused(r, "ABI", "99");
}

TEST_F(PluginManagerTest, RefusesAnotherQtVersion) {
    const PluginRecord r = single("qt", "qt515");
    expectRefused(r, "Qt", "5.15");
}

TEST_F(PluginManagerTest, RefusesAMalformedManifest) {
    pm->discover(dirs({"malformed"}));
    pm->enableDiscovered();
    ASSERT_EQ(pm->plugins().size(), 2u) << describe(pm->plugins());
    const auto manifests = recordsAbout(*pm, ".json");
    ASSERT_EQ(manifests.size(), 1u) << describe(pm->plugins());
    expectRefused(manifests[0], "malformed");
    // Its library then has no usable manifest either.
    const auto libraries = recordsAbout(*pm, ".so");
    ASSERT_EQ(libraries.size(), 1u) << describe(pm->plugins());
    expectRefused(libraries[0], "no manifest");
}

TEST_F(PluginManagerTest, RefusesAManifestLackingARequiredField) {
    const PluginRecord r = single("lacks", "lacks");
    expectRefused(r, "lacks", "'qt'");
}

TEST_F(PluginManagerTest, RefusesALibraryWithoutManifest) {
    const PluginRecord r = single("nomanifest", "nomanifest");
    expectRefused(r, "no manifest");
    EXPECT_EQ(pm->plugins().size(), 1u) << describe(pm->plugins());
}

TEST_F(PluginManagerTest, RefusesADuplicateIdAndKeepsTheFirst) {
    pm->discover(dirs({"duplicate"}));
    pm->enableDiscovered();
    ASSERT_EQ(pm->plugins().size(), 2u) << describe(pm->plugins());
    int refused = 0, enabled = 0;
    for (const auto& r : pm->plugins()) {
        if (r.state == PluginState::Refused) {
            ++refused;
            EXPECT_TRUE(r.reason.contains("duplicate")) << r.reason.toStdString();
            EXPECT_TRUE(r.reason.contains("dup")) << r.reason.toStdString();
        } else if (r.state == PluginState::Enabled) {
            ++enabled;
            EXPECT_EQ(r.manifest.id, "dup");
        }
    }
    EXPECT_EQ(refused, 1) << describe(pm->plugins());
    EXPECT_EQ(enabled, 1) << describe(pm->plugins());
}

TEST_F(PluginManagerTest, RefusesALibraryWhoseIdDiffersFromItsManifest) {
    pm->discover(dirs({"mismatch"}));
    ASSERT_EQ(pm->plugins().size(), 1u) << describe(pm->plugins());
    EXPECT_EQ(pm->plugins()[0].state, PluginState::Disabled) << "the manifest itself is fine";
    QString error;
    EXPECT_FALSE(pm->setEnabled("mismatch_b", true, &error));
    EXPECT_TRUE(error.contains("manifest says")) << error.toStdString();
    const PluginRecord& r = pm->plugins()[0];
    expectRefused(r, "manifest says", "mismatch_a");
    EXPECT_TRUE(r.reason.contains("mismatch_b")) << r.reason.toStdString();
    EXPECT_FALSE(pm->setEnabled("mismatch_b", true, &error)) << "refused stays refused";
}

TEST_F(PluginManagerTest, RefusesALibraryBuiltForAnotherAbiThanItsManifestSays) {
    const PluginRecord r = single("liar", "liar");
    expectRefused(r, "manifest says", "99");
}

TEST_F(PluginManagerTest, RefusesALibraryWithoutPluginEntryPoints) {
    expectRefused(single("notplugin", "notplugin"), "exports no Charla plugin");
}

TEST_F(PluginManagerTest, APluginThrowingFromInitializeFailsAndLeavesNothingBehind) {
    const PluginRecord r = single("initthrows", "initthrows");
    EXPECT_EQ(r.state, PluginState::Failed) << r.reason.toStdString();
    EXPECT_TRUE(r.reason.contains("init exploded on purpose")) << r.reason.toStdString();
    EXPECT_FALSE(channel.methods().contains("initthrows.ping"));
    EXPECT_TRUE(pm->enabledCapabilities().empty());
    // Trying again fails again, with the reason.
    QString error;
    EXPECT_FALSE(pm->setEnabled("initthrows", true, &error));
    EXPECT_TRUE(error.contains("init exploded")) << error.toStdString();
    EXPECT_TRUE(contains(listMethods(channel.port()), "system.listMethods"));
}

TEST_F(PluginManagerTest, APluginWhoseWorkerThrowsIsMarkedFailedAndTheHostKeepsRunning) {
    pm->discover(dirs({"workerthrows", "good"}));
    pm->enableDiscovered();
    ASSERT_TRUE(waitUntil([&] {
        const PluginRecord* r = pm->find("workerthrows");
        return r && r->state == PluginState::Failed;
    })) << describe(pm->plugins());
    const PluginRecord* r = pm->find("workerthrows");
    EXPECT_TRUE(r->reason.contains("worker exploded on purpose")) << r->reason.toStdString();
    EXPECT_TRUE(r->reason.contains("bomb")) << "the reason should name the worker";
    EXPECT_FALSE(channel.methods().contains("workerthrows.ping"));
    EXPECT_EQ(rpcFaultCode(channel.port(), "workerthrows.ping"), -32601);
    // The other plugin and the host are unaffected.
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled);
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(channel.port(), "echo.say", params({xmlrpc_c::value_string("alive")})))),
              "alive");
    EXPECT_EQ(enabledIds(), std::vector<std::string>{"echo"});
}

// A UI/notification hook that throws after enabling: failed (queued, so the notifying loop is
// not disturbed), its methods gone, the other plugins untouched.
TEST_F(PluginManagerTest, APluginWhoseCallHookThrowsIsMarkedFailed) {
    pm->discover(dirs({"hookthrows", "good"}));
    pm->enableDiscovered();
    ASSERT_EQ(pm->find("hookthrows")->state, PluginState::Enabled) << describe(pm->plugins());
    pm->notifyCallChanged({sdk::CallInfo::State::Outgoing, "call-1"});
    ASSERT_TRUE(waitUntil([&] { return pm->find("hookthrows")->state == PluginState::Failed; }))
        << describe(pm->plugins());
    EXPECT_TRUE(pm->find("hookthrows")->reason.contains("failed in callChanged"))
        << pm->find("hookthrows")->reason.toStdString();
    EXPECT_TRUE(pm->find("hookthrows")->reason.contains("exploded on purpose"));
    EXPECT_FALSE(channel.methods().contains("hookthrows.ping"));
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled);
    EXPECT_EQ(enabledIds(), std::vector<std::string>{"echo"});
}

TEST_F(PluginManagerTest, APluginWhosePeerHookThrowsIsMarkedFailed) {
    pm->discover(dirs({"hookthrows", "good"}));
    pm->enableDiscovered();
    sdk::PeerInfo online;
    online.online = true;
    pm->notifyPeerChanged(online);
    ASSERT_TRUE(waitUntil([&] { return pm->find("hookthrows")->state == PluginState::Failed; }))
        << describe(pm->plugins());
    EXPECT_TRUE(pm->find("hookthrows")->reason.contains("failed in peerChanged"))
        << pm->find("hookthrows")->reason.toStdString();
    EXPECT_EQ(rpcFaultCode(channel.port(), "hookthrows.ping"), -32601);
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled);
}

// Enabling during a call runs callChanged at once: a throw there refuses the enable itself.
TEST_F(PluginManagerTest, EnablingAPluginWhoseHookThrowsDuringACallFailsAtOnce) {
    sdk::CallInfo call{sdk::CallInfo::State::Active, "call-2"};
    pm->setCallSource([&call] { return call; });
    pm->discover(dirs({"hookthrows"}));
    pm->enableDiscovered();
    const PluginRecord* r = pm->find("hookthrows");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->state, PluginState::Failed) << r->reason.toStdString();
    EXPECT_TRUE(r->reason.contains("callChanged exploded")) << r->reason.toStdString();
    EXPECT_FALSE(channel.methods().contains("hookthrows.ping"));
    EXPECT_TRUE(pm->enabledCapabilities().empty());
    // Once the call is over, the user can enable it again.
    call = {};
    pm->notifyCallChanged(call);
    QString error;
    EXPECT_TRUE(pm->setEnabled("hookthrows", true, &error)) << error.toStdString();
    EXPECT_TRUE(channel.methods().contains("hookthrows.ping"));
}

TEST_F(PluginManagerTest, GoodPluginsEnableNextToEveryBrokenOne) {
    pm->discover(dirs({"abi", "qt", "malformed", "lacks", "nomanifest", "duplicate", "mismatch",
                       "liar", "notplugin", "initthrows", "workerthrows", "good"}));
    pm->enableDiscovered();
    ASSERT_TRUE(waitUntil([&] {
        const PluginRecord* r = pm->find("workerthrows");
        return r && r->state == PluginState::Failed;
    })) << describe(pm->plugins());

    const std::vector<std::pair<const char*, const char*>> expected{
        {"abi99", "ABI"},
        {"qt515", "Qt"},
        {"malformed", "malformed"},
        {"lacks", "lacks"},
        {"nomanifest", "no manifest"},
        {"dup", "duplicate"},
        {"mismatch", "manifest says"},
        {"liar", "manifest says"},
        {"notplugin", "exports no Charla plugin"}};
    for (const auto& [needle, reason] : expected) {
        bool found = false;
        for (const auto& r : recordsAbout(*pm, needle))
            found = found || (r.state == PluginState::Refused && r.reason.contains(reason));
        EXPECT_TRUE(found) << needle << " not refused for '" << reason << "'"
                           << describe(pm->plugins());
    }
    EXPECT_EQ(pm->find("initthrows")->state, PluginState::Failed);
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled) << describe(pm->plugins());
    EXPECT_EQ(pm->find("dup")->state, PluginState::Enabled);
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  rpc(channel.port(), "echo.say", params({xmlrpc_c::value_string("fine")})))),
              "fine");
    EXPECT_EQ(enabledIds(), (std::vector<std::string>{"dup", "echo"}));
}

// The crash guard's file as a dead Charla would have left it, in a file of this test's own.
QString leftoverCrashGuard(const char* content) {
    const QString guard =
        QString::fromStdString(::testing::TempDir() + "charla-guard-" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    EXPECT_TRUE(writeFile(guard, content));
    return guard;
}

// The crash guard: Charla died twice in a row while loading the plugin: it stays off.
TEST_F(PluginManagerTest, ThePluginNamedByASecondLeftoverCrashGuardStaysOff) {
    const QString guard = leftoverCrashGuard("echo\n2\n");
    pm->setCrashGuardPath(guard);
    pm->discover(dirs({"good"}));
    EXPECT_FALSE(QFile::exists(guard)) << "the guard is consumed by discover()";
    const PluginRecord* r = pm->find("echo");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->state, PluginState::Failed);
    EXPECT_TRUE(r->reason.contains("stopped while loading")) << r->reason.toStdString();
    pm->enableDiscovered();
    EXPECT_EQ(pm->find("echo")->state, PluginState::Failed) << "kept off";
    QString error;
    EXPECT_TRUE(pm->setEnabled("echo", true, &error)) << error.toStdString();
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled);
    EXPECT_FALSE(QFile::exists(guard)) << "a successful load removes the guard";
}

// One leftover is no evidence of a crash (a SIGKILL may land during any load, as in
// tests/text/kill_test.py): the plugin loads again (the second strike: plugin_loader_test.cpp).
TEST_F(PluginManagerTest, ASingleLeftoverCrashGuardGivesThePluginAnotherTry) {
    const QString guard = leftoverCrashGuard("echo\n");
    pm->setCrashGuardPath(guard);
    pm->discover(dirs({"good"}));
    EXPECT_EQ(pm->find("echo")->state, PluginState::Disabled) << describe(pm->plugins());
    pm->enableDiscovered();
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled) << describe(pm->plugins());
    EXPECT_FALSE(QFile::exists(guard)) << "a successful load removes the guard";
}

TEST_F(PluginManagerTest, ANormalStartLeavesNoCrashGuard) {
    const QString guard = QString::fromStdString(::testing::TempDir() + "charla-guard-normal");
    QFile::remove(guard);
    pm->setCrashGuardPath(guard);
    pm->discover(dirs({"good", "initthrows"}));
    pm->enableDiscovered();
    EXPECT_EQ(pm->find("echo")->state, PluginState::Enabled);
    EXPECT_EQ(pm->find("initthrows")->state, PluginState::Failed);
    EXPECT_FALSE(QFile::exists(guard));
}

TEST(PluginLifecycle, OnlyTheLifecyclesTransitionsAreAllowed) {
    using S = PluginState;
    const std::vector<S> all{S::Disabled, S::Enabled, S::Refused, S::Failed};
    const std::set<std::pair<S, S>> allowed{
        {S::Disabled, S::Disabled}, {S::Disabled, S::Enabled}, {S::Disabled, S::Refused},
        {S::Disabled, S::Failed},   {S::Enabled, S::Disabled}, {S::Enabled, S::Failed},
        {S::Failed, S::Enabled},    {S::Failed, S::Failed},    {S::Failed, S::Refused}};
    for (S from : all)
        for (S to : all)
            EXPECT_EQ(PluginManager::canMove(from, to), allowed.count({from, to}) == 1)
                << host::toString(from).toStdString() << " -> " << host::toString(to).toStdString();
}

TEST_F(PluginManagerTest, StateNamesAreReadable) {
    EXPECT_EQ(host::toString(PluginState::Disabled), "disabled");
    EXPECT_EQ(host::toString(PluginState::Enabled), "enabled");
    EXPECT_EQ(host::toString(PluginState::Refused), "refused");
    EXPECT_EQ(host::toString(PluginState::Failed), "failed");
}

// plugin_manager.h promises that a loaded library is "kept for the process lifetime" (Qt code is
// never safe to unload). Check that destroying the manager does not dlclose it.
TEST_F(PluginManagerTest, ALoadedLibraryStaysMappedAfterTheManagerIsGone) {
    pm->discover(dirs({"good"}));
    pm->enableDiscovered();
    ASSERT_EQ(pm->find("echo")->state, PluginState::Enabled);
    const std::string library = pm->find("echo")->manifest.library.toStdString();
    pm.reset();
    void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_NOLOAD);
    const bool stillMapped = handle != nullptr;
    if (handle)
        ::dlclose(handle);
    EXPECT_TRUE(stillMapped) << library << " was unloaded with its PluginManager";
}

} // namespace
} // namespace charla::test
