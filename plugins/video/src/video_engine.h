// The video pipeline without any window, so tests and the benchmark drive it headless:
//
//   capture thread: grabs continuously, keeps the newest -> send queue (2, drop oldest)
//   sender thread:  newest frame -> JPEG -> video.frame on the plugin's own PeerStream
//   server thread:  video.frame handler validates -> receive queue (2, drop oldest), returns
//   decode thread:  newest JPEG -> BGR -> the "remote" latest-picture slot -> listeners (GUI)
//
// Every hop keeps only the newest item or has a bound of two, so latency cannot accumulate
// whatever the network does. The three workers are registered with the Channel, which starts,
// stops and joins them; they all return promptly once their stop_token fires.
#pragma once

#include "frame_queue.h"
#include "late_frame_filter.h"
#include "video_source.h"
#include "video_stats.h"
#include "video_wire.h"

#include <charla/sdk/channel.h>

#include <opencv2/core/mat.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

namespace charla::video {

struct VideoConfig {
    SourceSpec source;
    CaptureFormat format;
    int quality = 75; // JPEG quality 1..100
    bool operator==(const VideoConfig&) const = default;
};

// One picture ready for the GUI: 8-bit BGR (QImage::Format_BGR888 shows it without a copy).
struct VideoPicture {
    cv::Mat bgr;
    std::uint64_t seq = 0; // increases with every new picture in the slot
    double ts = 0;         // capture time, ms since the Unix epoch
};

struct VideoCounters {
    std::uint64_t captured = 0;
    std::uint64_t sent = 0;         // calls the peer accepted
    std::uint64_t sendFailures = 0; // timeouts, unreachable, bad responses
    std::uint64_t sendRejected = 0; // the peer answered with a fault
    std::uint64_t sendStale = 0;    // too old to send by the time the sender got to it
    std::uint64_t sendQueueDrops = 0;
    std::uint64_t received = 0;  // accepted by the handler
    std::uint64_t displayed = 0; // decoded and handed to the GUI
    std::uint64_t receiveQueueDrops = 0;
    std::uint64_t outOfOrder = 0;
    std::uint64_t late = 0;     // abandoned by the sender long ago (see LateFrameFilter)
    std::uint64_t rejected = 0; // sum of rejectedBy
    std::map<FrameError, std::uint64_t> rejectedBy;
    double jpegBytesSent = 0;
    double jpegBytesReceived = 0;
    RateFigures out; // latency: capture to the peer's answer
    RateFigures in;  // latency: capture to hand-off to the GUI
};

class VideoEngine {
public:
    // The call timeout of video.frame: a frame older than this is worthless anyway.
    static constexpr std::chrono::milliseconds kCallTimeout{500};
    // A captured frame older than this when the sender gets to it is dropped, not sent.
    static constexpr double kMaxSendAgeMs = 200;

    explicit VideoEngine(VideoConfig config = {});
    ~VideoEngine();
    VideoEngine(const VideoEngine&) = delete;
    VideoEngine& operator=(const VideoEngine&) = delete;

    // --- control (any thread; the plugin calls them on the GUI thread) ---
    void setConfig(const VideoConfig& config); // the capture thread reopens the source
    VideoConfig config() const;
    // Opens and closes the configured source once: whether this side can send at all.
    bool probe(std::string* error = nullptr);
    bool canSend() const;
    // False while the capture thread cannot reopen a source that worked (a camera unplugged
    // mid-call); true again once it delivers a frame.
    bool sourceWorking() const;
    // Called on the capture thread when sourceWorking() changes; must only post work elsewhere.
    // Set before the workers start.
    void setSourceHealthListener(std::function<void(bool working)> listener);
    void setCameraOn(bool on);
    bool cameraOn() const;
    void setCallActive(bool active);
    bool callActive() const;
    void setPeerReceives(bool receives);
    // Whether the contact offers video at all (camera present and working): the panel says so.
    void setPeerSends(bool sends);
    bool peerSends() const;
    void setStream(std::shared_ptr<sdk::PeerStream> stream);
    // Whether frames go out right now: a source, camera on, active call, a peer that takes video.
    bool sending() const;

    // --- workers (registered with the Channel) ---
    void runCapture(std::stop_token stop);
    void runSender(std::stop_token stop);
    void runDecoder(std::stop_token stop);
    // Wakes every worker wait; the workers still return only on their stop_token.
    void wake();

    // --- server threads ---
    xmlrpc_c::value handleFrame(const xmlrpc_c::paramList& params);
    xmlrpc_c::value handleStats(const xmlrpc_c::paramList& params) const;

    // --- GUI ---
    std::optional<VideoPicture> remotePicture() const;
    std::optional<VideoPicture> localPicture() const;
    // Called on a worker thread whenever a new remote or local picture is ready; must only
    // post work elsewhere. Returns an id for removeFrameListener, after which it is never called.
    int addFrameListener(std::function<void()> listener);
    void removeFrameListener(int id);
    // The GUI painted the remote picture captured at `ts`.
    void recordPainted(double ts);

    VideoCounters counters() const;
    std::vector<std::uint32_t> handoffLatencyBins() const { return handoff_.bins(); }
    std::vector<std::uint32_t> paintedLatencyBins() const { return painted_.bins(); }

private:
    struct Captured {
        cv::Mat bgr;
        std::uint64_t seq = 0;
        double ts = 0;
    };
    struct Received {
        WireFrame frame;
    };

    bool captureWanted() const; // stateMutex_ held
    // Sleeps until `until` or a wake/stop; false when stopping.
    bool sleepUntil(std::stop_token& stop, std::chrono::steady_clock::time_point until);
    void publish(std::optional<VideoPicture>& slot, cv::Mat bgr, double ts);
    void notifyListeners();
    void countRejected(FrameError error);
    void setSourceWorking(bool working);

    mutable std::mutex stateMutex_;
    std::condition_variable_any stateChanged_;
    VideoConfig config_;
    std::uint64_t generation_ = 1; // bumped by setConfig
    bool canSend_ = false;
    bool cameraOn_ = true;
    bool callActive_ = false;
    bool peerReceives_ = false;
    bool peerSends_ = true;
    bool sourceWorking_ = true;
    std::function<void(bool)> sourceHealthListener_;
    std::shared_ptr<sdk::PeerStream> stream_;

    FrameQueue<Captured> sendQueue_{2};
    FrameQueue<Received> receiveQueue_{2};

    mutable std::mutex pictureMutex_;
    std::optional<VideoPicture> remote_;
    std::optional<VideoPicture> local_;
    std::uint64_t pictureSeq_ = 0;

    std::mutex listenersMutex_;
    std::map<int, std::function<void()>> listeners_;
    int nextListener_ = 1;

    mutable std::mutex receiveMutex_;
    bool haveLastSeq_ = false;
    std::int64_t lastSeq_ = 0;
    LateFrameFilter lateFilter_;

    mutable std::mutex countersMutex_;
    VideoCounters counters_;
    RateMeter outMeter_;
    RateMeter inMeter_;
    LatencyHistogram handoff_;
    LatencyHistogram painted_;
};

} // namespace charla::video
