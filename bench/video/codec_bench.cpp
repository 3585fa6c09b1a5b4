// charla_codec_bench: which codec video calls should use, measured on natural content.
//
//   charla_codec_bench [--video FILE] [--frames N] [--kbps K] [--width W --height H]
//
// Reads a recorded video (default: vtest.avi, a street scene filmed with a real camera, shipped
// by Debian's opencv-doc), scales it to W x H (default 1280x720), and runs the same frames
// through each codec in one thread at 30 fps pacing-free: libvpx VP8 (realtime, CBR, error
// resilient, no lag frames, one thread) at several speed settings, OpenH264 (real-time camera
// mode, bitrate rate control, one thread) at the same bitrate, and JPEG (the current codec, q75).
// Prints per codec: kbit/s of compressed data, PSNR and SSIM of the decoded luma against the
// source's, encode and decode CPU per frame (p50/p95). A program that prints figures
// (docs/performance-video.md), never run by ctest.
#include "jpeg_codec.h"
#include "quality.h"
#include "vp8_codec.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <wels/codec_api.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using charla::bench::mean;
using charla::bench::percentile;
using Clock = std::chrono::steady_clock;

constexpr int kFps = 30;

struct Source {
    std::vector<cv::Mat> bgr;  // for JPEG
    std::vector<cv::Mat> i420; // for the video codecs: (h * 3 / 2) x w, Y then U then V
};

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Result {
    std::string name;
    double bytes = 0;
    int frames = 0;
    int keyframes = 0;
    std::vector<double> encMs, decMs, psnr, ssim;
};

void print(const Result& r) {
    const double kbps = r.bytes * 8 / 1000.0 / (r.frames / static_cast<double>(kFps));
    std::printf("%-22s %8.0f %7.2f %7.4f %7.4f %7.2f %7.2f %7.2f %7.2f %5d\n", r.name.c_str(), kbps,
                mean(r.psnr), mean(r.ssim), percentile(r.ssim, 5), percentile(r.encMs, 50),
                percentile(r.encMs, 95), percentile(r.decMs, 50), percentile(r.decMs, 95),
                r.keyframes);
}

// Quality is measured on every 3rd frame (SSIM at 720p costs more than the codecs).
void measure(Result& r, int index, const cv::Mat& srcY, const cv::Mat& decodedY) {
    if (index % 3 != 0)
        return;
    r.psnr.push_back(charla::bench::psnr(srcY, decodedY));
    r.ssim.push_back(charla::bench::ssim(srcY, decodedY));
}

// The plugin's own coders (the settings calls use), at each speed tried; like JPEG's, the
// encode time includes the BGR to I420 conversion the plugin does (OpenH264's below does not).
Result runVp8(const Source& src, int h, int kbps, int cpuUsed) {
    Result r;
    r.name = "VP8 cpu-used " + std::to_string(cpuUsed);
    charla::video::Vp8Encoder enc(cpuUsed);
    charla::video::Vp8Decoder dec;
    enc.setBitrateKbps(kbps);
    std::vector<std::uint8_t> packet;
    cv::Mat bgr;
    for (int i = 0; i < static_cast<int>(src.bgr.size()); ++i) {
        auto t0 = Clock::now();
        bool keyframe = false;
        if (!enc.encode(src.bgr[i], kFps, packet, &keyframe))
            std::exit(1);
        r.encMs.push_back(msSince(t0));
        r.bytes += static_cast<double>(packet.size());
        r.keyframes += keyframe ? 1 : 0;
        ++r.frames;
        t0 = Clock::now();
        if (dec.decode(packet.data(), packet.size(), bgr) != charla::video::Vp8Decoder::Status::Ok)
            std::exit(1);
        r.decMs.push_back(msSince(t0));
        if (i % 3 != 0)
            continue;
        measure(r, i, src.i420[i].rowRange(0, h), charla::bench::luma(bgr));
    }
    return r;
}

Result runOpenH264(const Source& src, int w, int h, int kbps) {
    Result r;
    r.name = "OpenH264";
    ISVCEncoder* enc = nullptr;
    if (WelsCreateSVCEncoder(&enc) != 0 || !enc)
        std::exit(1);
    SEncParamExt p;
    enc->GetDefaultParams(&p);
    p.iUsageType = CAMERA_VIDEO_REAL_TIME;
    p.iPicWidth = w;
    p.iPicHeight = h;
    p.iTargetBitrate = kbps * 1000;
    p.iMaxBitrate = kbps * 1000 * 115 / 100;
    p.iRCMode = RC_BITRATE_MODE;
    p.fMaxFrameRate = kFps;
    p.bEnableFrameSkip = false;
    p.iMultipleThreadIdc = 1;
    p.uiIntraPeriod = 0; // keyframes only at the start and when asked
    p.iSpatialLayerNum = 1;
    p.iTemporalLayerNum = 1;
    p.sSpatialLayers[0].iVideoWidth = w;
    p.sSpatialLayers[0].iVideoHeight = h;
    p.sSpatialLayers[0].fFrameRate = kFps;
    p.sSpatialLayers[0].iSpatialBitrate = p.iTargetBitrate;
    p.sSpatialLayers[0].iMaxSpatialBitrate = p.iMaxBitrate;
    p.sSpatialLayers[0].sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
    if (enc->InitializeExt(&p) != 0)
        std::exit(1);
    ISVCDecoder* dec = nullptr;
    if (WelsCreateDecoder(&dec) != 0 || !dec)
        std::exit(1);
    SDecodingParam dp{};
    dp.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
    if (dec->Initialize(&dp) != 0)
        std::exit(1);

    for (int i = 0; i < static_cast<int>(src.i420.size()); ++i) {
        const cv::Mat& f = src.i420[i];
        SSourcePicture pic{};
        pic.iColorFormat = videoFormatI420;
        pic.iPicWidth = w;
        pic.iPicHeight = h;
        pic.iStride[0] = w;
        pic.iStride[1] = pic.iStride[2] = w / 2;
        pic.pData[0] = f.data;
        pic.pData[1] = f.data + w * h;
        pic.pData[2] = f.data + w * h + (w / 2) * (h / 2);
        pic.uiTimeStamp = static_cast<long long>(i) * 1000 / kFps;
        SFrameBSInfo info{};
        auto t0 = Clock::now();
        if (enc->EncodeFrame(&pic, &info) != cmResultSuccess)
            std::exit(1);
        std::vector<std::uint8_t> packet;
        for (int l = 0; l < info.iLayerNum; ++l) {
            const SLayerBSInfo& layer = info.sLayerInfo[l];
            int size = 0;
            for (int n = 0; n < layer.iNalCount; ++n)
                size += layer.pNalLengthInByte[n];
            packet.insert(packet.end(), layer.pBsBuf, layer.pBsBuf + size);
        }
        if (info.eFrameType == videoFrameTypeIDR)
            ++r.keyframes;
        r.encMs.push_back(msSince(t0));
        r.bytes += static_cast<double>(packet.size());
        ++r.frames;
        std::uint8_t* planes[3] = {};
        SBufferInfo out{};
        t0 = Clock::now();
        dec->DecodeFrameNoDelay(packet.data(), static_cast<int>(packet.size()), planes, &out);
        r.decMs.push_back(msSince(t0));
        if (out.iBufferStatus != 1)
            continue;
        const cv::Mat y(h, w, CV_8UC1, planes[0],
                        static_cast<std::size_t>(out.UsrData.sSystemBuffer.iStride[0]));
        measure(r, i, f.rowRange(0, h), y);
    }
    enc->Uninitialize();
    WelsDestroySVCEncoder(enc);
    dec->Uninitialize();
    WelsDestroyDecoder(dec);
    return r;
}

Result runJpeg(const Source& src, int w, int h, int quality) {
    Result r;
    r.name = "JPEG q" + std::to_string(quality);
    charla::video::JpegEncoder enc;
    charla::video::JpegDecoder dec;
    std::vector<std::uint8_t> jpeg;
    cv::Mat bgr;
    for (int i = 0; i < static_cast<int>(src.bgr.size()); ++i) {
        auto t0 = Clock::now();
        if (!enc.encode(src.bgr[i], quality, jpeg))
            std::exit(1);
        r.encMs.push_back(msSince(t0));
        r.bytes += static_cast<double>(jpeg.size());
        ++r.frames;
        t0 = Clock::now();
        if (!dec.decode(jpeg.data(), jpeg.size(), bgr))
            std::exit(1);
        r.decMs.push_back(msSince(t0));
        ++r.keyframes;
        if (i % 3 != 0)
            continue;
        measure(r, i, src.i420[i].rowRange(0, h), charla::bench::luma(bgr));
    }
    (void)w;
    return r;
}

} // namespace

int main(int argc, char** argv) {
    std::string path = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    int frames = 300, kbps = 2000, w = 1280, h = 720;
    std::vector<int> speeds{-4, -6, -8, -12, -16};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--video")
            path = next();
        else if (a == "--frames")
            frames = std::atoi(next());
        else if (a == "--kbps")
            kbps = std::atoi(next());
        else if (a == "--width")
            w = std::atoi(next()) & ~1;
        else if (a == "--height")
            h = std::atoi(next()) & ~1;
        else {
            std::fprintf(stderr,
                         "usage: %s [--video FILE] [--frames N] [--kbps K] [--width W "
                         "--height H]\n",
                         argv[0]);
            return 2;
        }
    }
    cv::VideoCapture cap(path);
    if (!cap.isOpened()) {
        std::printf("SKIP: cannot open %s (Debian's opencv-doc ships it; "
                    "scripts/install-deps.sh --bench installs it)\n",
                    path.c_str());
        return 0;
    }
    const int srcW = static_cast<int>(cap.get(cv::CAP_PROP_FRAME_WIDTH));
    const int srcH = static_cast<int>(cap.get(cv::CAP_PROP_FRAME_HEIGHT));
    Source src;
    cv::Mat f, scaled, yuv;
    while (static_cast<int>(src.bgr.size()) < frames && cap.read(f)) {
        cv::resize(f, scaled, cv::Size(w, h), 0, 0, cv::INTER_AREA);
        src.bgr.push_back(scaled.clone());
        cv::cvtColor(scaled, yuv, cv::COLOR_BGR2YUV_I420);
        src.i420.push_back(yuv.clone());
    }
    std::printf("source %s: %dx%d, %zu frames scaled to %dx%d, sent as %d fps; target %d "
                "kbit/s; one thread\n",
                path.c_str(), srcW, srcH, src.bgr.size(), w, h, kFps, kbps);
    std::printf("%-22s %8s %7s %7s %7s %7s %7s %7s %7s %5s\n", "codec", "kbit/s", "PSNR", "SSIM",
                "SSIMp5", "enc p50", "enc p95", "dec p50", "dec p95", "keys");
    for (int s : speeds)
        print(runVp8(src, h, kbps, s));
    print(runOpenH264(src, w, h, kbps));
    print(runJpeg(src, w, h, 75));
    return 0;
}
