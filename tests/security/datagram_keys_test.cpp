// The pieces that seal media datagrams (security/datagram_keys.h, replay_window.h) on their own:
// the replay window's bitmap, the AEAD with its nonce from the sequence number, and the
// receiver's key ring (epochs, replays, a retired key's grace). Real OpenSSL, no network; the
// TLS exporter's agreement between both ends is tested over real sockets in
// tests/core/datagram_test.cpp (DatagramSealed.*).
#include "core/datagram.h"
#include "security/datagram_keys.h"
#include "security/replay_window.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace charla::test {
namespace {

using security::DatagramKey;
using security::DatagramKeyRing;
using security::ReplayWindow;
using Verdict = ReplayWindow::Verdict;
using Result = DatagramKeyRing::Result;
using Clock = std::chrono::steady_clock;

// Checks and, when new, accepts: what the receiver does with an authentic datagram.
Verdict offer(ReplayWindow& w, std::uint64_t seq) {
    const Verdict v = w.check(seq);
    if (v == Verdict::New)
        w.accept(seq);
    return v;
}

TEST(ReplayWindow, InOrderLossAndReorderWithinTheWindowAreNew) {
    ReplayWindow w;
    for (std::uint64_t seq : {0, 1, 2, 5, 4, 3, 9}) // 6-8 lost, 3-5 reordered
        EXPECT_EQ(offer(w, seq), Verdict::New) << seq;
    EXPECT_EQ(offer(w, 7), Verdict::New) << "a late packet within the window still counts";
    EXPECT_EQ(w.highest(), 9u);
}

TEST(ReplayWindow, EveryNumberSeenBeforeIsADuplicate) {
    ReplayWindow w;
    for (std::uint64_t seq = 0; seq < 300; seq += 3)
        ASSERT_EQ(offer(w, seq), Verdict::New);
    for (std::uint64_t seq = 0; seq < 300; ++seq)
        EXPECT_EQ(w.check(seq), seq % 3 == 0 ? Verdict::Duplicate : Verdict::New) << seq;
    EXPECT_EQ(offer(w, 297), Verdict::Duplicate) << "the newest one again";
}

TEST(ReplayWindow, TooFarBehindTheNewestIsTooOldAtTheExactEdge) {
    ReplayWindow w;
    const std::uint64_t top = 10'000;
    ASSERT_EQ(offer(w, top), Verdict::New);
    EXPECT_EQ(w.check(top - ReplayWindow::kSize + 1), Verdict::New) << "the oldest still inside";
    EXPECT_EQ(w.check(top - ReplayWindow::kSize), Verdict::TooOld);
    EXPECT_EQ(w.check(0), Verdict::TooOld);
}

TEST(ReplayWindow, MovingForwardForgetsOnlyWhatLeftTheWindow) {
    ReplayWindow w;
    for (std::uint64_t seq = 0; seq < 100; ++seq)
        ASSERT_EQ(offer(w, seq), Verdict::New);
    // A jump of a bit less than the window: 100..99+kSize-... the blocks it enters are cleared
    // (unseen numbers there are new), the ones still inside keep their marks.
    const std::uint64_t jump = 99 + ReplayWindow::kSize - 64;
    ASSERT_EQ(offer(w, jump), Verdict::New);
    EXPECT_EQ(w.check(99), Verdict::Duplicate) << "still inside, still seen";
    EXPECT_EQ(w.check(jump - 1), Verdict::New) << "a block entered for the first time";
    EXPECT_EQ(w.check(35), Verdict::TooOld);
    // A jump far beyond the window clears everything: old marks never alias into new numbers.
    const std::uint64_t far = jump + 100 * ReplayWindow::kSize + 7;
    ASSERT_EQ(offer(w, far), Verdict::New);
    for (std::uint64_t seq = far - 200; seq < far; ++seq)
        ASSERT_EQ(w.check(seq), Verdict::New) << seq;
}

TEST(ReplayWindow, HugeSequenceNumbersDoNotOverflow) {
    ReplayWindow w;
    const std::uint64_t max = ~std::uint64_t(0);
    EXPECT_EQ(offer(w, max - 1), Verdict::New);
    EXPECT_EQ(offer(w, max), Verdict::New);
    EXPECT_EQ(offer(w, max - 1), Verdict::Duplicate);
    EXPECT_EQ(w.check(0), Verdict::TooOld);
}

DatagramKey keyOf(std::uint8_t fill, std::uint32_t epoch) {
    DatagramKey k;
    k.key.fill(fill);
    k.iv.fill(static_cast<std::uint8_t>(fill + 1));
    k.epoch = epoch;
    return k;
}

std::vector<std::uint8_t> bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

std::vector<std::uint8_t> sealed(const DatagramKey& key, std::uint64_t seq,
                                 const std::string& payload) {
    const auto p = bytes(payload);
    return host::buildSealedDatagram("audio", key, seq, p.data(), p.size());
}

// What the receiving socket does: parse the header, then open with the ring.
Result openWith(DatagramKeyRing& ring, const std::vector<std::uint8_t>& d, std::string* payload,
                Clock::time_point now = Clock::now()) {
    const auto parsed = host::parseDatagram(d.data(), d.size(), "");
    if (parsed.verdict != host::DatagramVerdict::Ok || !parsed.sealed)
        return Result::BadTag;
    std::vector<std::uint8_t> out;
    const Result r = ring.open(parsed.epoch, parsed.seq, d.data(), parsed.headerSize,
                               parsed.payload, parsed.payloadSize, out, now);
    if (r == Result::Ok && payload)
        payload->assign(out.begin(), out.end());
    return r;
}

TEST(DatagramAead, ASealedDatagramOpensAndHidesItsPayload) {
    const auto key = keyOf(7, 0xabcd0123);
    const std::string secret = "the quick brown fox: audio samples";
    const auto d = sealed(key, 42, secret);
    ASSERT_EQ(d.size(), host::sealedDatagramOverhead("audio") + secret.size());
    EXPECT_EQ(std::string(d.begin(), d.end()).find("quick brown"), std::string::npos);
    EXPECT_EQ(std::string(d.begin(), d.end()).find("audio"), 3u) << "the plugin id is in clear";
    DatagramKeyRing ring;
    ring.add(1, key);
    std::string got;
    ASSERT_EQ(openWith(ring, d, &got), Result::Ok);
    EXPECT_EQ(got, secret);
    // The same payload under the next sequence number looks different (a fresh nonce).
    EXPECT_NE(sealed(key, 43, secret), d);
    const auto empty = sealed(key, 44, "");
    EXPECT_EQ(openWith(ring, empty, &got), Result::Ok);
    EXPECT_EQ(got, "");
}

TEST(DatagramAead, EveryTamperedByteIsRefused) {
    const auto key = keyOf(3, 5);
    const auto d = sealed(key, 9, "twenty bytes of pcm!");
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (i == 1 || i == 2)
            continue; // flags and id length: the header no longer parses as sealed at all
        DatagramKeyRing ring;
        ring.add(1, key);
        auto tampered = d;
        tampered[i] ^= 0x20;
        const Result r = openWith(ring, tampered, nullptr);
        EXPECT_TRUE(r == Result::BadTag || r == Result::UnknownEpoch) << "byte " << i;
        // And the forgery did not move the window: the real one still opens.
        EXPECT_EQ(openWith(ring, d, nullptr), Result::Ok) << "byte " << i;
    }
}

TEST(DatagramAead, WrongEpochWrongKeyAndWrongSequenceAreRefused) {
    const auto key = keyOf(1, 100);
    DatagramKeyRing ring;
    ring.add(1, key);
    EXPECT_EQ(openWith(ring, sealed(keyOf(1, 101), 0, "x"), nullptr), Result::UnknownEpoch);
    EXPECT_EQ(openWith(ring, sealed(keyOf(2, 100), 0, "x"), nullptr), Result::BadTag)
        << "another key claiming our epoch";
    // A datagram moved to another sequence number (the nonce) does not verify either.
    auto moved = sealed(key, 5, "x");
    moved[3 + 5 + 4 + 7] = 6;
    EXPECT_EQ(openWith(ring, moved, nullptr), Result::BadTag);
}

TEST(DatagramAead, ReplaysAreRefusedReorderWithinTheWindowIsNotTooOldIs) {
    const auto key = keyOf(9, 77);
    DatagramKeyRing ring;
    ring.add(1, key);
    std::string got;
    for (std::uint64_t seq : {0, 2, 1}) {
        ASSERT_EQ(openWith(ring, sealed(key, seq, "n" + std::to_string(seq)), &got), Result::Ok);
        EXPECT_EQ(got, "n" + std::to_string(seq));
    }
    const auto first = sealed(key, 0, "n0");
    EXPECT_EQ(openWith(ring, first, nullptr), Result::Replayed);
    ASSERT_EQ(openWith(ring, sealed(key, 5000, "ahead"), nullptr), Result::Ok);
    EXPECT_EQ(openWith(ring, sealed(key, 5000 - ReplayWindow::kSize, "late"), nullptr),
              Result::TooOld);
    EXPECT_EQ(openWith(ring, sealed(key, 4000, "late but inside"), nullptr), Result::Ok);
}

TEST(DatagramKeyRing, EachConnectionHasItsOwnKeyAndWindow) {
    const auto oldKey = keyOf(1, 1), newKey = keyOf(2, 2);
    DatagramKeyRing ring;
    ring.add(10, oldKey);
    ring.add(11, newKey);
    EXPECT_EQ(openWith(ring, sealed(oldKey, 0, "a"), nullptr), Result::Ok);
    EXPECT_EQ(openWith(ring, sealed(newKey, 0, "b"), nullptr), Result::Ok)
        << "a new epoch starts again at 0";
    EXPECT_EQ(openWith(ring, sealed(newKey, 0, "b"), nullptr), Result::Replayed);
}

TEST(DatagramKeyRing, ARetiredKeyOpensForTheGraceThenNoMore) {
    const auto key = keyOf(4, 4);
    DatagramKeyRing ring;
    ring.add(10, key);
    const auto closedAt = Clock::now();
    ring.retire(10, closedAt);
    // Datagrams still on their way when the connection closed arrive: the switch-over loses none.
    EXPECT_EQ(openWith(ring, sealed(key, 1, "in flight"), nullptr,
                       closedAt + security::kRetiredKeyGrace - std::chrono::seconds(1)),
              Result::Ok);
    EXPECT_EQ(openWith(ring, sealed(key, 2, "much later"), nullptr,
                       closedAt + security::kRetiredKeyGrace),
              Result::UnknownEpoch);
    EXPECT_EQ(ring.size(), 0u);
}

TEST(DatagramKeyRing, IsBoundedAndDropsRetiredKeysFirst) {
    DatagramKeyRing ring;
    const auto live = keyOf(5, 5);
    ring.add(0, live);
    for (std::uint64_t c = 1; c < 2 * DatagramKeyRing::kMaxKeys; ++c) {
        ring.add(c, keyOf(6, static_cast<std::uint32_t>(1000 + c)));
        ring.retire(c, Clock::now());
    }
    EXPECT_LE(ring.size(), DatagramKeyRing::kMaxKeys);
    EXPECT_EQ(openWith(ring, sealed(live, 0, "still here"), nullptr), Result::Ok);
}

} // namespace
} // namespace charla::test
