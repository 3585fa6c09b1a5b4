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

namespace charla::video {

struct VideoCounters;

using ReceiveQueue = sdk::media::DropOldestQueue<WireFrame>;

class ReceiveStage {
public:
    ReceiveStage(VideoControls& controls, ReceiveQueue& queue);

    xmlrpc_c::value handleFrame(const xmlrpc_c::paramList& params);
    // A received frame refused for `error` (here, or later by the decoder).
    void countRejected(FrameError error);
    // The call ended: the next one starts a new sequence and a new late-frame baseline.
    void reset();
    void addTo(VideoCounters& counters) const;

private:
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
};

} // namespace charla::video
