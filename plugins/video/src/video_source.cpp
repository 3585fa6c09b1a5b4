#include "video_source.h"

#include "test_pattern.h"
#include "video_logging.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace charla::video {

VideoSource::~VideoSource() = default;

namespace {

std::string trimmed(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return {};
    const auto end = s.find_last_not_of(" \t\r\n");
    return s.substr(begin, end - begin + 1);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

class PatternSource : public VideoSource {
public:
    explicit PatternSource(const CaptureFormat& format) : pattern_(format.width, format.height) {}
    bool read(cv::Mat& bgr) override {
        bgr = pattern_.render(counter_++, std::chrono::system_clock::now());
        return true;
    }
    bool live() const override { return false; }

private:
    TestPattern pattern_;
    std::uint32_t counter_ = 0;
};

// Any frame OpenCV delivers, as 8-bit BGR no larger than what the wire accepts.
bool normalise(cv::Mat& frame) {
    if (frame.empty())
        return false;
    if (frame.depth() != CV_8U)
        frame.convertTo(frame, CV_8U);
    if (frame.channels() == 1)
        cv::cvtColor(frame, frame, cv::COLOR_GRAY2BGR);
    else if (frame.channels() == 4)
        cv::cvtColor(frame, frame, cv::COLOR_BGRA2BGR);
    else if (frame.channels() != 3)
        return false;
    constexpr int kMax = 4096;
    if (frame.cols > kMax || frame.rows > kMax) {
        const double f = std::min(double(kMax) / frame.cols, double(kMax) / frame.rows);
        cv::resize(frame, frame, {}, f, f, cv::INTER_AREA);
    }
    return true;
}

class OpenCvSource : public VideoSource {
public:
    OpenCvSource(SourceSpec spec, cv::VideoCapture capture)
        : spec_(std::move(spec)), capture_(std::move(capture)) {}
    bool read(cv::Mat& bgr) override {
        if (!capture_.read(bgr) || bgr.empty()) {
            if (spec_.kind != SourceSpec::Kind::File)
                return false;
            // A file ended: play it again from the start.
            capture_.set(cv::CAP_PROP_POS_FRAMES, 0);
            if (!capture_.read(bgr) || bgr.empty()) {
                capture_.open(spec_.text, cv::CAP_ANY);
                if (!capture_.read(bgr) || bgr.empty())
                    return false;
            }
        }
        return normalise(bgr);
    }
    bool live() const override { return spec_.kind != SourceSpec::Kind::File; }

private:
    SourceSpec spec_;
    cv::VideoCapture capture_;
};

} // namespace

SourceSpec SourceSpec::parse(const std::string& source) {
    SourceSpec spec;
    const std::string s = trimmed(source);
    const std::string l = lower(s);
    if (l.empty() || l == "none" || l == "off") {
        spec.kind = Kind::None;
    } else if (l == "test" || l == "pattern") {
        spec.kind = Kind::TestPattern;
    } else if (l == "screen") {
        spec.kind = Kind::Screen;
    } else if (s.size() <= 3 &&
               std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
        spec.kind = Kind::CameraIndex;
        spec.index = std::stoi(s);
    } else if (s.find('!') != std::string::npos) {
        spec.kind = Kind::Pipeline;
        spec.text = s;
    } else if (s.rfind("/dev/", 0) == 0) {
        spec.kind = Kind::Device;
        spec.text = s.substr(0, s.find(' ')); // "/dev/video0 (name)": the node only
    } else {
        spec.kind = Kind::File;
        spec.text = s;
    }
    return spec;
}

std::string SourceSpec::describe() const {
    switch (kind) {
    case Kind::None:
        return "no camera";
    case Kind::TestPattern:
        return "test pattern";
    case Kind::CameraIndex:
        return "camera " + std::to_string(index);
    case Kind::Device:
        return "camera " + text;
    case Kind::File:
        return "video file " + text;
    case Kind::Pipeline:
        return "GStreamer pipeline " + text;
    case Kind::Screen:
        return "the screen";
    }
    return {};
}

std::string CameraDevice::label() const {
    return name.empty() ? path : path + " (" + name + ")";
}

std::vector<CameraDevice> listCameras(const std::string& sysfs) {
    std::vector<CameraDevice> cameras;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(sysfs, ec)) {
        const std::string node = entry.path().filename().string();
        if (node.rfind("video", 0) != 0)
            continue;
        auto firstLine = [&](const char* attribute) {
            std::ifstream in(entry.path() / attribute);
            std::string line;
            std::getline(in, line);
            return trimmed(line);
        };
        const std::string index = firstLine("index");
        if (!index.empty() && index != "0")
            continue; // a second node of the same camera (metadata), not a picture
        cameras.push_back({"/dev/" + node, firstLine("name")});
    }
    std::sort(cameras.begin(), cameras.end(),
              [](const CameraDevice& a, const CameraDevice& b) { return a.path < b.path; });
    return cameras;
}

std::string screenPipeline(const std::string& display, const CaptureFormat& format) {
    // use-damage=false: whole frames (damage events would send only the changed rectangles);
    // add-borders keeps the screen's aspect inside the configured size; appsink keeps only the
    // newest frame, so a slow encoder never works through a backlog of old screens.
    return "ximagesrc display-name=" + display +
           " use-damage=false show-pointer=true ! video/x-raw,framerate=" +
           std::to_string(format.fps) + "/1 ! videoconvert ! videoscale add-borders=true ! " +
           "video/x-raw,format=BGR,width=" + std::to_string(format.width) +
           ",height=" + std::to_string(format.height) +
           ",pixel-aspect-ratio=1/1 ! appsink drop=true max-buffers=1 sync=false";
}

std::unique_ptr<VideoSource> openSource(const SourceSpec& spec, const CaptureFormat& format,
                                        std::string* error) {
    auto fail = [&](const std::string& why) -> std::unique_ptr<VideoSource> {
        if (error)
            *error = why;
        return nullptr;
    };
    cv::VideoCapture capture;
    try {
        switch (spec.kind) {
        case SourceSpec::Kind::None:
            return fail("no camera configured");
        case SourceSpec::Kind::TestPattern:
            return std::make_unique<PatternSource>(format);
        case SourceSpec::Kind::CameraIndex:
            capture.open(spec.index, cv::CAP_V4L2);
            break;
        case SourceSpec::Kind::Device:
            capture.open(spec.text, cv::CAP_V4L2);
            break;
        case SourceSpec::Kind::File:
            capture.open(spec.text, cv::CAP_ANY);
            break;
        case SourceSpec::Kind::Pipeline:
            capture.open(spec.text, cv::CAP_GSTREAMER);
            break;
        case SourceSpec::Kind::Screen: {
            const QByteArray display = qgetenv("DISPLAY");
            if (display.isEmpty())
                return fail("screen sharing needs an X11 display (DISPLAY is not set)");
            // It becomes part of a pipeline description: nothing but a display name.
            if (!std::all_of(display.begin(), display.end(), [](char ch) {
                    return std::isalnum(static_cast<unsigned char>(ch)) || ch == ':' || ch == '.' ||
                           ch == '-' || ch == '_' || ch == '/';
                }))
                return fail("screen sharing: DISPLAY is not a display name");
            capture.open(screenPipeline(display.toStdString(), format), cv::CAP_GSTREAMER);
            break;
        }
        }
    } catch (const cv::Exception& e) {
        return fail("cannot open " + spec.describe() + ": " + e.what());
    }
    if (!capture.isOpened())
        return fail("cannot open " + spec.describe());
    if (spec.kind == SourceSpec::Kind::CameraIndex || spec.kind == SourceSpec::Kind::Device) {
        // Requests, not guarantees: the driver picks the nearest mode it has.
        capture.set(cv::CAP_PROP_FRAME_WIDTH, format.width);
        capture.set(cv::CAP_PROP_FRAME_HEIGHT, format.height);
        capture.set(cv::CAP_PROP_FPS, format.fps);
        capture.set(cv::CAP_PROP_BUFFERSIZE, 1);
    }
    qCDebug(lcVideo).noquote() << "opened" << QString::fromStdString(spec.describe()) << "backend"
                               << QString::fromStdString(capture.getBackendName());
    return std::make_unique<OpenCvSource>(spec, std::move(capture));
}

} // namespace charla::video
