// What video.stats reports (docs/protocol-video.md): each pipeline stage fills its part (addTo),
// VideoEngine::counters() gathers them.
#pragma once

#include "video_wire.h"

#include <charla/sdk/media/rate_meter.h>

#include <cstdint>
#include <map>
#include <string>

namespace charla::video {

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
    std::uint64_t keyframesSent = 0;            // VP8 keyframes encoded (the first one included)
    std::uint64_t keyframeRequestsReceived = 0; // answers that asked us for a keyframe
    std::uint64_t keyframeRequestsSent = 0;     // times this receiver asked for one
    std::uint64_t noReference = 0;              // VP8 frames dropped: a frame before them was lost
    int targetKbps = 0;                         // the VP8 encoder's target, 0 before VP8
    std::uint64_t rateCuts = 0;                 // times the link made the sender lower it
    int sizeStep = 0;  // VP8: steps below the source's size the rate made the sender take
    int sentWidth = 0; // size of the last frame sent (after any step down), 0 before any
    int sentHeight = 0;
    std::string codecOut;     // codec of the last frame sent, "" before any
    std::string codecIn;      // codec of the last frame received
    double jpegBytesSent = 0; // compressed bytes, whatever the codec (the name is the wire's)
    double jpegBytesReceived = 0;
    sdk::media::Rates out; // latency: capture to the peer's answer
    sdk::media::Rates in;  // latency: capture to hand-off to the GUI
};

} // namespace charla::video
