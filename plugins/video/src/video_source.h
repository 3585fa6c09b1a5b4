// Where frames come from. A source is tiny and knows nothing of the network: it opens, hands out
// BGR frames, and closes. Which source is meant is a string, the same in the settings page and
// on the command line (--camera SOURCE):
//   "0", "1", ...        camera by index (V4L2)
//   "/dev/video0"        camera by device path; what follows a space is its name, ignored
//                        ("/dev/video0 (Integrated Camera)", as the settings page lists it)
//   a file path          a video file, played in a loop at the configured frame rate
//   "... ! appsink"      a GStreamer pipeline (anything containing '!')
//   "test", "pattern"    the built-in moving test pattern
//   "screen"             the X11 screen of $DISPLAY (screen sharing, GStreamer's ximagesrc),
//                        scaled into the configured size with its aspect kept
//   "none", "off", ""    no camera: receive-only
#pragma once

#include <opencv2/core/mat.hpp>

#include <memory>
#include <string>
#include <vector>

namespace charla::video {

struct SourceSpec {
    enum class Kind { None, TestPattern, CameraIndex, Device, File, Pipeline, Screen };
    Kind kind = Kind::None;
    int index = 0;    // CameraIndex
    std::string text; // Device, File, Pipeline: what OpenCV opens

    static SourceSpec parse(const std::string& source);
    std::string describe() const;
    bool operator==(const SourceSpec&) const = default;
};

struct CaptureFormat {
    int width = 640;
    int height = 480;
    int fps = 30;
    bool operator==(const CaptureFormat&) const = default;
};

class VideoSource {
public:
    virtual ~VideoSource();
    // The next frame (BGR, 8-bit, 3 channels). A live source blocks until the device delivers
    // one; false when the source failed or ended for good.
    virtual bool read(cv::Mat& bgr) = 0;
    // Live sources (cameras, pipelines) run at their own pace; the others (files, the test
    // pattern) are paced by the capture thread at the configured frame rate.
    virtual bool live() const = 0;
};

// A camera the kernel lists: its device node and the name its driver gives.
struct CameraDevice {
    std::string path; // "/dev/video0"
    std::string name; // "Integrated Camera: Integrated C"
    // What the settings page shows and SourceSpec::parse takes back: "/dev/video0 (name)".
    std::string label() const;
};
// The V4L2 capture devices in `sysfs` (Linux lists them in /sys/class/video4linux), sorted by
// path. A webcam's extra nodes (metadata: sysfs "index" other than 0) are left out.
std::vector<CameraDevice> listCameras(const std::string& sysfs = "/sys/class/video4linux");

// The GStreamer pipeline that captures the X11 display `display` (e.g. ":0") at `format`.
std::string screenPipeline(const std::string& display, const CaptureFormat& format);

// Opens the source; nullptr and *error set when it cannot (no camera, a bad path or pipeline,
// or "none").
std::unique_ptr<VideoSource> openSource(const SourceSpec& spec, const CaptureFormat& format,
                                        std::string* error);

} // namespace charla::video
