// Real sources through OpenCV's own backends: a GStreamer pipeline and a video file the test
// writes with cv::VideoWriter (MJPG). This machine has no /dev/video*.
#include "test_pattern.h"
#include "video_source.h"
#include "video_stats.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace charla::video {
namespace {

using namespace std::chrono_literals;

const char* kPipeline = "videotestsrc pattern=ball is-live=true ! "
                        "video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! appsink";

TEST(Sources, GStreamerPipelineDeliversLiveFrames) {
    std::string error;
    auto source = openSource(SourceSpec::parse(kPipeline), {}, &error);
    if (!source && cv::videoio_registry::hasBackend(cv::CAP_GSTREAMER))
        FAIL() << "GStreamer backend present but the pipeline did not open: " << error;
    if (!source)
        GTEST_SKIP() << "OpenCV has no GStreamer backend here: " << error;
    EXPECT_TRUE(source->live());
    const auto start = std::chrono::steady_clock::now();
    cv::Mat frame, previous;
    int differing = 0;
    for (int i = 0; i < 15; ++i) {
        ASSERT_TRUE(source->read(frame));
        EXPECT_EQ(frame.cols, 320);
        EXPECT_EQ(frame.rows, 240);
        EXPECT_EQ(frame.type(), CV_8UC3);
        if (!previous.empty() && cv::norm(frame, previous, cv::NORM_L1) > 0)
            ++differing;
        previous = frame.clone();
    }
    EXPECT_GT(differing, 5) << "the ball should move";
    // is-live=true: the pipeline runs at 30 fps, so 15 frames take about half a second.
    EXPECT_GT(std::chrono::steady_clock::now() - start, 300ms);
}

std::string writeClip(const QTemporaryDir& dir, int frames, int w, int h) {
    const std::string path = dir.filePath("clip.avi").toStdString();
    cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30, cv::Size(w, h));
    if (!writer.isOpened())
        return {};
    TestPattern pattern(w, h);
    for (int i = 0; i < frames; ++i)
        writer.write(
            pattern.render(static_cast<std::uint32_t>(i), std::chrono::system_clock::now()));
    return path;
}

TEST(Sources, VideoFilePlaysInALoop) {
    QTemporaryDir dir;
    const std::string path = writeClip(dir, 10, 320, 240);
    ASSERT_FALSE(path.empty()) << "cv::VideoWriter cannot write MJPG here";
    std::string error;
    auto source = openSource(SourceSpec::parse(path), {}, &error);
    ASSERT_TRUE(source) << error;
    EXPECT_FALSE(source->live());
    std::vector<std::uint32_t> counters;
    cv::Mat frame;
    for (int i = 0; i < 25; ++i) {
        ASSERT_TRUE(source->read(frame)) << "frame " << i;
        ASSERT_EQ(frame.cols, 320);
        ASSERT_EQ(frame.rows, 240);
        auto n = TestPattern::readCounter(frame);
        ASSERT_TRUE(n) << "frame " << i;
        counters.push_back(*n);
    }
    EXPECT_EQ(counters[0], 0u);
    EXPECT_EQ(counters[9], 9u);
    EXPECT_EQ(counters[10], 0u) << "the file starts again at its end";
}

// The settings list the cameras the kernel lists, by name, and take the chosen line back as the
// device. A fake sysfs tree: this machine has no camera (no /dev/video*).
TEST(Sources, CamerasAreListedByNameAndTheirLabelOpensTheDevice) {
    QTemporaryDir sysfs;
    ASSERT_TRUE(sysfs.isValid());
    auto node = [&](const char* name, const char* attribute, const char* value) {
        const std::filesystem::path dir = sysfs.path().toStdString() + "/" + name;
        std::filesystem::create_directories(dir);
        std::ofstream(dir / attribute) << value;
    };
    node("video2", "name", "USB Camera\n");
    node("video2", "index", "0\n");
    node("video0", "name", "Integrated Camera: Integrated C\n");
    node("video0", "index", "0\n");
    node("video1", "name", "Integrated Camera: Integrated C\n");
    node("video1", "index", "1\n"); // the same camera's metadata node
    node("v4l-subdev0", "name", "sensor\n");
    const std::vector<CameraDevice> cameras = listCameras(sysfs.path().toStdString());
    ASSERT_EQ(cameras.size(), 2u);
    EXPECT_EQ(cameras[0].label(), "/dev/video0 (Integrated Camera: Integrated C)");
    EXPECT_EQ(cameras[1].label(), "/dev/video2 (USB Camera)");
    const SourceSpec spec = SourceSpec::parse(cameras[1].label());
    EXPECT_EQ(spec.kind, SourceSpec::Kind::Device);
    EXPECT_EQ(spec.text, "/dev/video2");
    EXPECT_TRUE(listCameras("/nonexistent").empty());
}

TEST(Sources, MissingCamerasFilesAndPipelinesFailCleanly) {
    std::string error;
    EXPECT_FALSE(openSource(SourceSpec::parse("none"), {}, &error));
    EXPECT_FALSE(openSource(SourceSpec::parse("/nonexistent/clip.avi"), {}, &error));
    EXPECT_FALSE(error.empty());
    EXPECT_FALSE(openSource(SourceSpec::parse("nosuchelement ! appsink"), {}, &error));
    EXPECT_FALSE(openSource(SourceSpec::parse("/dev/video97"), {}, &error));
    auto pattern = openSource(SourceSpec::parse("test"), {320, 240, 30}, &error);
    ASSERT_TRUE(pattern);
    cv::Mat frame;
    ASSERT_TRUE(pattern->read(frame));
    EXPECT_EQ(frame.cols, 320);
}

} // namespace
} // namespace charla::video
