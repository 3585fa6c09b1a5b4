// charla_video_bench: glass-to-glass latency, received fps, wire bytes and CPU of two Charla
// sessions sending video to each other, and the CPU of the same load through GStreamer on
// loopback, measured in the same run (docs/performance-video.md).
//
//   charla_video_bench [--seconds N]          the test pattern, JPEG (RTP/JPEG baselines)
//   charla_video_bench --natural [--seconds N] [--video FILE] [--quality-every N]
//                                             a recorded video (vtest.avi from opencv-doc), VP8
//                                             and JPEG side by side, each against GStreamer's
//                                             encoder and decoder of the same codec, and the
//                                             PSNR/SSIM of the pictures each side shows against
//                                             the frames sent (1 in N sampled, 10; 0: off)
//   charla_video_bench --with-transfer [--seconds N] [--rounds R] [--compare DIR]
//                                             a 720p VP8 call with and without a file moving
//                                             from A to B at the same time (issue 15), R times
//                                             (3); with DIR (another build's bench/video: its
//                                             charla_video_bench and plugins/) the file also
//                                             moves between two of that build in each round
//   charla_video_bench --encryption [--seconds N] [--rounds R]
//                                             encryption's cost at 720p30, both directions: the
//                                             same two instances with TLS 1.3 (the default) and
//                                             with --allow-plaintext, alternated R times (3) in
//                                             one run, JPEG and VP8 (the test pattern)
//   charla_video_bench --instance ...         one Charla session (started by the above)
//
// Each Charla instance is its own process: a Session with only the video plugin, the test pattern
// as its camera, the call set Active. Its figures come from video.stats (dispatched locally) and
// getrusage(RUSAGE_SELF) over the measuring window, after a warm-up. Wire bytes are counted by a
// TCP proxy between the instances (every request byte, HTTP headers included); with --with-transfer
// they connect directly: the proxy copying ~100 MB/s of file was 12 % of a core beside the call,
// CPU two machines would not share. With --natural
// each instance also keeps the luma of a sample of the frames it captures and of the pictures it
// shows; the orchestrator pairs them by capture time after the window (PSNR and SSIM of what a
// receiver shows against what its peer captured).
#include "core/session.h"

#include "jpeg_codec.h"
#include "ports.h" // tests/support
#include "process_setup.h"
#include "process_stats.h"
#include "quality.h"
#include "tcp_proxy.h"
#include "test_pattern.h"
#include "video_plugin.h"
#include "video_stats.h"
#include "video_wire.h"
#include "vp8_codec.h"

#include <charla/sdk/media/latency_histogram.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <xmlrpc-c/xml.hpp>

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using charla::sdk::media::LatencyBins;

namespace {

using charla::test::cpuSeconds; // tests/support
using charla::test::freePort;
using charla::test::processCpuSeconds;
using charla::test::TcpProxy;

// Runs the instance's event loop for `d`, as the application's exec() would: it sleeps until
// there is something to do (an earlier version polled every 5 ms, ~0.2 CPU s/min of its own).
void pump(std::chrono::milliseconds d) {
    QEventLoop loop;
    QTimer::singleShot(d, &loop, &QEventLoop::quit);
    loop.exec();
}

using Struct = std::map<std::string, xmlrpc_c::value>;

double number(const Struct& s, const std::string& key) {
    const auto& v = s.at(key);
    if (v.type() == xmlrpc_c::value::TYPE_INT)
        return xmlrpc_c::value_int(v);
    return xmlrpc_c::value_double(v);
}

LatencyBins bins(const Struct& s, const std::string& key) {
    LatencyBins out{charla::sdk::media::Millis(number(s, "latency_bin_ms")), {}};
    for (const auto& v : xmlrpc_c::value_array(s.at(key)).vectorValueValue())
        out.counts.push_back(static_cast<std::uint64_t>(xmlrpc_c::value_int(v)));
    return out;
}

// --- received-picture quality ----------------------------------------------------------------

// Whether the quality tap keeps the frame captured at `ts`: a 1-in-`every` choice by capture time,
// the same on both sides (the receiver's picture carries its sender's capture time), so that what
// a receiver keeps finds its source in what the sender kept. Hashed: capture times follow the
// 30 fps period, so a plain modulo would keep a third of the frames or none. Whole milliseconds:
// the wire carries the double to ~0.01 ms.
bool sampled(double ts, int every) {
    if (every <= 0)
        return false;
    auto x = static_cast<std::uint64_t>(ts);
    x ^= x >> 33; // MurmurHash3's finaliser
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x % static_cast<std::uint64_t>(every) == 0;
}

struct LumaSample {
    bool shown = false; // a picture shown (the peer's frame); false: a frame captured here
    double ts = 0;      // capture time, ms since the Unix epoch
    cv::Mat y;
};

// Keeps a sample of the pictures an instance captures (what it sends) and shows (what the peer
// sent) during the window, for their luma. Off the measured path as far as it goes: the engine's
// frame listener (on the capture and decode threads) only takes a reference to the picture into a
// short queue; the tap's own thread copies it into buffers allocated and touched before the
// window (the decoder reuses its buffers once nobody holds them, and fresh pages cost ~8 ms a 720p
// picture in page faults on this machine, 40 times the copy); the luma is made after the window
// (OpenCV's colour conversion spreads over its worker threads, which spin). The copies' CPU time
// is reported: it is part of the instance's.
class QualityTap {
public:
    static constexpr std::size_t kMaxPending = 4;

    // `size`: the source's (a picture shown smaller fits in a buffer); `perKind`: how many
    // pictures of each kind it can keep.
    QualityTap(charla::video::VideoEngine& engine, int every, cv::Size size, std::size_t perKind)
        : engine_(engine), every_(every), perKind_(perKind) {
        for (std::size_t i = 0; i < 2 * perKind; ++i)
            buffers_.emplace_back(size, CV_8UC3, cv::Scalar::all(0)); // touched: resident now
        thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
        listener_ = engine_.addFrameListener([this] { onPicture(); });
    }
    ~QualityTap() { stop(); }

    void start() {
        std::lock_guard lock(mutex_);
        active_ = true;
    }
    // Ends the sampling, then makes the lumas.
    void stop() {
        if (listener_ == 0)
            return;
        engine_.removeFrameListener(listener_);
        listener_ = 0;
        thread_.request_stop();
        wake_.notify_all();
        thread_.join();
        for (LumaSample& s : samples_)
            s.y = charla::bench::luma(s.y);
        buffers_.clear();
    }

    // Binary, for the orchestrator (readSamples): per sample shown (1 byte), ts (8), cols and
    // rows (4 + 4), the luma.
    bool write(const std::string& path) const {
        std::ofstream out(path, std::ios::binary);
        for (const LumaSample& s : samples_) {
            const char shown = s.shown ? 1 : 0;
            const std::int32_t size[2] = {s.y.cols, s.y.rows};
            out.write(&shown, 1);
            out.write(reinterpret_cast<const char*>(&s.ts), sizeof s.ts);
            out.write(reinterpret_cast<const char*>(size), sizeof size);
            out.write(reinterpret_cast<const char*>(s.y.data),
                      static_cast<std::streamsize>(s.y.total()));
        }
        return static_cast<bool>(out);
    }
    double cpuSeconds() const { return cpu_; }
    // Sampled pictures not kept: the queue was full, or the buffers were all used.
    std::uint64_t dropped() const { return dropped_ + overflow_; }

private:
    void onPicture() {
        const std::optional<charla::video::VideoPicture> pictures[2] = {engine_.localPicture(),
                                                                        engine_.remotePicture()};
        std::lock_guard lock(mutex_);
        if (!active_)
            return;
        for (int kind = 0; kind < 2; ++kind) {
            const auto& p = pictures[kind];
            if (!p || p->seq <= lastSeq_[kind])
                continue;
            lastSeq_[kind] = p->seq;
            if (!sampled(p->ts, every_))
                continue;
            if (pending_.size() >= kMaxPending) {
                ++dropped_;
                continue;
            }
            pending_.push_back({kind == 1, p->ts, p->bgr});
            wake_.notify_one();
        }
    }

    void run(std::stop_token stop) {
        const double cpu0 = charla::test::threadCpuSeconds();
        std::size_t kept[2] = {0, 0};
        for (;;) {
            LumaSample s;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, stop, [&] { return !pending_.empty(); });
                if (pending_.empty())
                    break; // stopped
                s = std::move(pending_.front());
                pending_.pop_front();
            }
            if (kept[s.shown] >= perKind_) {
                ++overflow_;
                continue;
            }
            const cv::Mat& b = buffers_[samples_.size()]; // kept[0] + kept[1] < 2 * perKind_
            if (s.y.type() != CV_8UC3 || s.y.cols > b.cols || s.y.rows > b.rows) {
                ++overflow_;
                continue;
            }
            ++kept[s.shown];
            cv::Mat copy(s.y.rows, s.y.cols, CV_8UC3, b.data); // no allocation
            s.y.copyTo(copy);
            s.y = copy; // and the picture's own buffer is let go
            samples_.push_back(std::move(s));
        }
        cpu_ = charla::test::threadCpuSeconds() - cpu0;
    }

    charla::video::VideoEngine& engine_;
    const int every_;
    const std::size_t perKind_;
    std::vector<cv::Mat> buffers_; // 2 * perKind_, the source's size
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<LumaSample> pending_;
    std::uint64_t lastSeq_[2] = {0, 0};
    bool active_ = false;
    std::uint64_t dropped_ = 0;
    std::uint64_t overflow_ = 0;
    std::vector<LumaSample> samples_; // BGR, then luma; the tap's thread only, until stop()
    double cpu_ = 0;
    int listener_ = 0;
    std::jthread thread_;
};

std::vector<LumaSample> readSamples(const std::string& path) {
    std::vector<LumaSample> out;
    std::ifstream in(path, std::ios::binary);
    for (;;) {
        char shown = 0;
        LumaSample s;
        std::int32_t size[2] = {0, 0};
        if (!in.read(&shown, 1) || !in.read(reinterpret_cast<char*>(&s.ts), sizeof s.ts) ||
            !in.read(reinterpret_cast<char*>(size), sizeof size) || size[0] <= 0 || size[1] <= 0)
            break;
        s.shown = shown != 0;
        s.y.create(size[1], size[0], CV_8UC1);
        if (!in.read(reinterpret_cast<char*>(s.y.data), static_cast<std::streamsize>(s.y.total())))
            break;
        out.push_back(std::move(s));
    }
    return out;
}

// The pictures one side showed against the frames its peer captured, paired by capture time.
struct ReceivedQuality {
    int pairs = 0;
    int scaled = 0;   // shown smaller than captured (VP8's size ladder): scaled up to compare
    int unpaired = 0; // shown, captured within the sender's window, but not kept by it
    std::vector<double> psnr, ssim;
};

ReceivedQuality receivedQuality(const std::vector<LumaSample>& sender,
                                const std::vector<LumaSample>& receiver) {
    std::map<double, const cv::Mat*> sent;
    for (const LumaSample& s : sender)
        if (!s.shown)
            sent[s.ts] = &s.y;
    ReceivedQuality q;
    cv::Mat up;
    for (const LumaSample& r : receiver) {
        // The two windows are not quite aligned: a picture captured outside the sender's has no
        // source to pair with
        if (!r.shown || sent.empty() || r.ts < sent.begin()->first - 0.1 ||
            r.ts > sent.rbegin()->first + 0.1)
            continue;
        // The wire carries the double to ~0.01 ms (15 digits): 0.1 ms of slack, frames are 33 ms
        // apart.
        auto it = sent.lower_bound(r.ts - 0.1);
        if (it == sent.end() || it->first > r.ts + 0.1) {
            ++q.unpaired;
            continue;
        }
        const cv::Mat& src = *it->second;
        const cv::Mat* shown = &r.y;
        if (r.y.size() != src.size()) {
            cv::resize(r.y, up, src.size(), 0, 0, cv::INTER_LINEAR);
            shown = &up;
            ++q.scaled;
        }
        q.psnr.push_back(charla::bench::psnr(src, *shown));
        q.ssim.push_back(charla::bench::ssim(src, *shown));
        ++q.pairs;
    }
    return q;
}

// --- one Charla instance -------------------------------------------------------------------

int runInstance(int argc, char** argv) {
    if (argc < 10)
        return 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    const auto peerPort = static_cast<std::uint16_t>(std::atoi(argv[3]));
    const int width = std::atoi(argv[4]);
    const int height = std::atoi(argv[5]);
    const int seconds = std::atoi(argv[6]);
    setenv("XDG_CONFIG_HOME", argv[7], 1);
    // Then, in any order: the files plugin (--with-transfer): none (not loaded), "idle",
    // "send:PATH" or "receive"; "--plaintext" (the orchestrator's --encryption); and
    // "--quality=N": keep a 1-in-N sample of the pictures for received quality (QualityTap).
    // "--window-after-bytes=DIR": the window opens once a file in DIR holds bytes.
    // "--plugins=DIR": load the plugins from DIR instead of this build's.
    std::string files;
    QString pluginDir = QStringLiteral(CHARLA_VIDEO_BENCH_PLUGIN_DIR);
    bool plaintext = false;
    int qualityEvery = 0;
    QString windowAfterBytesIn;
    for (int i = 10; i < argc; ++i) {
        const std::string a = argv[i];
        constexpr std::string_view kAfterBytes = "--window-after-bytes=";
        if (a == "--plaintext")
            plaintext = true;
        else if (a.rfind("--quality=", 0) == 0)
            qualityEvery = std::atoi(a.c_str() + 10);
        else if (a.rfind(kAfterBytes, 0) == 0)
            windowAfterBytesIn = QString::fromStdString(a.substr(kAfterBytes.size()));
        else if (a.rfind("--plugins=", 0) == 0)
            pluginDir = QString::fromStdString(a.substr(10));
        else
            files = a;
    }
    const QString downloads = QString::fromLocal8Bit(argv[7]) + "/downloads";
    if (!files.empty())
        setenv("XDG_DATA_HOME", argv[7], 1); // the transfer store, not the user's
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName("CharlaBench");
    QCoreApplication::setApplicationName("video");
    {
        QSettings settings;
        settings.beginGroup("plugins/video");
        settings.setValue("source", QString::fromLocal8Bit(argv[8]));
        settings.setValue("width", width);
        settings.setValue("height", height);
        settings.setValue("fps", 30);
        settings.setValue("quality", 75);
        settings.setValue("camera_on", true);
    }
    charla::host::SessionConfig config;
    config.listenAddress = "127.0.0.1";
    config.port = port;
    config.peer = {"127.0.0.1", peerPort};
    config.user = QString("bench-%1").arg(port);
    config.pluginDirs = {pluginDir};
    config.pingInterval = 1000ms;
    config.pluginOptions["video.codecs"] = argv[9];
    if (files.empty()) {
        config.disabledPlugins.insert("files");
    } else {
        config.pluginOptions["files.download_dir"] = downloads.toStdString();
        config.pluginOptions["files.auto_accept_mb"] = "1000000";
        if (files.rfind("send:", 0) == 0)
            config.pluginOptions["files.send-file"] = files.substr(5);
    }
    // --allow-plaintext, an explicit choice (the orchestrator's --encryption compares both).
    config.plaintext = plaintext;
    charla::host::Session session(config);
    session.start();
    for (int i = 0; i < 1000 && !session.channel().peer().sends("video", "video"); ++i)
        pump(10ms);
    session.plugins().notifyCallChanged({charla::sdk::CallInfo::State::Active, "bench"});
    std::unique_ptr<QualityTap> tap;
    if (qualityEvery > 0) {
        // The plugin's own engine (the bench links the same video code and headers).
        auto* plugin =
            static_cast<charla::video::VideoPlugin*>(session.plugins().instance("video"));
        // Buffers for the window's expected samples and a margin: 30 fps, 1 in `qualityEvery`.
        const std::size_t perKind = std::min<std::size_t>(
            150, static_cast<std::size_t>(seconds * 30 * 1.4 / qualityEvery) + 8);
        if (plugin)
            tap = std::make_unique<QualityTap>(plugin->engine(), qualityEvery,
                                               cv::Size(width, height), perKind);
    }
    auto bytesIn = [](const QString& dir) { // bytes in a download directory (the .part grows)
        qint64 total = 0;
        for (const QFileInfo& f : QDir(dir).entryInfoList(QDir::Files))
            total += f.size();
        return total;
    };
    auto received = [&] { return bytesIn(downloads); };
    // Warm-up: connections open, caches warm; with a file, also until its bytes move (the
    // sender hashes it first), so that they move during the whole window.
    pump(3s);
    if (!windowAfterBytesIn.isEmpty()) {
        for (int i = 0; i < 1200 && bytesIn(windowAfterBytesIn) == 0; ++i)
            pump(100ms);
        pump(1s); // the transfer's own start-up
    }
    const qint64 received0 = received();

    xmlrpc_c::paramList withHistogram;
    withHistogram.add(xmlrpc_c::value_struct(Struct{{"histogram", xmlrpc_c::value_boolean(true)}}));
    auto stats = [&] {
        return Struct(xmlrpc_c::value_struct(
            session.channel().methods().dispatch("video.stats", withHistogram)));
    };
    const Struct s0 = stats();
    const double cpu0 = processCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    if (tap)
        tap->start();
    pump(std::chrono::seconds(seconds));
    const Struct s1 = stats();
    const double cpu1 = processCpuSeconds();
    const double window =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double tapCpu = 0, tapDropped = 0;
    if (tap) {
        tap->stop(); // after the window: writing the samples is not measured
        tapCpu = tap->cpuSeconds();
        tapDropped = static_cast<double>(tap->dropped());
        tap->write(std::string(argv[7]) + "/quality.bin");
        tap.reset();
    }

    const LatencyBins h = bins(s1, "latency_hist").since(bins(s0, "latency_hist"));
    std::printf("RESULT window=%.3f displayed=%.0f sent=%.0f p50=%.2f p95=%.2f p99=%.2f cpu=%.3f "
                "jpeg_sent=%.0f sent_total=%.0f jpeg_sent_total=%.0f failures=%.0f stale=%.0f "
                "queue_drops=%.0f target_kbps=%.0f out_width=%.0f keyframes=%.0f "
                "file_bytes=%lld tap_cpu=%.4f tap_dropped=%.0f\n",
                window, number(s1, "displayed") - number(s0, "displayed"),
                number(s1, "sent") - number(s0, "sent"), h.percentileMs(50), h.percentileMs(95),
                h.percentileMs(99), cpu1 - cpu0,
                number(s1, "jpeg_bytes_sent") - number(s0, "jpeg_bytes_sent"), number(s1, "sent"),
                number(s1, "jpeg_bytes_sent"),
                number(s1, "send_failures") - number(s0, "send_failures"),
                number(s1, "send_stale") - number(s0, "send_stale"),
                number(s1, "receive_queue_drops") - number(s0, "receive_queue_drops"),
                number(s1, "target_kbps"), number(s1, "out_width"),
                number(s1, "keyframes_sent") - number(s0, "keyframes_sent"),
                static_cast<long long>(received() - received0), tapCpu, tapDropped);
    std::fflush(stdout);
    session.plugins().notifyCallChanged({});
    session.stop();
    return 0;
}

// --- the orchestrator ----------------------------------------------------------------------

struct Child {
    pid_t pid = -1;
    int out = -1; // read end of its stdout, or -1
};

Child spawn(const std::vector<std::string>& args, bool captureStdout) {
    int fds[2] = {-1, -1};
    if (captureStdout && ::pipe(fds) != 0)
        return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (captureStdout) {
            ::dup2(fds[1], 1);
            ::close(fds[0]);
            ::close(fds[1]);
        }
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        std::_Exit(127);
    }
    if (captureStdout)
        ::close(fds[1]);
    return {pid, captureStdout ? fds[0] : -1};
}

std::string readAll(int fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return out;
}

double waitCpu(pid_t pid) {
    int status = 0;
    rusage r{};
    ::wait4(pid, &status, 0, &r);
    return cpuSeconds(r);
}

std::map<std::string, double> parseResult(const std::string& text) {
    std::map<std::string, double> out;
    const auto at = text.find("RESULT ");
    if (at == std::string::npos)
        return out;
    std::istringstream in(text.substr(at + 7));
    std::string kv;
    while (in >> kv) {
        const auto eq = kv.find('=');
        if (eq != std::string::npos)
            out[kv.substr(0, eq)] = std::atof(kv.c_str() + eq + 1);
    }
    return out;
}

// The middle value (the upper one of an even count); 0 for none.
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

struct CharlaFigures {
    std::map<std::string, double> a, b;
    std::uint64_t wireAtoB = 0, wireBtoA = 0;
    ReceivedQuality shownByA, shownByB; // with qualityEvery: B's frames as A showed them, and so on
};

// What a run of two instances varies beyond the picture's size and the window.
struct RunSetup {
    std::string source = "test"; // the camera: the test pattern or a video file
    std::string codecs = "jpeg";
    // The files plugin on A and B: "" (not loaded), "idle", "send:PATH" or "receive".
    std::string filesA = "", filesB = "";
    bool plaintext = false;
    int qualityEvery = 0;       // keep 1 in N pictures for received quality (0: off)
    std::string pluginDir = ""; // "": this build's plugins
    bool countWire = true; // through TCP proxies that count the bytes (and cost CPU of their own)
};

CharlaFigures runCharla(const std::string& self, int w, int h, int seconds,
                        const RunSetup& setup = {}) {
    const auto& [source, codecs, filesA, filesB, plaintext, qualityEvery, pluginDir, countWire] =
        setup;
    const std::uint16_t portA = freePort();
    const std::uint16_t portB = freePort();
    std::optional<TcpProxy> toB, toA;
    if (countWire) {
        toB.emplace(portB);
        toA.emplace(portA);
    }
    char dirA[] = "/tmp/charla-bench-XXXXXX";
    char dirB[] = "/tmp/charla-bench-XXXXXX";
    ::mkdtemp(dirA);
    ::mkdtemp(dirB);
    auto args = [&](std::uint16_t port, std::uint16_t peer, const char* dir,
                    const std::string& files) {
        std::vector<std::string> out{self,
                                     "--instance",
                                     std::to_string(port),
                                     std::to_string(peer),
                                     std::to_string(w),
                                     std::to_string(h),
                                     std::to_string(seconds),
                                     dir,
                                     source,
                                     codecs};
        if (!files.empty())
            out.push_back(files);
        if (plaintext)
            out.push_back("--plaintext");
        if (qualityEvery > 0)
            out.push_back("--quality=" + std::to_string(qualityEvery));
        // While a file moves, both windows open once its bytes reach B: the sender's hashing
        // before the offer (seconds of CPU for a large file) is not in them.
        if (filesB == "receive")
            out.push_back(std::string("--window-after-bytes=") + dirB + "/downloads");
        if (!pluginDir.empty())
            out.push_back("--plugins=" + pluginDir);
        return out;
    };
    Child a = spawn(args(portA, toB ? toB->port() : portB, dirA, filesA), true);
    Child b = spawn(args(portB, toA ? toA->port() : portA, dirB, filesB), true);
    CharlaFigures f;
    f.a = parseResult(readAll(a.out));
    f.b = parseResult(readAll(b.out));
    waitCpu(a.pid);
    waitCpu(b.pid);
    if (countWire) {
        f.wireAtoB = toB->bytes(TcpProxy::Direction::ToTarget);
        f.wireBtoA = toA->bytes(TcpProxy::Direction::ToTarget);
    }
    if (qualityEvery > 0) { // the instances have ended: this measures nothing of theirs
        const std::vector<LumaSample> sa = readSamples(std::string(dirA) + "/quality.bin");
        const std::vector<LumaSample> sb = readSamples(std::string(dirB) + "/quality.bin");
        f.shownByA = receivedQuality(sb, sa);
        f.shownByB = receivedQuality(sa, sb);
    }
    std::system((std::string("rm -rf ") + dirA + " " + dirB).c_str());
    return f;
}

// Both directions through gst-launch-1.0: per direction a receiver, then a sender, each built by
// the caller for a UDP port. CPU per "instance" is one sender plus one receiver, from wait4()'s
// rusage of the children; the senders end by themselves (num-buffers, or the end of a file).
using Pipeline = std::function<std::vector<std::string>(const std::string& port)>;

double runGstreamerPipelines(const Pipeline& sender, const Pipeline& receiver,
                             double* perInstanceCpu) {
    std::vector<Child> receivers, senders;
    for (int dir = 0; dir < 2; ++dir) {
        const std::string port = std::to_string(freePort() + 0);
        receivers.push_back(spawn(receiver(port), false));
        std::this_thread::sleep_for(300ms);
        senders.push_back(spawn(sender(port), false));
    }
    const auto t0 = std::chrono::steady_clock::now();
    double cpu = 0;
    for (auto& s : senders)
        cpu += waitCpu(s.pid);
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::this_thread::sleep_for(200ms);
    for (auto& r : receivers) {
        ::kill(r.pid, SIGINT);
        cpu += waitCpu(r.pid);
    }
    *perInstanceCpu = cpu / 2;
    return elapsed;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The test pattern through RTP/JPEG: videotestsrc, jpegenc, rtpjpegpay, udpsink; udpsrc,
// rtpjpegdepay, jpegdec.
double runGstreamer(int w, int h, int seconds, bool bgr, double* perInstanceCpu) {
    const std::string caps = std::string(bgr ? "video/x-raw,format=BGR" : "video/x-raw") +
                             ",width=" + std::to_string(w) + ",height=" + std::to_string(h) +
                             ",framerate=30/1";
    return runGstreamerPipelines(
        [&](const std::string& port) {
            return std::vector<std::string>{"gst-launch-1.0",
                                            "-q",
                                            "videotestsrc",
                                            "is-live=true",
                                            "pattern=smpte",
                                            "horizontal-speed=4",
                                            "num-buffers=" + std::to_string(30 * seconds),
                                            "!",
                                            caps,
                                            "!",
                                            "videoconvert",
                                            "!",
                                            "jpegenc",
                                            "quality=75",
                                            "!",
                                            "rtpjpegpay",
                                            "!",
                                            "udpsink",
                                            "host=127.0.0.1",
                                            "port=" + port};
        },
        [&](const std::string& port) {
            return std::vector<std::string>{"gst-launch-1.0",
                                            "-q",
                                            "udpsrc",
                                            "port=" + port,
                                            "caps=application/x-rtp,media=video,clock-rate=90000,"
                                            "encoding-name=JPEG,payload=26",
                                            "!",
                                            "rtpjpegdepay",
                                            "!",
                                            "jpegdec",
                                            "!",
                                            "videoconvert",
                                            "!",
                                            bgr ? "video/x-raw,format=BGR" : "video/x-raw",
                                            "!",
                                            "fakesink",
                                            "sync=false"};
        },
        perInstanceCpu);
}

// A recorded video (the file naturalSource() wrote) through GStreamer's encoder and decoder of
// `codec`, with what Charla does around them: BGR out of the file's decoder, into the encoder
// (converted), out of the decoder. VP8: vp8enc with Charla's settings (realtime deadline, CBR at
// `kbps`, the same cpu-used, one thread, error resilient, no lag, no periodic keyframes); JPEG:
// jpegenc q75. Paced at 30 fps by the sender's clock.
double runGstreamerFile(const std::string& file, bool vp8, int kbps, double* perInstanceCpu) {
    const std::vector<std::string> encoder =
        vp8 ? std::vector<std::string>{"vp8enc",
                                       "deadline=1",
                                       "cpu-used=" +
                                           std::to_string(charla::video::Vp8Encoder::kCpuUsed),
                                       "threads=1",
                                       "end-usage=cbr",
                                       "target-bitrate=" + std::to_string(kbps * 1000),
                                       "error-resilient=default",
                                       "lag-in-frames=0",
                                       "keyframe-mode=disabled",
                                       "!",
                                       "rtpvp8pay"}
            : std::vector<std::string>{"jpegenc", "quality=75", "!", "rtpjpegpay"};
    return runGstreamerPipelines(
        [&](const std::string& port) {
            return concat({"gst-launch-1.0", "-q", "filesrc", "location=" + file, "!", "avidemux",
                           "!", "jpegdec", "!", "videoconvert", "!", "video/x-raw,format=BGR", "!",
                           "videoconvert", "!"},
                          concat(encoder, {"!", "udpsink", "host=127.0.0.1", "port=" + port}));
        },
        [&](const std::string& port) {
            const std::vector<std::string> decoder =
                vp8 ? std::vector<std::string>{"rtpvp8depay", "!", "vp8dec", "threads=1"}
                    : std::vector<std::string>{"rtpjpegdepay", "!", "jpegdec"};
            return concat(
                concat(
                    {"gst-launch-1.0", "-q", "udpsrc", "port=" + port,
                     std::string("caps=application/x-rtp,media=video,clock-rate=90000,") +
                         (vp8 ? "encoding-name=VP8,payload=96" : "encoding-name=JPEG,payload=26"),
                     "!"},
                    decoder),
                {"!", "videoconvert", "!", "video/x-raw,format=BGR", "!", "fakesink",
                 "sync=false"});
        },
        perInstanceCpu);
}

// The recorded video scaled to w x h, 30 fps, as an MJPG AVI (q95) that both sides read: Charla
// through OpenCV (its file source), GStreamer through avidemux + jpegdec (this Debian's GStreamer
// has no decoder for vtest.avi's DivX 3). "" when the video cannot be read.
std::string naturalSource(const std::string& video, int w, int h, int* frames) {
    cv::VideoCapture in(video);
    if (!in.isOpened())
        return {};
    const std::string path = "/tmp/charla-bench-natural-" + std::to_string(w) + "x" +
                             std::to_string(h) + "-" + std::to_string(::getpid()) + ".avi";
    cv::VideoWriter out(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30, cv::Size(w, h));
    if (!out.isOpened())
        return {};
    out.set(cv::VIDEOWRITER_PROP_QUALITY, 95);
    cv::Mat frame, scaled;
    *frames = 0;
    while (in.read(frame)) {
        cv::resize(frame, scaled, cv::Size(w, h), 0, 0, cv::INTER_AREA);
        out.write(scaled);
        ++*frames;
    }
    return *frames > 0 ? path : std::string();
}

// The size of one video.frame request body, the data as a base64 <string> (what Charla sends)
// and as XML-RPC's <base64> (xmlrpc-c wraps it every 76 characters).
void bodySizes(int w, int h, std::size_t* jpeg, std::size_t* asString, std::size_t* asBase64) {
    const cv::Mat frame =
        charla::video::TestPattern(w, h).render(1234, std::chrono::system_clock::now());
    const auto bytes = charla::video::encodeJpeg(frame, 75);
    std::string body;
    xmlrpc_c::xml::generateCall(
        "video.frame", charla::video::frameParams(1234, 1.7e12, w, h, bytes, false), &body);
    *asString = body.size();
    xmlrpc_c::xml::generateCall("video.frame",
                                charla::video::frameParams(1234, 1.7e12, w, h, bytes, true), &body);
    *asBase64 = body.size();
    *jpeg = bytes.size();
}

// --- per-stage costs -------------------------------------------------------------------------

double threadCpuUs() {
    return charla::test::threadCpuSeconds() * 1e6;
}

// The CPU time of each step one frame takes through Charla, in this thread, averaged over
// `frames` frames: where an instance's CPU goes (docs/performance-video.md).
int runStages(int w, int h, int frames) {
    using namespace charla::video;
    TestPattern pattern(w, h);
    std::map<std::string, double> us;
    std::vector<std::string> order;
    auto timed = [&](const std::string& name, auto&& f) {
        if (!us.count(name))
            order.push_back(name);
        const double t0 = threadCpuUs();
        f();
        us[name] += threadCpuUs() - t0;
    };
    const auto now = std::chrono::system_clock::now();
    JpegEncoder encoder;
    JpegDecoder decoder;
    std::vector<std::uint8_t> jpeg;
    cv::Mat decoded;
    for (int i = 0; i < frames; ++i) {
        cv::Mat frame;
        xmlrpc_c::paramList params;
        std::string body;
        std::string name;
        xmlrpc_c::paramList parsed;
        WireFrame wire;
        timed("render test pattern",
              [&] { frame = pattern.render(static_cast<std::uint32_t>(i), now); });
        timed("JPEG encode", [&] { encoder.encode(frame, 75, jpeg); });
        timed("frameParams (base64)", [&] { params = frameParams(i, 1.7e12, w, h, jpeg); });
        timed("XML generate", [&] { xmlrpc_c::xml::generateCall("video.frame", params, &body); });
        timed("XML parse", [&] { xmlrpc_c::xml::parseCall(body, &name, &parsed); });
        timed("parseFrame (base64)", [&] { parseFrame(parsed, &wire); });
        timed("JPEG decode", [&] { decoder.decode(wire.data.data(), wire.data.size(), decoded); });
    }
    double total = 0;
    std::printf("%dx%d, %d frames, CPU us per frame:\n", w, h, frames);
    for (const auto& name : order) {
        std::printf("  %-24s %8.1f\n", name.c_str(), us[name] / frames);
        total += us[name] / frames;
    }
    std::printf("  %-24s %8.1f\n", "total", total);
    return 0;
}

int runAll(const std::string& self, int seconds) {
    std::printf("charla_video_bench: %d s per measurement, %u CPUs\n", seconds,
                std::thread::hardware_concurrency());
    for (auto [w, h] : {std::pair{640, 480}, std::pair{1280, 720}}) {
        std::size_t jpeg = 0, asString = 0, asBase64 = 0;
        bodySizes(w, h, &jpeg, &asString, &asBase64);
        std::printf("\n== %dx%d @ 30 fps, both directions ==\n", w, h);
        std::printf("one frame: JPEG %zu B; XML-RPC body with base64 <string> %zu B (x%.4f), "
                    "with <base64> %zu B (x%.4f)\n",
                    jpeg, asString, double(asString) / jpeg, asBase64, double(asBase64) / jpeg);
        const CharlaFigures c = runCharla(self, w, h, seconds);
        if (c.a.empty() || c.b.empty()) {
            std::printf("Charla instances gave no figures\n");
            return 1;
        }
        double gstCpu = 0, gstYuvCpu = 0;
        const double gstElapsed = runGstreamer(w, h, seconds, true, &gstCpu);
        const double gstPerMin = gstCpu / gstElapsed * 60;
        const double gstYuvElapsed = runGstreamer(w, h, seconds, false, &gstYuvCpu);
        const double gstYuvPerMin = gstYuvCpu / gstYuvElapsed * 60;
        for (const auto* side : {&c.a, &c.b}) {
            const auto& s = *side;
            const bool isA = side == &c.a;
            const double wire = double(isA ? c.wireAtoB : c.wireBtoA);
            const double cpuPerMin = s.at("cpu") / s.at("window") * 60;
            std::printf("instance %s: received %.2f fps; glass-to-glass p50 %.2f / p95 %.2f / "
                        "p99 %.2f ms; sent %.2f fps, JPEG %.0f B/frame, wire %.0f B/frame "
                        "(x%.4f); CPU %.2f s/min (x%.2f GStreamer); send failures %.0f, stale "
                        "%.0f, receive queue drops %.0f\n",
                        isA ? "A" : "B", s.at("displayed") / s.at("window"), s.at("p50"),
                        s.at("p95"), s.at("p99"), s.at("sent") / s.at("window"),
                        s.at("jpeg_sent_total") / s.at("sent_total"), wire / s.at("sent_total"),
                        wire / s.at("jpeg_sent_total"), cpuPerMin, cpuPerMin / gstPerMin,
                        s.at("failures"), s.at("stale"), s.at("queue_drops"));
        }
        std::printf("GStreamer RTP/JPEG baseline, BGR in and out like Charla: %.2f CPU s/min per "
                    "instance (one sender + one receiver)\n",
                    gstPerMin);
        std::printf("GStreamer RTP/JPEG, native I420 (no colour conversion at all): %.2f CPU s/min "
                    "per instance (Charla x%.2f)\n",
                    gstYuvPerMin,
                    (c.a.at("cpu") / c.a.at("window") + c.b.at("cpu") / c.b.at("window")) * 30 /
                        gstYuvPerMin);
    }
    return 0;
}

// The recorded video, VP8 and JPEG side by side, each against GStreamer's encoder and decoder of
// the same codec at the same settings, both directions at once; with `qualityEvery` > 0 also the
// PSNR and SSIM of what each side showed against the frames its peer captured.
int runNatural(const std::string& self, int seconds, const std::string& video, int qualityEvery) {
    std::printf("charla_video_bench --natural: %s, %d s per measurement, %u CPUs\n", video.c_str(),
                seconds, std::thread::hardware_concurrency());
    if (qualityEvery > 0)
        std::printf("received quality: luma PSNR and SSIM (11x11 Gaussian, as charla_codec_bench) "
                    "of a 1-in-%d sample of the pictures each side shows, chosen by capture time, "
                    "against the frame its peer captured with that time; lumas kept during the "
                    "window on a thread of each instance, compared after it\n",
                    qualityEvery);
    struct Row {
        std::string size, codec, side;
        double fps, p95, kbps;
        ReceivedQuality q;
    };
    std::vector<Row> rows;
    for (auto [w, h] : {std::pair{640, 480}, std::pair{1280, 720}}) {
        int frames = 0;
        const std::string file = naturalSource(video, w, h, &frames);
        if (file.empty()) {
            std::printf("cannot read %s (scripts/install-deps.sh --bench installs opencv-doc)\n",
                        video.c_str());
            return 1;
        }
        std::printf("\n== %dx%d @ 30 fps, recorded video (%d frames, looped), both directions ==\n",
                    w, h, frames);
        for (const bool vp8 : {true, false}) {
            const char* codec = vp8 ? "VP8" : "JPEG";
            const CharlaFigures c = runCharla(
                self, w, h, seconds,
                {.source = file, .codecs = vp8 ? "vp8" : "jpeg", .qualityEvery = qualityEvery});
            if (c.a.empty() || c.b.empty()) {
                std::printf("Charla instances gave no figures\n");
                return 1;
            }
            const int kbps = charla::video::defaultVp8BitrateKbps(w, h, 30);
            double gstCpu = 0;
            const double gstElapsed = runGstreamerFile(file, vp8, kbps, &gstCpu);
            const double gstPerMin = gstCpu / gstElapsed * 60;
            for (const auto* side : {&c.a, &c.b}) {
                const auto& s = *side;
                const auto& peer = side == &c.a ? c.b : c.a;
                const ReceivedQuality& q = side == &c.a ? c.shownByA : c.shownByB;
                const double cpuPerMin = s.at("cpu") / s.at("window") * 60;
                std::printf("%s instance %s: received %.2f fps; glass-to-glass p50 %.2f / p95 "
                            "%.2f ms; sent %.2f fps, %.0f kbit/s (target %.0f, width %.0f), "
                            "%.0f B/frame, %.0f keyframes; CPU %.2f s/min (x%.2f GStreamer %s); "
                            "send failures %.0f, stale %.0f, receive queue drops %.0f\n",
                            codec, side == &c.a ? "A" : "B", s.at("displayed") / s.at("window"),
                            s.at("p50"), s.at("p95"), s.at("sent") / s.at("window"),
                            s.at("jpeg_sent") * 8 / s.at("window") / 1000, s.at("target_kbps"),
                            s.at("out_width"), s.at("jpeg_sent") / std::max(1.0, s.at("sent")),
                            s.at("keyframes"), cpuPerMin, cpuPerMin / gstPerMin, codec,
                            s.at("failures"), s.at("stale"), s.at("queue_drops"));
                if (qualityEvery > 0)
                    std::printf("  shown by %s: PSNR %.2f dB, SSIM %.4f (p5 %.4f, min %.4f) over "
                                "%d pictures (%d scaled up from a smaller size, %d without their "
                                "source); sampling cost %.3f CPU s/min of the instance's, %.0f "
                                "samples dropped\n",
                                side == &c.a ? "A" : "B", charla::bench::mean(q.psnr),
                                charla::bench::mean(q.ssim), charla::bench::percentile(q.ssim, 5),
                                charla::bench::percentile(q.ssim, 0), q.pairs, q.scaled, q.unpaired,
                                s.at("tap_cpu") / s.at("window") * 60, s.at("tap_dropped"));
                rows.push_back({std::to_string(w) + "x" + std::to_string(h), codec,
                                side == &c.a ? "B->A" : "A->B", s.at("displayed") / s.at("window"),
                                s.at("p95"), peer.at("jpeg_sent") * 8 / peer.at("window") / 1000,
                                q});
            }
            std::printf("GStreamer %s baseline (%s): %.2f CPU s/min per instance (one sender + one "
                        "receiver)\n",
                        codec,
                        vp8 ? "vp8enc deadline=1 cpu-used=-8 threads=1 cbr at the same target, "
                              "vp8dec threads=1"
                            : "jpegenc q75, jpegdec",
                        gstPerMin);
        }
        std::remove(file.c_str());
    }
    std::printf("\n%-9s %-5s %-5s %9s %8s %8s", "size", "codec", "way", "recv fps", "g2g p95",
                "kbit/s");
    if (qualityEvery > 0)
        std::printf(" %8s %7s %7s %6s %7s", "PSNR dB", "SSIM", "SSIMp5", "pics", "smaller");
    std::printf("\n");
    for (const Row& r : rows) {
        std::printf("%-9s %-5s %-5s %9.2f %8.1f %8.0f", r.size.c_str(), r.codec.c_str(),
                    r.side.c_str(), r.fps, r.p95, r.kbps);
        if (qualityEvery > 0)
            std::printf(" %8.2f %7.4f %7.4f %6d %7d", charla::bench::mean(r.q.psnr),
                        charla::bench::mean(r.q.ssim), charla::bench::percentile(r.q.ssim, 5),
                        r.q.pairs, r.q.scaled);
        std::printf("\n");
    }
    if (qualityEvery > 0)
        std::printf("(PSNR/SSIM: received pictures against the frames sent, luma, 1 in %d "
                    "sampled by capture time; kbit/s: the sender's; smaller: pictures sent below "
                    "the source's size by VP8's size ladder, scaled up to compare)\n",
                    qualityEvery);
    return 0;
}

// Encryption's cost (issue 13): CPU per instance at 720p30, both directions, with TLS 1.3 (the
// default: every video.frame through TLS, the keys pinned) and with --allow-plaintext, the two
// alternated `rounds` times so that a change of the machine's load falls on both alike.
int runEncryptionCost(const std::string& self, int seconds, int rounds) {
    const int w = 1280, h = 720;
    std::printf("charla_video_bench --encryption: %dx%d @ 30 fps, test pattern, both directions, "
                "%d s per measurement, %d rounds, %u CPUs\n",
                w, h, seconds, rounds, std::thread::hardware_concurrency());
    // Per instance: CPU s/min, and CPU ms per frame it sent or showed (fair when a loaded
    // machine lowers the frame rate of one measurement).
    const auto perFrameMs = [](const std::map<std::string, double>& s) {
        return s.at("cpu") * 1000 / std::max(1.0, s.at("sent") + s.at("displayed"));
    };
    for (const char* codec : {"jpeg", "vp8"}) {
        std::vector<double> cpu[2], frameMs[2], p95[2], fps[2]; // [0] plain, [1] TLS
        for (int round = 0; round < rounds; ++round) {
            for (const bool plain : {true, false}) {
                const CharlaFigures c =
                    runCharla(self, w, h, seconds, {.codecs = codec, .plaintext = plain});
                if (c.a.empty() || c.b.empty()) {
                    std::printf("Charla instances gave no figures\n");
                    return 1;
                }
                const int m = plain ? 0 : 1;
                for (const auto* s : {&c.a, &c.b}) {
                    cpu[m].push_back(s->at("cpu") / s->at("window") * 60);
                    frameMs[m].push_back(perFrameMs(*s));
                    p95[m].push_back(s->at("p95"));
                    fps[m].push_back(s->at("displayed") / s->at("window"));
                }
                std::printf("%s round %d %-9s: CPU A %.2f / B %.2f s/min, %.2f / %.2f ms a frame "
                            "(sent or shown); received %.1f / %.1f fps; glass-to-glass p95 %.1f / "
                            "%.1f ms\n",
                            codec, round + 1, plain ? "plaintext" : "TLS",
                            c.a.at("cpu") / c.a.at("window") * 60,
                            c.b.at("cpu") / c.b.at("window") * 60, perFrameMs(c.a), perFrameMs(c.b),
                            c.a.at("displayed") / c.a.at("window"),
                            c.b.at("displayed") / c.b.at("window"), c.a.at("p95"), c.b.at("p95"));
                std::fflush(stdout);
            }
        }
        std::printf("%s median per instance: plaintext %.2f CPU s/min, %.2f ms a frame, %.1f fps, "
                    "p95 %.1f ms; TLS %.2f CPU s/min, %.2f ms a frame, %.1f fps, p95 %.1f ms; TLS "
                    "costs %+.1f %% CPU s/min, %+.1f %% a frame\n",
                    codec, median(cpu[0]), median(frameMs[0]), median(fps[0]), median(p95[0]),
                    median(cpu[1]), median(frameMs[1]), median(fps[1]), median(p95[1]),
                    (median(cpu[1]) / median(cpu[0]) - 1) * 100,
                    (median(frameMs[1]) / median(frameMs[0]) - 1) * 100);
    }
    return 0;
}

} // namespace

// Issue 15, "never in the way": a 720p VP8 call both ways, its received fps and glass-to-glass
// p95, with the files plugin idle and while A sends B a large file, alternated `rounds` times in
// one run; with `compare` (another build's bench/video directory: its charla_video_bench and
// plugins/) each round also moves the file between two instances of that build, so that a change
// is measured against the code before it under the same load.
int runWithTransfer(const std::string& self, int seconds, int rounds, const std::string& compare) {
    std::printf("charla_video_bench --with-transfer: 1280x720 VP8 both ways, %d s per "
                "measurement, %d rounds, %u CPUs\n",
                seconds, rounds, std::thread::hardware_concurrency());
    // Sparse: reading it costs no disk; big enough to be still moving when the window ends (1 GiB
    // was not: with blob answers it moves at ~80 MB/s and ended inside a 12 s window).
    char file[] = "/tmp/charla-bench-transfer-XXXXXX";
    const int fd = ::mkstemp(file);
    if (fd < 0 || ::ftruncate(fd, qint64(4) << 30) != 0) {
        std::printf("cannot make the file to send\n");
        return 1;
    }
    ::close(fd);
    struct Variant {
        Variant(std::string n, std::string bin, std::string dir)
            : name(std::move(n)), instance(std::move(bin)), pluginDir(std::move(dir)) {}
        std::string name, instance, pluginDir;    // pluginDir "": the instance's own
        std::vector<double> fps[2], p95[2], mbps; // [0] A (sends the file), [1] B
    };
    std::vector<Variant> variants{{"this build", self, ""}};
    if (!compare.empty())
        variants.emplace_back(compare, compare + "/charla_video_bench", compare + "/plugins");
    std::vector<double> idleP95[2];
    auto fps = [](const std::map<std::string, double>& s) {
        return s.at("displayed") / s.at("window");
    };
    for (int round = 0; round < rounds; ++round) {
        const CharlaFigures idle =
            runCharla(self, 1280, 720, seconds,
                      {.codecs = "vp8", .filesA = "idle", .filesB = "idle", .countWire = false});
        if (idle.a.empty() || idle.b.empty()) {
            std::printf("Charla instances gave no figures\n");
            ::unlink(file);
            return 1;
        }
        idleP95[0].push_back(idle.a.at("p95"));
        idleP95[1].push_back(idle.b.at("p95"));
        std::printf("round %d, no transfer: %.2f / %.2f fps, p95 %.2f / %.2f ms (A / B)\n",
                    round + 1, fps(idle.a), fps(idle.b), idle.a.at("p95"), idle.b.at("p95"));
        for (std::size_t i = 0; i < variants.size(); ++i) {
            // Alternate which variant follows the idle measurement.
            Variant& v = variants[(i + static_cast<std::size_t>(round)) % variants.size()];
            const CharlaFigures moving = runCharla(v.instance, 1280, 720, seconds,
                                                   {.codecs = "vp8",
                                                    .filesA = std::string("send:") + file,
                                                    .filesB = "receive",
                                                    .pluginDir = v.pluginDir,
                                                    .countWire = false});
            if (moving.a.empty() || moving.b.empty()) {
                std::printf("Charla instances gave no figures\n");
                ::unlink(file);
                return 1;
            }
            const double mbps = moving.b.at("file_bytes") / 1e6 / moving.b.at("window");
            std::printf("round %d, moving a file (%s): %.2f / %.2f fps, p95 %.2f / %.2f ms "
                        "(%+.1f / %+.1f %%), %.1f MB/s\n",
                        round + 1, v.name.c_str(), fps(moving.a), fps(moving.b), moving.a.at("p95"),
                        moving.b.at("p95"), 100 * (moving.a.at("p95") / idle.a.at("p95") - 1),
                        100 * (moving.b.at("p95") / idle.b.at("p95") - 1), mbps);
            for (int side = 0; side < 2; ++side) {
                const auto& with = side == 0 ? moving.a : moving.b;
                const auto& without = side == 0 ? idle.a : idle.b;
                v.fps[side].push_back(100 * (fps(with) / fps(without) - 1));
                v.p95[side].push_back(100 * (with.at("p95") / without.at("p95") - 1));
            }
            v.mbps.push_back(mbps);
        }
        std::fflush(stdout);
    }
    ::unlink(file);
    std::printf("no transfer: median p95 %.2f / %.2f ms (A / B)\n", median(idleP95[0]),
                median(idleP95[1]));
    for (const Variant& v : variants)
        std::printf("moving a file (%s), medians of %d rounds: fps %+.1f / %+.1f %%, "
                    "glass-to-glass p95 %+.1f / %+.1f %% (A sends, B receives), file %.1f MB/s\n",
                    v.name.c_str(), rounds, median(v.fps[0]), median(v.fps[1]), median(v.p95[0]),
                    median(v.p95[1]), median(v.mbps));
    return 0;
}

int main(int argc, char** argv) {
    if (!charla::test::setUpProcess())
        return 1;
    if (argc > 1 && std::string(argv[1]) == "--instance")
        return runInstance(argc, argv);
    if (argc > 1 && std::string(argv[1]) == "--stages")
        return runStages(argc > 3 ? std::atoi(argv[2]) : 1280, argc > 3 ? std::atoi(argv[3]) : 720,
                         300);
    int seconds = 20;
    int rounds = 3;
    int qualityEvery = 10; // --natural: 3 pictures a second each way
    bool natural = false, withTransfer = false, encryption = false;
    std::string video = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    std::string compare;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--seconds" && i + 1 < argc)
            seconds = std::max(3, std::atoi(argv[++i]));
        else if (a == "--video" && i + 1 < argc)
            video = argv[++i];
        else if (a == "--natural")
            natural = true;
        else if (a == "--with-transfer")
            withTransfer = true;
        else if (a == "--encryption")
            encryption = true;
        else if (a == "--rounds" && i + 1 < argc)
            rounds = std::max(1, std::atoi(argv[++i]));
        else if (a == "--compare" && i + 1 < argc)
            compare = argv[++i];
        else if (a == "--quality-every" && i + 1 < argc)
            qualityEvery = std::max(0, std::atoi(argv[++i]));
    }
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    if (withTransfer)
        return runWithTransfer(self, seconds, rounds, compare);
    if (encryption)
        return runEncryptionCost(self, seconds, rounds);
    return natural ? runNatural(self, seconds, video, qualityEvery) : runAll(self, seconds);
}
