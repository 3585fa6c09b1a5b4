// VP8: the libvpx encoder/decoder unit, the codec negotiation, and bad input on the receiving
// side (corrupt, truncated, absurd sizes, delta frames without their reference): dropped,
// counted, a keyframe asked for once, no crash.
#include "rate_controller.h"
#include "size_ladder.h"
#include "test_pattern.h"
#include "video_engine.h"
#include "video_wire.h"
#include "vp8_codec.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <random>

namespace charla::video {
namespace {

// Blurred noise, new every frame: hard to predict, yet within reach of both targets below.
cv::Mat noise(int w, int h, unsigned seed) {
    cv::Mat m(h, w, CV_8UC3);
    cv::RNG rng(seed);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    cv::GaussianBlur(m, m, cv::Size(7, 7), 2.0);
    return m;
}

struct Encoded {
    std::vector<std::uint8_t> data;
    bool key = false;
};

std::vector<Encoded> encodeSequence(int w, int h, int frames) {
    Vp8Encoder enc;
    TestPattern tp(w, h);
    std::vector<Encoded> out;
    for (int i = 0; i < frames; ++i) {
        Encoded e;
        EXPECT_TRUE(
            enc.encode(tp.render(static_cast<std::uint32_t>(i), std::chrono::system_clock::now()),
                       30, e.data, &e.key));
        out.push_back(std::move(e));
    }
    return out;
}

bool answered(const xmlrpc_c::value& v, const char* flag) {
    const std::map<std::string, xmlrpc_c::value> m = xmlrpc_c::value_struct(v);
    const auto it = m.find(flag);
    return it != m.end() && xmlrpc_c::value_boolean(it->second);
}

// A receive stage in an active call, and `count` VP8 frames of one sequence to hand it.
struct Vp8Receiver {
    explicit Vp8Receiver(int count) : frames(encodeSequence(160, 120, count)) {
        controls.setCallActive(true);
    }
    // video.frame for frame number `seq`, carrying the encoded frame `index`, predicted from
    // `prev`.
    xmlrpc_c::value send(int seq, int index, std::int64_t prev) {
        return receive.handleFrame(frameParams(seq, sdk::media::wallClockMs(), 160, 120, Codec::Vp8,
                                               frames[static_cast<std::size_t>(index)].data, prev));
    }
    VideoCounters counters() const {
        VideoCounters c;
        receive.addTo(c);
        return c;
    }

    std::vector<Encoded> frames;
    VideoControls controls{VideoConfig{}};
    ReceiveQueue queue{8};
    ReceiveStage receive{controls, queue};
};

TEST(Vp8Codec, RoundTripKeepsThePictureWithOneKeyframeUntilAsked) {
    Vp8Encoder enc;
    Vp8Decoder dec;
    TestPattern tp(320, 240);
    std::vector<std::uint8_t> data;
    cv::Mat decoded;
    int keys = 0;
    for (int i = 0; i < 30; ++i) {
        if (i == 20)
            enc.requestKeyframe();
        const cv::Mat src =
            tp.render(static_cast<std::uint32_t>(i), std::chrono::system_clock::now());
        bool key = false;
        ASSERT_TRUE(enc.encode(src, 30, data, &key)) << i;
        EXPECT_EQ(key, i == 0 || i == 20) << i;
        keys += key;
        const auto info = vp8FrameInfo(data.data(), data.size());
        ASSERT_TRUE(info);
        EXPECT_EQ(info->keyframe, key);
        if (key) {
            EXPECT_EQ(info->width, 320);
            EXPECT_EQ(info->height, 240);
        }
        ASSERT_EQ(dec.decode(data.data(), data.size(), decoded), Vp8Decoder::Status::Ok) << i;
        ASSERT_EQ(decoded.size(), src.size());
        EXPECT_GT(cv::PSNR(src, decoded), 28) << i;
    }
    EXPECT_EQ(keys, 2);
    EXPECT_EQ(enc.keyframes(), 2u);
    EXPECT_EQ(enc.bitrateKbps(), defaultVp8BitrateKbps(320, 240, 30));
}

TEST(Vp8Codec, TheTargetBitrateChangesWhileEncoding) {
    // Fresh noise every frame: the encoder spends its whole budget, so bytes follow the target.
    Vp8Encoder enc;
    std::vector<std::uint8_t> data;
    auto bytesOver = [&](int frames) {
        std::size_t total = 0;
        for (int i = 0; i < frames; ++i) {
            EXPECT_TRUE(enc.encode(noise(320, 240, static_cast<unsigned>(i + 1)), 30, data));
            total += data.size();
        }
        return total;
    };
    enc.setBitrateKbps(1500);
    bytesOver(15); // settle after the keyframe
    const std::size_t high = bytesOver(30);
    enc.setBitrateKbps(150);
    EXPECT_EQ(enc.bitrateKbps(), 150);
    bytesOver(15);
    const std::size_t low = bytesOver(30);
    EXPECT_LT(low * 4, high) << "1500 kbit/s: " << high << " bytes, 150 kbit/s: " << low;
    EXPECT_EQ(enc.keyframes(), 1u) << "a new target must not restart the stream";
}

// Issue 14: the encoder used to leave an odd last column and row out (I420 chroma is half size).
// Now 641x481 arrives as 641x481, and its last column and row are the picture's.
TEST(Vp8Codec, OddSizesArriveWholeWithTheirLastColumnAndRow) {
    for (const cv::Size size :
         {cv::Size(640, 480), cv::Size(641, 481), cv::Size(161, 120), cv::Size(160, 121)}) {
        Vp8Encoder enc;
        Vp8Decoder dec;
        std::vector<std::uint8_t> data;
        cv::Mat decoded;
        // Grey, with a green band along the right edge and a red one along the bottom (16 px:
        // a line of one pixel is flattened by the codec at any size, even or odd).
        cv::Mat src(size, CV_8UC3, cv::Scalar(128, 128, 128));
        src(cv::Rect(size.width - 16, 0, 16, size.height)).setTo(cv::Scalar(0, 200, 0));
        src(cv::Rect(0, size.height - 16, size.width, 16)).setTo(cv::Scalar(0, 0, 200));
        for (int i = 0; i < 3; ++i) { // a keyframe, then delta frames
            bool key = false;
            ASSERT_TRUE(enc.encode(src, 30, data, &key)) << size;
            if (i == 0) {
                const auto info = vp8FrameInfo(data.data(), data.size());
                ASSERT_TRUE(info && info->keyframe);
                EXPECT_EQ(info->width, size.width);
                EXPECT_EQ(info->height, size.height);
            }
            ASSERT_EQ(dec.decode(data.data(), data.size(), decoded), Vp8Decoder::Status::Ok);
            ASSERT_EQ(decoded.size(), size) << "frame " << i;
        }
        // The very last column (above the red band) is green, the last row (left of the green
        // band) red: the picture's own edge, not a neighbour's copy or garbage.
        const cv::Scalar column =
            cv::mean(decoded(cv::Rect(size.width - 1, 8, 1, size.height - 32)));
        EXPECT_GT(column[1], 120) << size << " last column " << column;
        EXPECT_LT(column[2], 90) << size << " last column " << column;
        const cv::Scalar row = cv::mean(decoded(cv::Rect(8, size.height - 1, size.width - 32, 1)));
        EXPECT_GT(row[2], 120) << size << " last row " << row;
        EXPECT_LT(row[1], 90) << size << " last row " << row;
        // The middle is still grey: nothing smeared over.
        const cv::Scalar inner =
            cv::mean(decoded(cv::Rect(size.width / 2, 8, 1, size.height - 32)));
        EXPECT_NEAR(inner[1], 128, 12) << size;
    }
}

TEST(Vp8Decoder, ADeltaFrameBeforeAnyKeyframeIsDroppedUntilOneComes) {
    const auto frames = encodeSequence(160, 120, 4);
    Vp8Decoder dec;
    cv::Mat out;
    EXPECT_EQ(dec.decode(frames[2].data.data(), frames[2].data.size(), out),
              Vp8Decoder::Status::NeedKeyframe);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(dec.decode(frames[0].data.data(), frames[0].data.size(), out),
              Vp8Decoder::Status::Ok);
    EXPECT_EQ(dec.decode(frames[1].data.data(), frames[1].data.size(), out),
              Vp8Decoder::Status::Ok);
}

TEST(Vp8Decoder, CorruptAndTruncatedFramesAreRefusedAndTheNextKeyframeRecovers) {
    const auto frames = encodeSequence(160, 120, 3);
    ASSERT_TRUE(frames[0].key);
    Vp8Decoder dec;
    cv::Mat out;
    // Truncated keyframe: the header promises a first partition the bytes do not hold.
    const std::vector<std::uint8_t> cut(frames[0].data.begin(), frames[0].data.begin() + 12);
    EXPECT_EQ(dec.decode(cut.data(), cut.size(), out), Vp8Decoder::Status::Corrupt);
    // Not VP8 at all: a keyframe tag without the start code, and too few bytes.
    std::vector<std::uint8_t> junk(64, 0x00);
    EXPECT_EQ(dec.decode(junk.data(), junk.size(), out), Vp8Decoder::Status::Corrupt);
    EXPECT_EQ(dec.decode(junk.data(), 2, out), Vp8Decoder::Status::Corrupt);
    EXPECT_EQ(dec.decode(nullptr, 0, out), Vp8Decoder::Status::Corrupt);
    // A keyframe whose partition size is garbage (0x7ffff bytes announced).
    std::vector<std::uint8_t> lying = frames[0].data;
    lying[0] = static_cast<std::uint8_t>(lying[0] | 0xE0);
    lying[1] = 0xFF;
    lying[2] = 0xFF;
    EXPECT_EQ(dec.decode(lying.data(), lying.size(), out), Vp8Decoder::Status::Corrupt);
    // After all that, delta frames wait for a keyframe, and a keyframe decodes.
    EXPECT_EQ(dec.decode(frames[1].data.data(), frames[1].data.size(), out),
              Vp8Decoder::Status::NeedKeyframe);
    EXPECT_EQ(dec.decode(frames[0].data.data(), frames[0].data.size(), out),
              Vp8Decoder::Status::Ok);
    EXPECT_EQ(out.cols, 160);
    // Random bytes after a valid keyframe, with a delta frame's tag: never a crash, and a
    // refusal leaves the decoder waiting for a keyframe.
    std::mt19937 rng(14);
    for (int i = 0; i < 200; ++i) {
        std::vector<std::uint8_t> garbage(1 + rng() % 3000);
        for (auto& b : garbage)
            b = static_cast<std::uint8_t>(rng());
        garbage[0] |= 1; // delta frame
        dec.decode(frames[0].data.data(), frames[0].data.size(), out);
        const auto status = dec.decode(garbage.data(), garbage.size(), out);
        if (status != Vp8Decoder::Status::Ok) {
            EXPECT_FALSE(dec.haveReference());
        }
    }
}

TEST(Vp8Decoder, AKeyframeWithAbsurdDimensionsIsRefusedBeforeDecoding) {
    auto frames = encodeSequence(160, 120, 1);
    std::vector<std::uint8_t> huge = frames[0].data;
    huge[6] = 0xFF; // 16383 x 16383: ~400 MB of pictures if a decoder believed it
    huge[7] = 0x3F;
    huge[8] = 0xFF;
    huge[9] = 0x3F;
    const auto info = vp8FrameInfo(huge.data(), huge.size());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->width, 16383);
    Vp8Decoder dec;
    cv::Mat out;
    EXPECT_EQ(dec.decode(huge.data(), huge.size(), out), Vp8Decoder::Status::BadSize);
    EXPECT_TRUE(out.empty());
}

TEST(Vp8Wire, CodecsAreNegotiatedWithJpegForPeersThatOfferNothingElse) {
    const std::vector<Codec> ours{Codec::Vp8, Codec::Jpeg};
    const std::map<std::string, std::string> both{{"codecs", "vp8,jpeg"}};
    const std::map<std::string, std::string> jpegOnly{{"codecs", "jpeg"}};
    const std::map<std::string, std::string> older{}; // a peer that announces no codecs
    const std::map<std::string, std::string> foreign{{"codecs", "h264, av1"}};
    EXPECT_EQ(kCodecs.choose(ours, &both), Codec::Vp8);
    EXPECT_EQ(kCodecs.choose(ours, &jpegOnly), Codec::Jpeg);
    EXPECT_EQ(kCodecs.choose(ours, &older), Codec::Jpeg);
    EXPECT_EQ(kCodecs.choose(ours, nullptr), Codec::Jpeg);
    EXPECT_EQ(kCodecs.choose(ours, &foreign), std::nullopt);
    EXPECT_EQ(kCodecs.choose({Codec::Jpeg}, &both), Codec::Jpeg);
    EXPECT_EQ(kCodecs.format(ours), "vp8,jpeg");
    EXPECT_EQ(kCodecs.parse(" jpeg ,vp8,jpeg,h264"), (std::vector<Codec>{Codec::Jpeg, Codec::Vp8}));
}

TEST(Vp8Wire, FramesCarryCodecAndReferenceAndBadOnesAreRefused) {
    const auto frames = encodeSequence(160, 120, 2);
    WireFrame f;
    ASSERT_EQ(parseFrame(frameParams(7, 1.7e12, 160, 120, Codec::Vp8, frames[0].data), &f),
              FrameError::None);
    EXPECT_EQ(f.codec, Codec::Vp8);
    EXPECT_TRUE(f.keyframe);
    EXPECT_EQ(f.prev, -1);
    EXPECT_EQ(f.data, frames[0].data);
    ASSERT_EQ(parseFrame(frameParams(8, 1.7e12, 160, 120, Codec::Vp8, frames[1].data, 7, true), &f),
              FrameError::None);
    EXPECT_FALSE(f.keyframe);
    EXPECT_EQ(f.prev, 7);
    // A keyframe's own size must be what the sender says; an absurd one never reaches a decoder.
    EXPECT_EQ(parseFrame(frameParams(9, 1.7e12, 320, 240, Codec::Vp8, frames[0].data), &f),
              FrameError::SizeMismatch);
    std::vector<std::uint8_t> huge = frames[0].data;
    huge[6] = huge[8] = 0xFF;
    huge[7] = huge[9] = 0x3F;
    EXPECT_EQ(parseFrame(frameParams(9, 1.7e12, 4096, 4096, Codec::Vp8, huge), &f),
              FrameError::SizeMismatch);
    EXPECT_EQ(parseFrame(frameParams(9, 1.7e12, 160, 120, Codec::Vp8, {0x10, 0x02}), &f),
              FrameError::NotVp8);
    EXPECT_EQ(parseFrame(frameParams(9, 1.7e12, 160, 120, Codec::Vp8, {}), &f), FrameError::NotVp8);
}

// The receiving engine: a delta frame whose reference it never got is dropped and answered with
// {keyframe: true}, every answer asks until a keyframe comes, and that counts as one request.
TEST(Vp8Wire, TheReceiverAsksForOneKeyframeWhenTheChainBreaks) {
    const auto frames = encodeSequence(160, 120, 6);
    VideoEngine engine;
    engine.setCallActive(true);
    auto send = [&](int seq, int index, std::int64_t prev) {
        return engine.handleFrame(frameParams(seq, sdk::media::wallClockMs(), 160, 120, Codec::Vp8,
                                              frames[static_cast<std::size_t>(index)].data, prev));
    };
    // A new receiver (a plugin toggled on mid-call) gets a delta frame first.
    EXPECT_TRUE(answered(send(10, 2, 9), "keyframe"));
    EXPECT_TRUE(answered(send(11, 3, 10), "keyframe")) << "asks again until a keyframe comes";
    EXPECT_FALSE(answered(send(12, 0, -1), "keyframe")); // the keyframe
    EXPECT_FALSE(answered(send(13, 1, 12), "keyframe"));
    // Frame 14 is lost on the way (a timeout): 15 refers to it. 15 waits one frame for 14 (it
    // may have overtaken it on the other connection); 16 comes instead: 14 is lost.
    EXPECT_FALSE(answered(send(15, 3, 14), "keyframe"));
    EXPECT_TRUE(answered(send(16, 4, 15), "keyframe"));
    auto c = engine.counters();
    EXPECT_EQ(c.noReference, 4u);
    EXPECT_EQ(c.rejected, 0u) << "a lost reference is not bad input";
    EXPECT_EQ(c.keyframeRequestsSent, 2u) << "one request per break, not one per frame";
    EXPECT_EQ(c.received, 2u);
    EXPECT_EQ(c.codecIn, "vp8");
}

// Two calls in flight on two connections: frame 4 overtook frame 3. It waits for it and both
// reach the decoder in order; no keyframe is asked for.
TEST(Vp8Wire, AFrameThatOvertookItsReferenceWaitsForIt) {
    Vp8Receiver r(5);
    auto send = [&](int seq, std::int64_t prev) { return r.send(seq, seq - 1, prev); };
    EXPECT_FALSE(answered(send(1, -1), "keyframe"));
    EXPECT_FALSE(answered(send(2, 1), "keyframe"));
    EXPECT_FALSE(answered(send(4, 3), "keyframe"));
    EXPECT_FALSE(answered(send(3, 2), "keyframe"));
    EXPECT_FALSE(answered(send(5, 4), "keyframe"));
    std::vector<int> order;
    for (const WireFrame& f : r.queue.popAvailable(8))
        order.push_back(f.seq);
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5}));
    const VideoCounters c = r.counters();
    EXPECT_EQ(c.noReference, 0u);
    EXPECT_EQ(c.keyframeRequestsSent, 0u);
    EXPECT_EQ(c.outOfOrder, 0u);
    Vp8Decoder dec;
    cv::Mat out;
    for (const Encoded& frame : r.frames)
        EXPECT_EQ(dec.decode(frame.data.data(), frame.data.size(), out), Vp8Decoder::Status::Ok);
}

// The decoder's reports go through the same request: one for a loss, none when a keyframe newer
// than the lost frame is already queued (it would repair the loss anyway).
TEST(Vp8Wire, ADecoderLossOlderThanAQueuedKeyframeAsksForNothing) {
    Vp8Receiver r(3);
    EXPECT_FALSE(answered(r.send(20, 0, -1), "keyframe"));
    r.receive.requestKeyframe(19); // the decoder failed on a frame before keyframe 20
    EXPECT_FALSE(answered(r.send(21, 1, 20), "keyframe"));
    r.receive.requestKeyframe(21); // now it failed on frame 21
    r.receive.requestKeyframe(21);
    EXPECT_TRUE(answered(r.send(22, 2, 21), "keyframe"));
    EXPECT_TRUE(answered(r.send(23, 2, 22), "keyframe"));
    EXPECT_FALSE(answered(r.send(24, 0, -1), "keyframe"));
    const VideoCounters c = r.counters();
    EXPECT_EQ(c.keyframeRequestsSent, 1u);
    EXPECT_EQ(c.received, 5u);
}

TEST(Vp8Wire, TheDecodeStepDropsWhatItCannotDecodeAndNamesWhy) {
    const auto frames = encodeSequence(160, 120, 3);
    Vp8Decoder dec;
    cv::Mat out;
    auto wire = [&](int seq, int index, std::int64_t prev) {
        WireFrame f;
        f.seq = seq;
        f.codec = Codec::Vp8;
        f.data = frames[static_cast<std::size_t>(index)].data;
        f.keyframe = frames[static_cast<std::size_t>(index)].key;
        f.prev = prev;
        return f;
    };
    EXPECT_EQ(DecodeStage::decodeVp8(dec, wire(1, 0, -1), -1, out), FrameError::None);
    EXPECT_EQ(DecodeStage::decodeVp8(dec, wire(2, 1, 1), 1, out), FrameError::None);
    // Frame 3 vanished between the handler and the decoder (the queue dropped it).
    EXPECT_EQ(DecodeStage::decodeVp8(dec, wire(4, 2, 3), 2, out), FrameError::NoReference);
    WireFrame broken = wire(5, 0, -1);
    broken.data.resize(20);
    EXPECT_EQ(DecodeStage::decodeVp8(dec, broken, -1, out), FrameError::Vp8Undecodable);
}

} // namespace
} // namespace charla::video

namespace charla::video {
namespace {

// Driven with given times (no clock): one answer every 33 ms, for a frame the size the target
// gives at 30 fps.
double frameBytes(const RateController& rate) {
    return rate.targetKbps() * 1000.0 / 8 / 30;
}

// A controller with a 2000 kbit/s ceiling and its own clock t (ms).
struct RateRun {
    RateRun() { rate.setMax(2000); }
    // `frames` answers, one every 33.3 ms, the i-th after a round trip of rttMs(i).
    template <typename Rtt> void answers(int frames, Rtt rttMs) {
        for (int i = 0; i < frames; ++i, t += 33.3)
            rate.onAnswer(rttMs(i), t, frameBytes(rate));
    }
    void steady(int frames, double rttMs) {
        answers(frames, [rttMs](int) { return rttMs; });
    }

    RateController rate;
    double t = 0;
};

TEST(RateControl, ASteadyLongRoundTripCostsNothing) {
    RateRun run;
    run.answers(300, [](int i) { return 80 + (i % 3); }); // 10 s at a steady 80 ms round trip
    EXPECT_EQ(run.rate.targetKbps(), 2000);
    EXPECT_EQ(run.rate.cuts(), 0u);
}

// Issue 14: a delay added on the way (50 ms more round trip, for good) was read as a queue for
// the 10 s the old base lasted: 20 cuts, down to the floor, at a link that carried everything.
TEST(RateControl, AStepInTheRoundTripThatCutsDoNotShortenIsANewBaseNotAQueue) {
    RateRun run;
    run.answers(150, [](int i) { return 5 + (i % 2); });  // 5 s at 5 ms
    run.answers(300, [](int i) { return 55 + (i % 2); }); // then 10 s at 55 ms, whatever the rate
    EXPECT_LE(run.rate.cuts(), 4u) << "cuts for a longer path";
    EXPECT_EQ(run.rate.rebases(), 1u);
    EXPECT_EQ(run.rate.targetKbps(), 2000) << "the rate from before the step comes back";
    // A queue on top of the new base is still a queue.
    const auto cuts = run.rate.cuts();
    run.answers(30, [](int i) { return 55 + 10.0 * i; });
    EXPECT_GT(run.rate.cuts(), cuts);
    EXPECT_LT(run.rate.targetKbps(), 2000);
}

// A capped link: the round trip's excess is the frame's time on the link, which shrinks with the
// rate; cutting goes on until it fits, and is not mistaken for a longer path.
TEST(RateControl, AnExcessThatShrinksWithTheRateKeepsBeingCut) {
    RateRun run;
    run.steady(60, 5);
    // A 500 kbit/s link: a frame of target/30 bits.
    run.answers(300, [&run](int) { return 5 + run.rate.targetKbps() / 30.0 / 500 * 1000; });
    EXPECT_EQ(run.rate.rebases(), 0u);
    EXPECT_LT(run.rate.targetKbps(), 500 * 1.3);
    EXPECT_GT(run.rate.targetKbps(), 500 * 0.4);
}

TEST(RateControl, AGrowingQueueAndTimeoutsCutItAndCalmRaisesItSlowlyToTheCeiling) {
    RateRun run;
    RateController& rate = run.rate;
    run.steady(30, 5);
    // The link fills: round trips grow 10 ms per frame for a second, then calls time out.
    run.answers(30, [](int i) { return 5 + 10.0 * i; });
    const int afterQueue = rate.targetKbps();
    EXPECT_LT(afterQueue, 2000);
    EXPECT_LE(rate.cuts(), 2u) << "at most one cut per half second";
    rate.onFailure(run.t += 500);
    EXPECT_LT(rate.targetKbps(), afterQueue);
    EXPECT_GE(rate.targetKbps(), RateController::kMinKbps);
    // Calm again: a raise of 8 % per second, never above the ceiling.
    const int low = rate.targetKbps();
    run.steady(35, 5); // a little over one second
    EXPECT_GT(rate.targetKbps(), low);
    EXPECT_LE(rate.targetKbps(), low * 1.09);
    run.steady(30 * 60, 5);
    EXPECT_EQ(rate.targetKbps(), 2000);
    // A lower ceiling (the user's setting) applies at once.
    rate.setMax(800);
    EXPECT_EQ(rate.targetKbps(), 800);
}

// The size follows the target: one step down when the target falls below what the size needs,
// back up only well above what the bigger size needs and some seconds after the last change.
TEST(SizeLadder, StepsDownWhenTheRateCannotFitAndBackUpWithHysteresis) {
    const cv::Size hd(1280, 720);
    EXPECT_EQ(SizeLadder::sizeOf(0, hd), hd);
    EXPECT_EQ(SizeLadder::sizeOf(1, hd), cv::Size(854, 480));
    EXPECT_EQ(SizeLadder::sizeOf(2, hd), cv::Size(640, 360));
    EXPECT_NEAR(SizeLadder::neededKbps(hd, 30), 498, 1);
    SizeLadder ladder;
    double t = 0;
    EXPECT_EQ(ladder.update(2000, hd, 30, t), 0);
    EXPECT_EQ(ladder.update(600, hd, 30, t += 100), 0) << "600 kbit/s still carries 720p";
    EXPECT_EQ(ladder.update(400, hd, 30, t += 100), 1) << "400 kbit/s does not";
    EXPECT_EQ(ladder.update(150, hd, 30, t += 100), 1) << "one step a second at most";
    EXPECT_EQ(ladder.update(150, hd, 30, t += 1000), 2);
    EXPECT_EQ(ladder.update(100, hd, 30, t += 1000), 2) << "no step below half size";
    // Recovering: 480p needs 221 kbit/s, so 250 is not enough to go back to it (x1.3: 288) ...
    EXPECT_EQ(ladder.update(250, hd, 30, t += 5000), 2);
    // ... 300 is, but only 4 s after the last change; flapping around a threshold never starts.
    EXPECT_EQ(ladder.update(300, hd, 30, t += 100), 1);
    EXPECT_EQ(ladder.update(700, hd, 30, t += 1000), 1) << "4 s between steps up";
    EXPECT_EQ(ladder.update(600, hd, 30, t += 4000), 1) << "720p needs 1.3 x 498 kbit/s to return";
    EXPECT_EQ(ladder.update(700, hd, 30, t += 100), 0);
    // A small source never steps down: 320x240 needs 41 kbit/s, below any target.
    SizeLadder small;
    EXPECT_EQ(small.update(100, cv::Size(320, 240), 30, 0), 0);
}

} // namespace
} // namespace charla::video
