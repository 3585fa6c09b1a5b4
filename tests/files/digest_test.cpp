// FileDigest: SHA-256 against FIPS 180-2's vectors, fed whole and in uneven pieces (the sender
// reads 1 MiB at a time, the receiver hashes chunks as they arrive).
#include "file_digest.h"

#include <gtest/gtest.h>

#include <string>

namespace charla::files {
namespace {

TEST(FileDigest, MatchesTheStandardsVectors) {
    FileDigest abc;
    abc.add("abc", 3);
    EXPECT_EQ(abc.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    FileDigest empty;
    EXPECT_EQ(empty.hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(FileDigest, PiecesOfAnySizeGiveTheDigestOfTheWhole) {
    const std::string million(1'000'000, 'a');
    FileDigest pieces;
    std::size_t at = 0;
    for (std::size_t piece = 1; at < million.size(); piece = piece * 3 + 1) {
        const std::size_t n = std::min(piece, million.size() - at);
        pieces.add(million.data() + at, n);
        at += n;
    }
    EXPECT_EQ(pieces.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

} // namespace
} // namespace charla::files
