// Two complete hosts (Session: Channel + PeerLink + PluginManager) in one process, each loading
// the real audio plugin from the build tree, talking over loopback; the devices are a private
// PulseAudio server's (null sink, 440 Hz sine source). The call is driven the way the host's call
// flow drives it: PluginManager::setCall on both sides.
#include "audio_packet.h"
#include "ports.h" // tests/support
#include "session_pair.h"
#include "sound_server_test.h"
#include "wait.h"

#include "core/peer_stream.h"
#include "core/session.h"

#include <charla/sdk/channel.h>

#include <QCoreApplication>

#include <gtest/gtest.h>

#include <thread>

namespace charla::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Options = std::map<std::string, std::string>;
using Stats = std::map<std::string, xmlrpc_c::value>;

using charla::test::waitUntil;

xmlrpc_c::value rpc(std::uint16_t port, const std::string& method,
                    const xmlrpc_c::paramList& params = {}) {
    return test::contactStream(port)->call(method, params, 5s);
}

int faultOf(std::uint16_t port, const xmlrpc_c::paramList& params) {
    try {
        rpc(port, audio::kFrameMethod, params);
    } catch (const sdk::PeerCallError& e) {
        return e.faultCode();
    }
    return 0;
}

class AudioSessionTest : public SoundServerTest {
protected:
    void TearDown() override {
        pair_.reset();
        SoundServerTest::TearDown();
    }

    // Starts both hosts and waits until each knows the other's audio plugin.
    void startPair(Options optionsA = {}, Options optionsB = {}) {
        const std::string error =
            pair_.start([&](std::uint16_t port, std::uint16_t peerPort, const QString& user) {
                host::SessionConfig config =
                    loopbackConfig(port, peerPort, user, QStringLiteral(CHARLA_AUDIO_PLUGIN_DIR));
                config.disabledPlugins = {"text", "video"};
                config.pluginOptions = user == "alice" ? optionsA : optionsB;
                return std::make_unique<host::Session>(config);
            });
        ASSERT_TRUE(error.empty()) << "cannot start two sessions: " << error;
        ASSERT_EQ(a->plugins().find("audio")->state, host::PluginState::Enabled)
            << a->plugins().find("audio")->reason.toStdString();
        ASSERT_TRUE(waitUntil([&] {
            return a->channel().peer().plugin("audio") && b->channel().peer().plugin("audio");
        })) << "the hosts did not introduce their audio plugins";
    }

    void setCall(sdk::CallInfo::State state) {
        const sdk::CallInfo call{state, state == sdk::CallInfo::State::Idle ? "" : "call-1"};
        a->plugins().notifyCallChanged(call);
        b->plugins().notifyCallChanged(call);
    }

    static Stats stats(std::uint16_t port) {
        return xmlrpc_c::value_struct(rpc(port, audio::kStatsMethod)).cvalue();
    }
    static int count(std::uint16_t port, const std::string& key) {
        return xmlrpc_c::value_int(stats(port).at(key)).cvalue();
    }
    // Every counter, for failure messages.
    static std::string dump(std::uint16_t port) {
        std::string out;
        for (const auto& [key, value] : stats(port)) {
            out += key + "=";
            switch (value.type()) {
            case xmlrpc_c::value::TYPE_INT:
                out += std::to_string(xmlrpc_c::value_int(value).cvalue());
                break;
            case xmlrpc_c::value::TYPE_DOUBLE:
                out += std::to_string(xmlrpc_c::value_double(value).cvalue());
                break;
            case xmlrpc_c::value::TYPE_BOOLEAN:
                out += xmlrpc_c::value_boolean(value).cvalue() ? "true" : "false";
                break;
            default:
                out += xmlrpc_c::value_string(value).cvalue();
            }
            out += " ";
        }
        return out;
    }
    std::string dumpBoth() const { return "\nA: " + dump(portA) + "\nB: " + dump(portB); }
    static std::string text(std::uint16_t port, const std::string& key) {
        return xmlrpc_c::value_string(stats(port).at(key)).cvalue();
    }

    // Whether the other side's audio plugin sends and receives audio, as `side` sees it.
    struct Directions {
        bool sends = false;
        bool receives = false;
        bool operator==(const Directions&) const = default;
    };
    static Directions audioSeenBy(host::Session& side) {
        const sdk::PeerInfo peer = side.channel().peer(); // a copy: plugin() points into it
        const sdk::PeerPlugin* theirs = peer.plugin("audio");
        return theirs ? Directions{theirs->canSend("audio"), theirs->canReceive("audio")}
                      : Directions{};
    }
    // Waits until the side at `port` has played `frames` of the other's frames.
    static bool playsAtLeast(std::uint16_t port, int frames) {
        return waitUntil([&] { return count(port, "frames_played") >= frames; });
    }

    SessionPair pair_;
    std::uint16_t &portA = pair_.portA, &portB = pair_.portB;
    std::unique_ptr<host::Session>&a = pair_.a, &b = pair_.b;
};

TEST_F(AudioSessionTest, TwoWayCallExchangesOpusFramesAndStopsOnHangUp) {
    startPair();
    const sdk::PeerInfo peer = a->channel().peer();
    const sdk::PeerPlugin* seen = peer.plugin("audio");
    EXPECT_TRUE(seen->canSend("audio"));
    EXPECT_TRUE(seen->canReceive("audio"));
    EXPECT_EQ(seen->params.at("codecs"), "opus,pcm16");
    EXPECT_EQ(seen->params.at("datagram"), "1");

    EXPECT_EQ(count(portA, "frames_captured"), 0) << "nothing flows before the call";
    setCall(sdk::CallInfo::State::Active);
    ASSERT_TRUE(playsAtLeast(portA, 50) && playsAtLeast(portB, 50)) << dumpBoth();
    for (auto port : {portA, portB}) {
        EXPECT_EQ(text(port, "send_codec"), "opus");
        EXPECT_EQ(text(port, "transport"), "datagram") << "both sides offer datagrams";
        EXPECT_GT(count(port, "datagrams_received"), 0);
        EXPECT_EQ(count(port, "datagrams_malformed"), 0);
        EXPECT_EQ(count(port, "decode_errors"), 0);
        EXPECT_EQ(count(port, "frames_absurd"), 0);
        EXPECT_GT(count(port, "latency_samples"), 0);
    }

    setCall(sdk::CallInfo::State::Idle);
    ASSERT_TRUE(waitUntil([&] {
        return !xmlrpc_c::value_boolean(stats(portA).at("capturing")).cvalue() &&
               !xmlrpc_c::value_boolean(stats(portB).at("playing")).cvalue();
    }));
    const int sent = count(portA, "frames_sent");
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(count(portA, "frames_sent"), sent) << "media stops with the call";
    // Now that nothing moves, the counters can be compared: every packet went as a datagram.
    for (auto port : {portA, portB})
        EXPECT_EQ(count(port, "datagrams_sent"), count(port, "packets_sent")) << dumpBoth();
}

// One side keeps to XML-RPC (as a foreign peer that knows no datagrams would): both directions
// fall back to audio.frame calls, and the call works the same.
TEST_F(AudioSessionTest, PeerWithoutDatagramsGetsAudioFrameCalls) {
    startPair({{"audio.transport", "xmlrpc"}}, {});
    EXPECT_EQ(b->channel().peer().plugin("audio")->params.count("datagram"), 0u);
    EXPECT_EQ(a->channel().peer().plugin("audio")->params.at("datagram"), "1");
    setCall(sdk::CallInfo::State::Active);
    ASSERT_TRUE(playsAtLeast(portA, 50) && playsAtLeast(portB, 50)) << dumpBoth();
    for (auto port : {portA, portB}) {
        EXPECT_EQ(text(port, "transport"), "xmlrpc");
        EXPECT_EQ(count(port, "datagrams_sent"), 0);
        EXPECT_EQ(count(port, "datagrams_received"), 0);
        EXPECT_GT(count(port, "packets_sent"), 0);
    }
    EXPECT_EQ(a->channel().datagrams().stats().sent + b->channel().datagrams().stats().sent, 0u);
}

TEST_F(AudioSessionTest, SideWithoutMicrophoneOnlyListens) {
    startPair({{"audio.input", "none"}}, {});
    EXPECT_EQ(audioSeenBy(*b), (Directions{.sends = false, .receives = true}));

    setCall(sdk::CallInfo::State::Active);
    ASSERT_TRUE(playsAtLeast(portA, 50)) << dumpBoth();
    EXPECT_EQ(count(portA, "frames_sent"), 0);
    EXPECT_EQ(count(portB, "frames_received"), 0);
    EXPECT_EQ(count(portA, "refused") + count(portB, "refused"), 0) << "neither side errs";
    EXPECT_EQ(count(portB, "send_failures"), 0);
}

TEST_F(AudioSessionTest, SideWithoutSpeakerIsNotSentTo) {
    startPair({}, {{"audio.output", "none"}});
    EXPECT_EQ(audioSeenBy(*a), (Directions{.sends = true, .receives = false}));

    setCall(sdk::CallInfo::State::Active);
    ASSERT_TRUE(playsAtLeast(portA, 50)) << dumpBoth();
    EXPECT_EQ(text(portA, "send_codec"), "");
    EXPECT_EQ(count(portA, "frames_sent"), 0);
    EXPECT_EQ(count(portB, "refused"), 0);
    EXPECT_EQ(count(portB, "send_failures"), 0);
}

TEST_F(AudioSessionTest, PeerThatSpeaksOnlyPcmGetsPcm) {
    startPair({{"audio.codecs", "pcm16"}}, {});
    setCall(sdk::CallInfo::State::Active);
    ASSERT_TRUE(playsAtLeast(portA, 50) && playsAtLeast(portB, 50)) << dumpBoth();
    EXPECT_EQ(text(portA, "send_codec"), "pcm16");
    EXPECT_EQ(text(portB, "send_codec"), "pcm16") << "B prefers Opus but A lists only pcm16";
    EXPECT_EQ(count(portA, "decode_errors") + count(portB, "decode_errors"), 0);
}

TEST_F(AudioSessionTest, BadFramesAreRejectedAndTheStreamGoesOn) {
    startPair({{"audio.output", "none"}}, {{"audio.input", "none"}});
    audio::AudioPacket valid;
    valid.codec = audio::Codec::Pcm16;
    valid.frames.push_back({0, 0, std::vector<std::uint8_t>(audio::kPcm16FrameBytes)});
    EXPECT_EQ(faultOf(portB, audio::toFrameParams(valid)), sdk::kFaultUnavailable) << "no call yet";
    setCall(sdk::CallInfo::State::Active);
    ASSERT_TRUE(waitUntil([&] { return count(portB, "frames_played") >= 25; })) << dumpBoth();

    auto bytes = [](std::vector<unsigned char> b) {
        xmlrpc_c::paramList p;
        p.add(xmlrpc_c::value_bytestring(b));
        return p;
    };
    EXPECT_EQ(faultOf(portB, {}), sdk::kFaultBadParams);
    EXPECT_EQ(faultOf(portB, bytes({1, 2, 3})), sdk::kFaultBadParams);
    EXPECT_EQ(faultOf(portB, bytes({1, 42, 1, 0, 0, 0, 0, 1, 0, 0, 0,   0,
                                    0, 0,  0, 0, 0, 0, 0, 0, 0, 1, 0xfc})),
              sdk::kFaultBadParams)
        << "unknown codec";
    EXPECT_EQ(faultOf(portB, bytes(std::vector<unsigned char>(200 * 1024, 7))),
              sdk::kFaultTooLarge);
    xmlrpc_c::paramList text;
    text.add(xmlrpc_c::value_string("not audio"));
    EXPECT_EQ(faultOf(portB, text), sdk::kFaultBadParams);
    // Well-formed, but its sequence number is absurd for the running stream: dropped, counted.
    // (The stream id is the running one only by luck; a fresh id would start a new stream.)
    audio::AudioPacket absurd;
    absurd.codec = audio::Codec::Pcm16;
    absurd.frames.push_back({4'000'000'000u, 0, std::vector<std::uint8_t>(1920)});
    EXPECT_EQ(faultOf(portB, audio::toFrameParams(absurd)), 0);

    // The same through the datagram path, from A's own socket (the only source B listens to):
    // dropped and counted by the plugin, never a crash, never a stall.
    ASSERT_EQ(xmlrpc_c::value_string(stats(portA).at("transport")).cvalue(), "datagram");
    auto& datagrams = a->channel().datagrams();
    std::vector<std::uint8_t> cut = audio::serializePacket(valid);
    cut.resize(cut.size() - 7);
    const std::vector<std::vector<std::uint8_t>> bad{{1, 2, 3}, {1, 42, 1, 0, 0, 0, 0, 1}, cut};
    for (const auto& d : bad)
        EXPECT_TRUE(datagrams.send("audio", d.data(), d.size()));
    ASSERT_TRUE(waitUntil([&] { return count(portB, "datagrams_malformed") == 3; })) << dumpBoth();

    const int played = count(portB, "frames_played");
    ASSERT_TRUE(waitUntil([&] { return count(portB, "frames_played") >= played + 25; }))
        << "the real stream must go on after bad input";
}

// The real path: A captures the sine source through PortAudio and sends Opus; B plays into the
// null sink; what reaches the sink must be a 440 Hz tone.
TEST_F(AudioSessionTest, ToneCapturedByAArrivesAtBsSpeaker) {
    startPair({{"audio.output", "none"}}, {{"audio.input", "none"}});
    setCall(sdk::CallInfo::State::Active);
    ASSERT_TRUE(playsAtLeast(portB, 50)) << dumpBoth();
    EXPECT_EQ(text(portA, "transport"), "datagram");
    EXPECT_GT(count(portB, "datagrams_received"), 50);
    std::string error;
    // Up to three 3 s recordings until 1 s of tone is in: parecord's own start-up counts against
    // each window (over 0.5 s on a loaded 2-core machine), and with two compilers running beside
    // it the sink sounded only 0.84 s of 2.93 s recorded. The tone is measured block by block, so
    // the recordings may be joined.
    std::vector<short> recorded;
    ToneFigures tone;
    for (int attempt = 0; attempt < 3 && tone.soundingSeconds <= 1.0; ++attempt) {
        const std::vector<short> more = pulse_->recordSink(3.0, &error);
        recorded.insert(recorded.end(), more.begin(), more.end());
        tone = analyseTone(recorded);
    }
    ASSERT_GT(tone.soundingSeconds, 1.0) << recorded.size() << " samples recorded " << error;
    std::printf("sink: %.1f Hz, rms %.0f over %.2f s of sound in %.2f s recorded; B: delay %d ms, "
                "latency p50 %.1f ms\n",
                tone.hz, tone.rms, tone.soundingSeconds, recorded.size() / 48000.0,
                count(portB, "jitter_delay_ms"),
                xmlrpc_c::value_double(stats(portB).at("latency_p50_ms")).cvalue());
    EXPECT_NEAR(tone.hz, 440, 15);
    EXPECT_GT(tone.rms, 1000);
}

// A call that rings sounds the ringtone (incoming) or the ringback tone (outgoing) on the real
// sink, and nothing once it is over.
TEST_F(AudioSessionTest, ARingingCallSoundsItsToneUntilItIsOver) {
    startPair({{"audio.output", "none"}}, {{"audio.input", "none"}});
    std::string error;
    // Recordings of 3 s until half a second of tone is in (parecord's start-up eats into each).
    auto hear = [&] {
        std::vector<short> recorded;
        ToneFigures tone;
        for (int attempt = 0; attempt < 3 && tone.soundingSeconds < 0.5; ++attempt) {
            const std::vector<short> more = pulse_->recordSink(3.0, &error);
            recorded.insert(recorded.end(), more.begin(), more.end());
            tone = analyseTone(recorded);
        }
        return tone;
    };
    b->plugins().notifyCallChanged({sdk::CallInfo::State::Incoming, "call-1"});
    ASSERT_TRUE(waitUntil([&] { return count(portB, "frames_rung") > 5; })) << dumpBoth();
    const ToneFigures ringtone = hear();
    ASSERT_GE(ringtone.soundingSeconds, 0.5) << error << dumpBoth();
    EXPECT_NEAR(ringtone.hz, 660, 20);

    b->plugins().notifyCallChanged({sdk::CallInfo::State::Idle, ""});
    b->plugins().notifyCallChanged({sdk::CallInfo::State::Outgoing, "call-2"});
    const ToneFigures ringback = hear();
    ASSERT_GE(ringback.soundingSeconds, 0.5) << error << dumpBoth();
    EXPECT_NEAR(ringback.hz, 425, 20);

    b->plugins().notifyCallChanged({sdk::CallInfo::State::Idle, ""});
    const int rung = count(portB, "frames_rung");
    std::this_thread::sleep_for(300ms); // what the sink still held
    const ToneFigures after = analyseTone(pulse_->recordSink(2.0, &error));
    std::printf("ringtone %.0f Hz over %.2f s, ringback %.0f Hz over %.2f s, after: %.2f s\n",
                ringtone.hz, ringtone.soundingSeconds, ringback.hz, ringback.soundingSeconds,
                after.soundingSeconds);
    EXPECT_LT(after.soundingSeconds, 0.05) << "still ringing after the call was over";
    EXPECT_LE(count(portB, "frames_rung"), rung + 5);
}

} // namespace
} // namespace charla::test
