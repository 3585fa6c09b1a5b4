// Two complete hosts in one process with text, audio and video, in a call placed and answered
// through the host's call flow (call.invite / call.answer). Each plugin is switched off and on
// mid-call: its stream stops and resumes, the other streams keep flowing, the call goes on, the
// peer learns of it through host.hello, and no thread is left behind.
#include "ports.h" // tests/support
#include "session_pair.h"
#include "sound_server_test.h"
#include "wait.h"

#include "core/peer_stream.h"
#include "core/session.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

namespace charla::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using State = sdk::CallInfo::State;

using charla::test::pumpFor;
// Toggling plugins under a call takes several seconds on a loaded machine: longer than usual.
bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 15s) {
    return charla::test::waitUntil(pred, timeout);
}

std::size_t threadCount() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/task"))
        ++n;
    return n;
}

xmlrpc_c::value rpc(std::uint16_t port, const std::string& method,
                    const xmlrpc_c::paramList& params = {}) {
    return test::contactStream(port)->call(method, params, 5s);
}

int statInt(std::uint16_t port, const std::string& method, const std::string& key) {
    const std::map<std::string, xmlrpc_c::value> stats = xmlrpc_c::value_struct(rpc(port, method));
    const xmlrpc_c::value& v = stats.at(key);
    if (v.type() == xmlrpc_c::value::TYPE_DOUBLE)
        return static_cast<int>(xmlrpc_c::value_double(v));
    return xmlrpc_c::value_int(v);
}

bool serves(std::uint16_t port, const std::string& method) {
    for (const auto& v : xmlrpc_c::value_array(rpc(port, "system.listMethods")).vectorValueValue())
        if (xmlrpc_c::value_string(v).cvalue() == method)
            return true;
    return false;
}

class LiveToggleTest : public SoundServerTest {
protected:
    void SetUp() override {
        SoundServerTest::SetUp();
        if (IsSkipped())
            return;
        ASSERT_TRUE(dir_.isValid());
        const std::string error =
            pair_.start([this](std::uint16_t port, std::uint16_t peer, const QString& user) {
                return makeSession(port, peer, user);
            });
        ASSERT_TRUE(error.empty()) << "cannot start two sessions: " << error;
        for (const char* id : {"text", "audio", "video"}) {
            ASSERT_EQ(a->plugins().find(id)->state, host::PluginState::Enabled)
                << id << ": " << a->plugins().find(id)->reason.toStdString();
        }
        ASSERT_TRUE(waitUntil([&] {
            return a->channel().peer().plugins.size() == 3 &&
                   b->channel().peer().plugins.size() == 3;
        })) << "the hosts did not introduce their plugins";

        // The call, as users make it: A calls, B answers (auto-answer, like --auto-answer).
        b->calls().setAutoAnswer(true);
        a->calls().placeCall();
        ASSERT_TRUE(waitUntil([&] {
            return a->calls().call().state == State::Active &&
                   b->calls().call().state == State::Active;
        })) << "the call did not become active";
    }

    void TearDown() override {
        pair_.reset();
        SoundServerTest::TearDown();
    }

    std::unique_ptr<host::Session> makeSession(std::uint16_t port, std::uint16_t peerPort,
                                               const QString& user) {
        host::SessionConfig config =
            loopbackConfig(port, peerPort, user, QStringLiteral(CHARLA_PLUGIN_DIR));
        config.pluginOptions = {
            {"video.camera", "test"},
            {"text.store", QDir(dir_.path()).filePath(user + ".sqlite").toStdString()}};
        // The three plugins these tests toggle under a call, and no others (files has its own).
        config.disabledPlugins = {QStringLiteral("files")};
        return std::make_unique<host::Session>(config);
    }

    int audioIn(std::uint16_t port) { return statInt(port, "audio.stats", "frames_received"); }
    int videoIn(std::uint16_t port) { return statInt(port, "video.stats", "received"); }

    // True when `counter` at `port` grows by at least `by` within the timeout.
    bool grows(const std::function<int()>& counter, int by = 10) {
        const int start = counter();
        return waitUntil([&] { return counter() >= start + by; });
    }
    // True when `counter` does not move over `window` (after letting frames in flight land).
    bool staysStill(const std::function<int()>& counter,
                    std::chrono::milliseconds window = 1500ms) {
        pumpFor(500ms);
        const int start = counter();
        pumpFor(window);
        return counter() == start;
    }

    bool callActive() const {
        return a->calls().call().state == State::Active && b->calls().call().state == State::Active;
    }

    QTemporaryDir dir_;
    SessionPair pair_;
    std::uint16_t &portA = pair_.portA, &portB = pair_.portB;
    std::unique_ptr<host::Session>&a = pair_.a, &b = pair_.b;
};

TEST_F(LiveToggleTest, VideoOffAndOnMidCallWhileAudioFlows) {
    ASSERT_TRUE(grows([&] { return videoIn(portB); })) << "no video reached B";
    ASSERT_TRUE(grows([&] { return audioIn(portB); })) << "no audio reached B";
    const std::size_t threadsBefore = threadCount();

    QString error;
    ASSERT_TRUE(a->plugins().setEnabled("video", false, &error)) << error.toStdString();
    EXPECT_FALSE(serves(portA, "video.frame"));
    EXPECT_TRUE(waitUntil([&] { return !b->channel().peer().plugin("video"); }))
        << "B was not told that A's video is gone";
    EXPECT_TRUE(staysStill([&] { return videoIn(portB); })) << "video kept arriving at B";
    EXPECT_TRUE(grows([&] { return audioIn(portB); })) << "audio stopped with video";
    EXPECT_TRUE(callActive());
    EXPECT_LT(threadCount(), threadsBefore) << "video's threads are still running";

    ASSERT_TRUE(a->plugins().setEnabled("video", true, &error)) << error.toStdString();
    EXPECT_TRUE(serves(portA, "video.frame"));
    EXPECT_TRUE(grows([&] { return videoIn(portB); })) << "video did not come back into the call";
    EXPECT_TRUE(grows([&] { return audioIn(portB); }));
    EXPECT_TRUE(callActive());
}

TEST_F(LiveToggleTest, AudioOffAndOnMidCallWhileVideoFlows) {
    ASSERT_TRUE(grows([&] { return audioIn(portA); })) << "no audio reached A";
    QString error;
    ASSERT_TRUE(b->plugins().setEnabled("audio", false, &error)) << error.toStdString();
    EXPECT_FALSE(serves(portB, "audio.frame"));
    EXPECT_TRUE(waitUntil([&] { return !a->channel().peer().plugin("audio"); }));
    EXPECT_TRUE(staysStill([&] { return audioIn(portA); })) << "audio kept arriving at A";
    EXPECT_TRUE(grows([&] { return videoIn(portA); })) << "video stopped with audio";
    EXPECT_TRUE(callActive());

    ASSERT_TRUE(b->plugins().setEnabled("audio", true, &error)) << error.toStdString();
    EXPECT_TRUE(grows([&] { return audioIn(portA); })) << "audio did not come back into the call";
    EXPECT_TRUE(callActive());
}

TEST_F(LiveToggleTest, TextOffAndOnMidCallWhileMediaFlows) {
    QString error;
    ASSERT_TRUE(b->plugins().setEnabled("text", false, &error)) << error.toStdString();
    EXPECT_FALSE(serves(portB, "text.send"));
    EXPECT_TRUE(grows([&] { return audioIn(portB); }));
    EXPECT_TRUE(grows([&] { return videoIn(portB); }));
    ASSERT_TRUE(b->plugins().setEnabled("text", true, &error)) << error.toStdString();
    EXPECT_TRUE(serves(portB, "text.send"));
    EXPECT_TRUE(grows([&] { return videoIn(portA); }));
    EXPECT_TRUE(callActive());
}

// Many switches in a row: nothing accumulates (threads), nothing crashes, media still flows.
TEST_F(LiveToggleTest, RepeatedTogglingLeavesNoThreadsBehind) {
    ASSERT_TRUE(grows([&] { return videoIn(portB); }));
    pumpFor(500ms);
    const std::size_t threadsBefore = threadCount();
    QString error;
    for (int i = 0; i < 5; ++i) {
        for (const char* id : {"video", "audio", "text"}) {
            ASSERT_TRUE(a->plugins().setEnabled(id, false, &error)) << error.toStdString();
            pumpFor(100ms);
            ASSERT_TRUE(a->plugins().setEnabled(id, true, &error)) << error.toStdString();
        }
    }
    EXPECT_TRUE(grows([&] { return videoIn(portB); }));
    EXPECT_TRUE(grows([&] { return audioIn(portB); }));
    // libcurl and Abyss keep a few connection threads; the plugins' own must not pile up.
    pumpFor(1000ms);
    EXPECT_LE(threadCount(), threadsBefore + 4)
        << "threads before: " << threadsBefore << ", after 15 switches: " << threadCount();
    EXPECT_TRUE(callActive());
}

} // namespace
} // namespace charla::test
