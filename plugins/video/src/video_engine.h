// The video pipeline without any window, so tests and the benchmark drive it headless:
//
//   capture thread: CaptureStage: grabs continuously, keeps the newest -> send queue (2, drop
//                   oldest)
//   sender thread:  SendStage: newest frame -> VP8/JPEG -> video.frame on the plugin's own
//                   PeerStreams (two calls in flight on two connections)
//   server thread:  ReceiveStage: video.frame validated -> receive queue (2, drop oldest), returns
//   decode thread:  DecodeStage: newest JPEG -> BGR -> the "remote" picture slot -> listeners (GUI)
//
// Every hop keeps only the newest item or has a bound of two, so latency cannot accumulate
// whatever the network does. The three workers are registered with the Channel, which starts,
// stops and joins them; they all return promptly once their stop_token fires. VideoControls holds
// what they obey; this class wires the stages together and answers the GUI and video.stats.
#pragma once

#include "capture_stage.h"
#include "decode_stage.h"
#include "picture_slots.h"
#include "receive_stage.h"
#include "send_stage.h"
#include "video_controls.h"
#include "video_source.h"
#include "video_stats.h"
#include "video_wire.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/media/latency_histogram.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

namespace charla::video {

class VideoEngine {
public:
    static constexpr std::chrono::milliseconds kCallTimeout = SendStage::kCallTimeout;
    static constexpr double kMaxSendAgeMs = SendStage::kMaxSendAgeMs;

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
    void setCallActive(bool active);
    void setPeerReceives(bool receives);
    // Whether the contact offers video at all (camera present and working): the panel says so.
    // Anything but On clears the contact's last picture (it would otherwise stay on screen as if
    // the contact had frozen); Off also keeps frames still on their way from being shown.
    void setPeerCamera(PeerCamera camera);
    // `second`: another connection to the peer, for a second frame in flight (may be null).
    void setStream(std::shared_ptr<sdk::PeerStream> stream,
                   std::shared_ptr<sdk::PeerStream> second = {});
    // The peer's video plugin params from host.hello (nullptr: none known): picks the codec frames
    // go out in, our first that the peer lists in "codecs" (JPEG for a peer that lists none).
    void setPeerParams(const std::map<std::string, std::string>* params);
    // The VP8 target bitrate in kbit/s, applied to the running encoder; 0 = the size's default.
    void setTargetKbps(int kbps);
    // What is on (camera, call, peer) and whether frames go out right now.
    const VideoControls& controls() const { return controls_; }

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
    sdk::media::LatencyBins handoffLatencyBins() const { return decode_.handoff().snapshot(); }
    sdk::media::LatencyBins paintedLatencyBins() const { return decode_.painted().snapshot(); }

private:
    void setSourceWorking(bool working);

    VideoControls controls_;
    PictureSlots pictures_;
    SendQueue sendQueue_{2};
    ReceiveQueue receiveQueue_{2};
    // The pipeline's stages (see the top of this file).
    CaptureStage capture_;
    SendStage sender_;
    ReceiveStage receive_;
    DecodeStage decode_;
};

} // namespace charla::video
