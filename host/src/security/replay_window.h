// The receiver's record of which sequence numbers of one datagram key it has accepted, so that a
// recorded datagram sent again is dropped (docs/security.md "Media datagrams"). A sliding bitmap
// as RFC 4303 §3.4.3 with RFC 6479's ring of 64-bit blocks: moving the window clears whole
// blocks instead of shifting bits. Numbers within the window may come in any order (loss,
// reordering and late packets behave as without it); only a number seen before, or one too far
// behind the highest, is refused.
//
// Check first, accept only after the datagram's tag verified: a forged datagram must not move
// the window. Not thread-safe (the datagram thread owns it).
#pragma once

#include <array>
#include <cstdint>

namespace charla::security {

class ReplayWindow {
public:
    static constexpr std::size_t kBlocks = 32;
    // How far behind the highest accepted number a datagram may still arrive: the ring's blocks
    // but the one the highest number is in (1984 datagrams: about 40 s of audio at 50 a second).
    static constexpr std::uint64_t kSize = (kBlocks - 1) * 64;

    enum class Verdict { New, Duplicate, TooOld };

    Verdict check(std::uint64_t seq) const {
        if (!any_ || seq > top_)
            return Verdict::New;
        if (top_ - seq >= kSize)
            return Verdict::TooOld;
        return (bits_[(seq / 64) % kBlocks] >> (seq % 64)) & 1 ? Verdict::Duplicate : Verdict::New;
    }

    // Records `seq`; the caller checked it is New.
    void accept(std::uint64_t seq) {
        if (!any_ || seq > top_) {
            const std::uint64_t from = any_ ? top_ / 64 : 0;
            const std::uint64_t to = seq / 64;
            // Blocks entered for the first time are cleared (all of them after a big jump).
            const std::uint64_t fresh = any_ ? to - from : kBlocks;
            for (std::uint64_t i = 1; i <= fresh && i <= kBlocks; ++i)
                bits_[(from + i) % kBlocks] = 0;
            if (!any_)
                bits_.fill(0);
            top_ = seq;
            any_ = true;
        }
        bits_[(seq / 64) % kBlocks] |= std::uint64_t(1) << (seq % 64);
    }

    std::uint64_t highest() const { return top_; }

private:
    bool any_ = false;
    std::uint64_t top_ = 0;
    std::array<std::uint64_t, kBlocks> bits_{};
};

} // namespace charla::security
