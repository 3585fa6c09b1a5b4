// PluginServices (SDK 1.2's PluginContext toolbox): tasks posted from any thread run on the GUI
// thread until the plugin is disabled, then never; settings in a group of the plugin's own, with
// the old "plugins/<id>" keys moved; a data directory created on demand.
#include "core/plugin_services.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QThread>

#include <atomic>
#include <memory>
#include <thread>

namespace charla::test {
namespace {

using host::PluginServices;

TEST(PluginServices, APostedTaskRunsOnTheGuiThread) {
    PluginServices services("poster", {});
    std::atomic<QThread*> ranOn{nullptr};
    std::thread worker([&] { services.postToGui([&] { ranOn = QThread::currentThread(); }); });
    worker.join();
    EXPECT_TRUE(waitUntil([&] { return ranOn.load() != nullptr; }));
    EXPECT_EQ(ranOn.load(), QCoreApplication::instance()->thread());
}

TEST(PluginServices, TasksPendingAtCloseAreDroppedAndLaterOnesIgnored) {
    PluginServices services("poster", {});
    std::atomic<int> ran{0};
    auto witness = std::make_shared<int>(0); // counts the captures still alive
    for (int i = 0; i < 10; ++i)
        services.postToGui([&ran, witness] { ++ran; });
    EXPECT_EQ(witness.use_count(), 11);
    services.close();
    EXPECT_EQ(witness.use_count(), 1) << "the dropped tasks are destroyed at close";
    services.postToGui([&ran] { ++ran; });
    pumpFor(50ms);
    EXPECT_EQ(ran, 0);
}

// The race the helper exists for: a worker posting without pause while the GUI thread disables
// the plugin. No task runs after close(), and TSan sees no race (tests/sanitizers).
TEST(PluginServices, AWorkerPostingWhileThePluginIsDisabledNeverRunsLate) {
    for (int round = 0; round < 20; ++round) {
        auto services =
            std::make_unique<PluginServices>("poster", PluginServices::FailureHandler{});
        std::atomic<bool> closed{false}, stop{false};
        std::atomic<int> ran{0}, late{0}, posted{0};
        std::thread worker([&] {
            while (!stop) {
                services->postToGui([&] {
                    ++ran;
                    if (closed)
                        ++late;
                });
                ++posted;
            }
        });
        EXPECT_TRUE(waitUntil([&] { return ran > 0; })); // it runs while enabled
        services->close();
        closed = true;
        const int postedAtClose = posted;
        EXPECT_TRUE(waitUntil([&] { return posted > postedAtClose + 100; }))
            << "the worker keeps posting after close";
        pumpFor(5ms);
        stop = true;
        worker.join();
        services.reset();
        pumpFor(5ms);
        EXPECT_EQ(late, 0) << "round " << round;
    }
}

TEST(PluginServices, ATaskThatThrowsReportsAFailure) {
    QString failure;
    PluginServices services("thrower", [&](const QString& why) { failure = why; });
    services.postToGui([] { throw std::runtime_error("bad task"); });
    EXPECT_TRUE(waitUntil([&] { return !failure.isEmpty(); }));
    EXPECT_TRUE(failure.contains("bad task")) << failure.toStdString();
}

TEST(PluginServices, SettingsLiveInAGroupNoHostKeyShares) {
    QSettings all;
    all.remove("plugin-settings/disabled");
    all.remove("plugins");
    // Old layout: the plugin's keys under plugins/<id>, the host's list at plugins/disabled.
    all.setValue("plugins/disabled", QStringList{"video"});
    all.setValue("plugins/disabled/volume", 7);
    all.setValue("plugins/disabled/device/name", "mic");
    all.sync();

    PluginServices services("disabled", {});
    {
        auto settings = services.settings();
        EXPECT_EQ(settings->group(), "plugin-settings/disabled");
        EXPECT_EQ(settings->value("volume").toInt(), 7) << "old keys moved";
        EXPECT_EQ(settings->value("device/name").toString(), "mic");
        settings->setValue("volume", 8);
    }
    QSettings after;
    EXPECT_FALSE(after.contains("plugins/disabled/volume")) << "moved, not copied";
    EXPECT_EQ(after.value("plugins/disabled").toStringList(), QStringList{"video"})
        << "the host's key is untouched";
    EXPECT_EQ(after.value("plugin-settings/disabled/volume").toInt(), 8);
    // A later start does not move anything again.
    after.setValue("plugins/disabled/volume", 1);
    after.sync();
    PluginServices again("disabled", {});
    EXPECT_EQ(again.settings()->value("volume").toInt(), 8);
    after.remove("plugins");
    after.remove("plugin-settings/disabled");
}

TEST(PluginServices, TheDataDirectoryIsCreatedAndPerPlugin) {
    PluginServices a("data_a", {}), b("data_b", {});
    const QString dir = a.dataDir();
    ASSERT_FALSE(dir.isEmpty());
    EXPECT_TRUE(QFileInfo(dir).isDir());
    EXPECT_TRUE(dir.endsWith("charla/plugin-data/data_a")) << dir.toStdString();
    EXPECT_NE(dir, b.dataDir());
}

} // namespace
} // namespace charla::test
