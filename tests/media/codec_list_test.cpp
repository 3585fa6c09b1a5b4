// Codec negotiation (charla/sdk/media/codec_list.h), as the audio and video plugins use it.
#include <charla/sdk/media/codec_list.h>

#include <gtest/gtest.h>

namespace charla::sdk::media {
namespace {

enum class Codec { Fast, Good, Old };
constexpr CodecNames<Codec, 3> kNames{
    {{{Codec::Good, "good"}, {Codec::Fast, "fast"}, {Codec::Old, "old"}}}, Codec::Old};

TEST(CodecList, ParsesTrimmedKnownNamesOnceInOrder) {
    EXPECT_EQ(kNames.parse(" fast ,good,\tfast, nope,,old "),
              (std::vector<Codec>{Codec::Fast, Codec::Good, Codec::Old}));
    EXPECT_TRUE(kNames.parse("").empty());
    EXPECT_TRUE(kNames.parse(",,, ,").empty());
    EXPECT_TRUE(kNames.parse("GOOD").empty()) << "names are exact";
}

TEST(CodecList, FormatsWhatItParses) {
    const std::vector<Codec> ours{Codec::Good, Codec::Old};
    EXPECT_EQ(kNames.format(ours), "good,old");
    EXPECT_EQ(kNames.parse(kNames.format(ours)), ours);
    EXPECT_EQ(kNames.format({}), "");
}

TEST(CodecList, ChoosesOurFirstThatThePeerOffers) {
    const std::vector<Codec> ours{Codec::Good, Codec::Fast, Codec::Old};
    const std::map<std::string, std::string> peer{{kCodecsParam, "old,fast"}};
    EXPECT_EQ(kNames.choose(ours, &peer), Codec::Fast) << "our order, not theirs";
    const std::map<std::string, std::string> foreign{{"other", "x"}};
    EXPECT_EQ(kNames.choose(ours, &foreign), Codec::Old) << "no param: the assumed one";
    EXPECT_EQ(kNames.choose(ours, nullptr), Codec::Old);
    const std::map<std::string, std::string> none{{kCodecsParam, "unknown"}};
    EXPECT_EQ(kNames.choose(ours, &none), std::nullopt);
    EXPECT_EQ(kNames.choose({Codec::Good}, nullptr), std::nullopt);
}

TEST(CodecList, NamesAndLookups) {
    static_assert(kNames.name(Codec::Fast) == "fast");
    static_assert(kNames.find("old") == Codec::Old);
    static_assert(!kNames.find("new"));
    EXPECT_EQ(kNames.name(Codec::Good).data()[4], '\0') << "literals stay C strings";
}

} // namespace
} // namespace charla::sdk::media
