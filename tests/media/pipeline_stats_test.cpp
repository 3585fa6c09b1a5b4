#include <charla/sdk/media/pipeline_stats.h>

#include <gtest/gtest.h>

#include <string>

namespace charla::sdk::media {
namespace {

struct Figures {
    int captured = -1;
    int sent = -1;
    std::string order;
};
struct Capture {
    void addTo(Figures& f) const {
        f.captured = 3;
        f.order += "c";
    }
};
struct Send {
    void addTo(Figures& f) const {
        f.sent = 2;
        f.order += "s";
    }
};

TEST(PipelineStats, EveryStageFillsItsPartInOrder) {
    const Figures f = gatherStats<Figures>(Capture{}, Send{});
    EXPECT_EQ(f.captured, 3);
    EXPECT_EQ(f.sent, 2);
    EXPECT_EQ(f.order, "cs");
    EXPECT_EQ(gatherStats<Figures>().sent, -1); // no stage: the struct's defaults
}

} // namespace
} // namespace charla::sdk::media
