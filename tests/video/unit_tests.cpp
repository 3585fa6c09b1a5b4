// Unit tests of the pieces: base64, JPEG round trip, the wire validation, the stats (the
// drop-oldest queue is the SDK's: tests/media).
#include "base64.h"
#include "jpeg_codec.h"
#include "late_frame_filter.h"
#include "test_pattern.h"
#include "video_engine.h"
#include "video_source.h"
#include "video_stats.h"
#include "video_wire.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace charla::video {
namespace {

using namespace std::chrono_literals;

cv::Mat pattern(int w, int h, std::uint32_t n = 7) {
    return TestPattern(w, h).render(n, std::chrono::system_clock::now());
}

TEST(Base64, RoundTripsEveryLengthAndRejectsGarbage) {
    for (std::size_t n = 0; n < 70; ++n) {
        std::vector<std::uint8_t> bytes(n);
        for (std::size_t i = 0; i < n; ++i)
            bytes[i] = static_cast<std::uint8_t>(i * 37 + n);
        const std::string text = base64Encode(bytes);
        EXPECT_EQ(text.size(), (n + 2) / 3 * 4);
        EXPECT_EQ(text.find('\n'), std::string::npos);
        EXPECT_EQ(base64Decode(text), bytes) << n;
    }
    EXPECT_EQ(base64Decode("TWFu"), (std::vector<std::uint8_t>{'M', 'a', 'n'}));
    EXPECT_EQ(base64Decode("TW\r\nE=\n"), (std::vector<std::uint8_t>{'M', 'a'})); // wrapped text
    EXPECT_FALSE(base64Decode("TWE"));                                            // missing padding
    EXPECT_FALSE(base64Decode("T"));                                              // truncated
    EXPECT_FALSE(base64Decode("TW=E"));  // data after padding
    EXPECT_FALSE(base64Decode("TW<>"));  // outside the alphabet
    EXPECT_FALSE(base64Decode("TQ===")); // too much padding
}

TEST(Jpeg, RoundTripKeepsThePictureAboveAPsnrFloor) {
    for (auto [w, h] : {std::pair{640, 480}, std::pair{1280, 720}, std::pair{321, 243}}) {
        const cv::Mat original = pattern(w, h, 12345);
        const auto jpeg = encodeJpeg(original, 75);
        ASSERT_FALSE(jpeg.empty());
        EXPECT_LT(jpeg.size(), original.total() * 3 / 8) << "JPEG should compress";
        const auto size = jpegDimensions(jpeg);
        ASSERT_TRUE(size);
        EXPECT_EQ(size->width, w);
        EXPECT_EQ(size->height, h);
        const cv::Mat decoded = decodeJpeg(jpeg);
        ASSERT_EQ(decoded.cols, w);
        ASSERT_EQ(decoded.rows, h);
        const double psnr = cv::PSNR(original, decoded);
        EXPECT_GT(psnr, 30.0) << w << "x" << h;
        EXPECT_EQ(TestPattern::readCounter(decoded), 12345u);
    }
    // Quality matters: q95 is closer to the original than q30.
    const cv::Mat original = pattern(640, 480);
    EXPECT_GT(cv::PSNR(original, decodeJpeg(encodeJpeg(original, 95))),
              cv::PSNR(original, decodeJpeg(encodeJpeg(original, 30))));
}

TEST(Jpeg, GarbageIsNotDecoded) {
    EXPECT_TRUE(decodeJpeg({}).empty());
    EXPECT_TRUE(decodeJpeg({1, 2, 3, 4, 5}).empty());
    auto jpeg = encodeJpeg(pattern(64, 48), 75);
    jpeg.resize(jpeg.size() / 3); // truncated: libjpeg may fill in grey, but must not crash
    (void)decodeJpeg(jpeg);
    EXPECT_FALSE(jpegDimensions(std::vector<std::uint8_t>{0xFF, 0xD8, 0xFF, 0xD9}));
    // A PNG is not accepted as a JPEG.
    EXPECT_FALSE(jpegDimensions(std::vector<std::uint8_t>{0x89, 'P', 'N', 'G', 0, 0, 0, 0}));
}

TEST(Jpeg, ReusedCodersGiveTheSameBytesAndNeverOverwriteAHeldPicture) {
    JpegEncoder encoder;
    JpegDecoder decoder;
    std::vector<std::uint8_t> jpeg;
    cv::Mat decoded;
    for (std::uint32_t n : {1u, 2u, 3u}) {
        const cv::Mat frame = pattern(320, 240, n);
        ASSERT_TRUE(encoder.encode(frame, 75, jpeg));
        EXPECT_EQ(jpeg, encodeJpeg(frame, 75)) << "a reused encoder must not carry state over";
        const std::uint8_t* before = decoded.data;
        ASSERT_TRUE(decoder.decode(jpeg.data(), jpeg.size(), decoded));
        if (before) {
            EXPECT_EQ(decoded.data, before) << "a buffer nobody else holds is decoded into again";
        }
        EXPECT_EQ(TestPattern::readCounter(decoded), n);
    }
    // Someone (the GUI) holds the picture: the next decode goes elsewhere.
    const cv::Mat held = decoded;
    const cv::Mat copy = held.clone();
    ASSERT_TRUE(encoder.encode(pattern(320, 240, 99), 75, jpeg));
    ASSERT_TRUE(decoder.decode(jpeg.data(), jpeg.size(), decoded));
    EXPECT_NE(decoded.data, held.data);
    EXPECT_EQ(cv::norm(held, copy, cv::NORM_INF), 0.0);
    EXPECT_EQ(TestPattern::readCounter(decoded), 99u);
    // After refusing garbage the decoder still works.
    std::vector<std::uint8_t> garbage{0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x02, 0x12, 0x34};
    EXPECT_FALSE(decoder.decode(garbage.data(), garbage.size(), decoded));
    EXPECT_TRUE(decoded.empty());
    ASSERT_TRUE(decoder.decode(jpeg.data(), jpeg.size(), decoded));
    EXPECT_EQ(TestPattern::readCounter(decoded), 99u);
    // Grey frames encode too, and decode as BGR.
    cv::Mat grey;
    cv::cvtColor(pattern(160, 120, 5), grey, cv::COLOR_BGR2GRAY);
    ASSERT_TRUE(encoder.encode(grey, 75, jpeg));
    ASSERT_TRUE(decoder.decode(jpeg.data(), jpeg.size(), decoded));
    EXPECT_EQ(decoded.type(), CV_8UC3);
    EXPECT_EQ(TestPattern::readCounter(decoded), 5u);
    EXPECT_FALSE(encoder.encode(cv::Mat(), 75, jpeg));
    EXPECT_TRUE(jpeg.empty());
}

TEST(TestPattern, IncrementalRenderEqualsAFreshOneAndLeavesHeldFramesAlone) {
    auto t = std::chrono::system_clock::now();
    for (auto [w, h] : {std::pair{64, 48}, std::pair{321, 243}, std::pair{1280, 720}}) {
        TestPattern reused(w, h);
        const cv::Mat held = reused.render(5, t);
        const cv::Mat heldCopy = held.clone();
        // Counters whose text grows and shrinks, times whose digits change, the square bouncing.
        std::vector<std::uint32_t> counters{0, 9, 10, 99999, 100000, 7, 0xFFFFFFFFu, 1};
        for (std::uint32_t n = 150; n < 175; ++n)
            counters.push_back(n);
        for (std::uint32_t n : counters) {
            t += std::chrono::milliseconds(997 * (n % 7) + 1);
            const cv::Mat frame = reused.render(n, t);
            const cv::Mat fresh = TestPattern(w, h).render(n, t);
            ASSERT_EQ(cv::norm(frame, fresh, cv::NORM_INF), 0.0) << w << "x" << h << " n=" << n;
        }
        EXPECT_EQ(cv::norm(held, heldCopy, cv::NORM_INF), 0.0) << "a held frame was drawn over";
    }
}

TEST(TestPattern, MovesAndCarriesItsCounter) {
    TestPattern p(320, 240);
    const auto now = std::chrono::system_clock::now();
    const cv::Mat a = p.render(1, now);
    const cv::Mat b = p.render(2, now);
    EXPECT_EQ(a.cols, 320);
    EXPECT_EQ(a.rows, 240);
    EXPECT_GT(cv::norm(a, b, cv::NORM_L1), 0.0);
    EXPECT_EQ(TestPattern::readCounter(a), 1u);
    EXPECT_EQ(TestPattern::readCounter(p.render(0xDEADBEEF, now)), 0xDEADBEEFu);
    EXPECT_FALSE(TestPattern::readCounter(cv::Mat(240, 320, CV_8UC3, cv::Scalar(128, 128, 128))));
}

TEST(SourceSpec, ParsesEveryForm) {
    using K = SourceSpec::Kind;
    EXPECT_EQ(SourceSpec::parse("").kind, K::None);
    EXPECT_EQ(SourceSpec::parse("none").kind, K::None);
    EXPECT_EQ(SourceSpec::parse(" Test ").kind, K::TestPattern);
    EXPECT_EQ(SourceSpec::parse("pattern").kind, K::TestPattern);
    EXPECT_EQ(SourceSpec::parse("2").kind, K::CameraIndex);
    EXPECT_EQ(SourceSpec::parse("2").index, 2);
    EXPECT_EQ(SourceSpec::parse("/dev/video1").kind, K::Device);
    EXPECT_EQ(SourceSpec::parse("/tmp/clip.avi").kind, K::File);
    EXPECT_EQ(SourceSpec::parse("videotestsrc ! appsink").kind, K::Pipeline);
}

// --- the wire ---

xmlrpc_c::paramList structParams(std::map<std::string, xmlrpc_c::value> m) {
    xmlrpc_c::paramList p;
    p.add(xmlrpc_c::value_struct(m));
    return p;
}

std::map<std::string, xmlrpc_c::value> goodMembers(const std::vector<std::uint8_t>& jpeg, int w,
                                                   int h) {
    return {{"seq", xmlrpc_c::value_int(1)},
            {"ts", xmlrpc_c::value_double(sdk::media::wallClockMs())},
            {"width", xmlrpc_c::value_int(w)},
            {"height", xmlrpc_c::value_int(h)},
            {"codec", xmlrpc_c::value_string("jpeg")},
            {"data", xmlrpc_c::value_string(base64Encode(jpeg))}};
}

TEST(Wire, AGoodFrameParsesInBothDataForms) {
    const auto jpeg = encodeJpeg(pattern(160, 120), 75);
    WireFrame f;
    ASSERT_EQ(parseFrame(frameParams(42, 1.7e12, 160, 120, jpeg), &f), FrameError::None);
    EXPECT_EQ(f.seq, 42);
    EXPECT_DOUBLE_EQ(f.ts, 1.7e12);
    EXPECT_EQ(f.data, jpeg);
    ASSERT_EQ(parseFrame(frameParams(43, 1.0, 160, 120, jpeg, true), &f), FrameError::None);
    EXPECT_EQ(f.data, jpeg);
}

TEST(Wire, BadFramesAreRefusedWithTheirReason) {
    const auto jpeg = encodeJpeg(pattern(160, 120), 75);
    WireFrame f;
    auto with = [&](const std::string& key, xmlrpc_c::value v) {
        auto m = goodMembers(jpeg, 160, 120);
        m.erase(key);
        m.emplace(key, v);
        return parseFrame(structParams(m), &f);
    };
    auto without = [&](const std::string& key) {
        auto m = goodMembers(jpeg, 160, 120);
        m.erase(key);
        return parseFrame(structParams(m), &f);
    };
    EXPECT_EQ(parseFrame(xmlrpc_c::paramList(), &f), FrameError::Malformed);
    xmlrpc_c::paramList notStruct;
    notStruct.add(xmlrpc_c::value_string("garbage"));
    EXPECT_EQ(parseFrame(notStruct, &f), FrameError::Malformed);
    for (const char* key : {"seq", "ts", "width", "height", "codec", "data"})
        EXPECT_EQ(without(key), FrameError::Malformed) << key;
    EXPECT_EQ(with("seq", xmlrpc_c::value_string("1")), FrameError::Malformed);
    EXPECT_EQ(with("codec", xmlrpc_c::value_string("h264")), FrameError::BadCodec);
    EXPECT_EQ(with("width", xmlrpc_c::value_int(0)), FrameError::BadSize);
    EXPECT_EQ(with("width", xmlrpc_c::value_int(100000)), FrameError::BadSize);
    EXPECT_EQ(with("height", xmlrpc_c::value_int(-5)), FrameError::BadSize);
    EXPECT_EQ(with("width", xmlrpc_c::value_int(161)), FrameError::SizeMismatch);
    EXPECT_EQ(with("data", xmlrpc_c::value_string("!!not base64!!")), FrameError::Malformed);
    EXPECT_EQ(with("data", xmlrpc_c::value_string(
                               base64Encode(std::vector<std::uint8_t>({'h', 'e', 'l', 'l', 'o'})))),
              FrameError::NotJpeg);
    EXPECT_EQ(with("data", xmlrpc_c::value_int(3)), FrameError::Malformed);
    EXPECT_EQ(with("data", xmlrpc_c::value_string(std::string(kMaxJpegBytes / 3 * 4 + 400, 'A'))),
              FrameError::TooLarge);
    EXPECT_EQ(faultCodeFor(FrameError::TooLarge), 413);
    EXPECT_EQ(faultCodeFor(FrameError::SizeMismatch), -32602);
    // A JPEG header claiming giant dimensions (a decompression bomb) is refused unread.
    auto bomb = jpeg;
    const auto size = jpegDimensions(bomb);
    ASSERT_TRUE(size);
    for (std::size_t i = 2; i + 9 < bomb.size(); ++i)
        if (bomb[i] == 0xFF && bomb[i + 1] == 0xC0) {
            bomb[i + 5] = bomb[i + 6] = bomb[i + 7] = bomb[i + 8] = 0xFF; // 65535 x 65535
            break;
        }
    auto m = goodMembers(bomb, 65535, 65535);
    EXPECT_EQ(parseFrame(structParams(m), &f), FrameError::BadSize);
    m = goodMembers(bomb, 160, 120);
    EXPECT_EQ(parseFrame(structParams(m), &f), FrameError::SizeMismatch);
}

TEST(Wire, TheEngineCountsRefusedFramesAndAnswersWithFaults) {
    VideoEngine engine;
    engine.setCallActive(true);
    xmlrpc_c::paramList garbage;
    garbage.add(xmlrpc_c::value_string("garbage"));
    try {
        engine.handleFrame(garbage);
        FAIL() << "garbage accepted";
    } catch (const xmlrpc_c::fault& f) {
        EXPECT_EQ(f.getCode(), -32602);
    }
    const auto jpeg = encodeJpeg(pattern(160, 120), 75);
    engine.handleFrame(frameParams(1, sdk::media::wallClockMs(), 160, 120, jpeg));
    const auto c = engine.counters();
    EXPECT_EQ(c.rejected, 1u);
    EXPECT_EQ(c.rejectedBy.at(FrameError::Malformed), 1u);
    EXPECT_EQ(c.received, 1u);
    // A repeated sequence number is stale, not an error.
    engine.handleFrame(frameParams(1, sdk::media::wallClockMs(), 160, 120, jpeg));
    EXPECT_EQ(engine.counters().outOfOrder, 1u);
    // Outside a call, frames are refused with 503.
    engine.setCallActive(false);
    try {
        engine.handleFrame(frameParams(2, sdk::media::wallClockMs(), 160, 120, jpeg));
        FAIL() << "frame accepted without a call";
    } catch (const xmlrpc_c::fault& f) {
        EXPECT_EQ(f.getCode(), 503);
    }
}

TEST(LateFrames, AFrameFarSlowerThanTheBestIsLateWhateverTheClockOffset) {
    for (const double offset : {0.0, -3.6e6, 7.2e6}) { // clocks equal, an hour behind, two ahead
        LateFrameFilter filter;
        EXPECT_TRUE(filter.accept(offset + 12));
        EXPECT_TRUE(filter.accept(offset + 8)); // a faster frame lowers the baseline
        EXPECT_TRUE(filter.accept(offset + 8 + LateFrameFilter::kMaxExtraTransitMs));
        EXPECT_FALSE(filter.accept(offset + 2000)) << "offset " << offset; // held in a stall
        EXPECT_TRUE(filter.accept(offset + 10));
        EXPECT_EQ(filter.late(), 1u);
    }
}

TEST(LateFrames, ASustainedShiftBecomesTheNewNormal) {
    LateFrameFilter filter;
    EXPECT_TRUE(filter.accept(5));
    // The sender's clock steps back by 3 s: every frame now looks 3 s late.
    int dropped = 0;
    while (!filter.accept(3005) && dropped < 100)
        ++dropped;
    EXPECT_EQ(dropped, LateFrameFilter::kRebaseAfter - 1);
    EXPECT_TRUE(filter.accept(3006));
    filter.reset();
    EXPECT_TRUE(filter.accept(9000)); // a new call starts without a baseline
}

TEST(LateFrames, TheEngineAnswersStaleForAFrameHeldInAStall) {
    VideoEngine engine;
    engine.setCallActive(true);
    const auto jpeg = encodeJpeg(pattern(160, 120), 75);
    auto stale = [](const xmlrpc_c::value& v) {
        const std::map<std::string, xmlrpc_c::value> m = xmlrpc_c::value_struct(v);
        return m.count("stale") == 1;
    };
    EXPECT_FALSE(
        stale(engine.handleFrame(frameParams(1, sdk::media::wallClockMs(), 160, 120, jpeg))));
    // Seq 2 was captured 2 s ago and held by the network: newer seq, but late.
    EXPECT_TRUE(stale(
        engine.handleFrame(frameParams(2, sdk::media::wallClockMs() - 2000, 160, 120, jpeg))));
    EXPECT_FALSE(
        stale(engine.handleFrame(frameParams(3, sdk::media::wallClockMs(), 160, 120, jpeg))));
    const auto c = engine.counters();
    EXPECT_EQ(c.late, 1u);
    EXPECT_EQ(c.received, 2u);
}

// The histogram's shape is part of video.stats (docs/protocol-video.md): 0.25 ms bins, 4001
// counts, the last one for 1 s and more; the percentiles come from the same counts.
TEST(Stats, TheHistogramOnTheWireHas4001QuarterMillisecondBins) {
    VideoEngine engine;
    engine.recordPainted(sdk::media::wallClockMs() - 5000);
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_struct({{"histogram", xmlrpc_c::value_boolean(true)}}));
    const std::map<std::string, xmlrpc_c::value> stats =
        xmlrpc_c::value_struct(engine.handleStats(params));
    EXPECT_EQ(xmlrpc_c::value_double(stats.at("latency_bin_ms")).cvalue(), 0.25);
    const auto painted = xmlrpc_c::value_array(stats.at("painted_hist")).vectorValueValue();
    ASSERT_EQ(painted.size(), 4001u);
    EXPECT_EQ(xmlrpc_c::value_int(painted.back()).cvalue(), 1);
    EXPECT_EQ(xmlrpc_c::value_array(stats.at("latency_hist")).vectorValueValue().size(), 4001u);
    EXPECT_EQ(xmlrpc_c::value_double(stats.at("latency_p50_ms")).cvalue(), -1); // none yet
    EXPECT_DOUBLE_EQ(engine.paintedLatencyBins().percentileMs(50), 4000.5 * 0.25);
}

} // namespace
} // namespace charla::video
