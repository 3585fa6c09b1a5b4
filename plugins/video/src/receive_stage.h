// Receive: a video.frame call (server threads) -> validate -> drop stale and late frames ->
// the receive queue (2, drop oldest), returning at once; decoding is the decode stage's.
#pragma once

#include "late_frame_filter.h"
#include "video_controls.h"
#include "video_wire.h"

#include <charla/sdk/media/drop_oldest_queue.h>

#include <xmlrpc-c/base.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace charla::video {

struct VideoCounters;

using ReceiveQueue = sdk::media::DropOldestQueue<WireFrame>;

class ReceiveStage {
public:
    ReceiveStage(VideoControls& controls, ReceiveQueue& queue);

    xmlrpc_c::value handleFrame(const xmlrpc_c::paramList& params);
    // A received frame refused for `error` (here, or later by the decoder).
    void countRejected(FrameError error);
    // The decoder lost the VP8 chain at frame `seq`: the next answers ask the sender for a
    // keyframe, unless one newer than `seq` is already queued (never a second one for one loss).
    void requestKeyframe(std::int64_t seq);
    // A VP8 frame dropped because a frame before it was lost (not bad input: counted apart).
    void countUnreferenced();
    // The call ended: the next one starts a new sequence and a new late-frame baseline.
    void reset();
    void addTo(VideoCounters& counters) const;

private:
    void wantKeyframe(); // mutex_ held
    VideoControls& controls_;
    ReceiveQueue& queue_;

    mutable std::mutex mutex_;
    bool haveLastSeq_ = false;
    std::int64_t lastSeq_ = 0;
    LateFrameFilter lateFilter_;
    std::uint64_t received_ = 0;
    std::uint64_t outOfOrder_ = 0;
    std::uint64_t late_ = 0;
    std::uint64_t rejected_ = 0;
    std::map<FrameError, std::uint64_t> rejectedBy_;
    double jpegBytes_ = 0;
    // VP8: the chain of frames handed to the decoder, and the keyframe request in the answers.
    std::int64_t lastVp8Seq_ = -1; // the last VP8 frame queued; -1: none yet
    std::int64_t lastKeySeq_ = -1; // the last VP8 keyframe queued
    bool keyframeWanted_ = false;  // answers carry {keyframe: true} until one is queued
    // A delta frame that overtook its reference (two connections): queued right after it.
    std::optional<WireFrame> parked_;
    std::uint64_t keyframeRequests_ = 0;
    std::uint64_t noReference_ = 0;
    std::string codecIn_;
};

} // namespace charla::video
