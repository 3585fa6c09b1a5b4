#include "receive_stage.h"

#include "video_stats.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/fault.h>
#include <charla/sdk/media/clocks.h>

#include <string>

namespace charla::video {

ReceiveStage::ReceiveStage(VideoControls& controls, ReceiveQueue& queue)
    : controls_(controls), queue_(queue) {}

void ReceiveStage::countRejected(FrameError error) {
    std::lock_guard lock(mutex_);
    ++rejected_;
    ++rejectedBy_[error];
}

void ReceiveStage::countUnreferenced() {
    std::lock_guard lock(mutex_);
    ++noReference_;
}

void ReceiveStage::requestKeyframe(std::int64_t seq) {
    std::lock_guard lock(mutex_);
    if (lastKeySeq_ > seq)
        return; // a keyframe after the lost frame is already on its way to the decoder
    wantKeyframe();
}

void ReceiveStage::wantKeyframe() {
    if (!keyframeWanted_)
        ++keyframeRequests_;
    keyframeWanted_ = true;
}

void ReceiveStage::reset() {
    std::lock_guard lock(mutex_);
    haveLastSeq_ = false;
    lateFilter_.reset();
    lastVp8Seq_ = -1;
    lastKeySeq_ = -1;
    keyframeWanted_ = false;
    parked_.reset();
}

xmlrpc_c::value ReceiveStage::handleFrame(const xmlrpc_c::paramList& params) {
    WireFrame frame;
    const FrameError error = parseFrame(params, &frame);
    if (error != FrameError::None) {
        countRejected(error);
        throw sdk::fault(faultCodeFor(error), std::string("video.frame: ") + toString(error));
    }
    if (!controls_.callActive())
        throw sdk::fault(sdk::kFaultUnavailable, "video.frame: no active call");
    const std::int32_t seq = frame.seq;
    std::map<std::string, xmlrpc_c::value> result{{"seq", xmlrpc_c::value_int(seq)}};
    {
        // A frame older than one already taken (a call that overtook a timed-out one) is
        // stale; a much smaller number means the sender restarted its count.
        std::lock_guard lock(mutex_);
        if (haveLastSeq_ && seq <= lastSeq_ && lastSeq_ - seq < 1000) {
            ++outOfOrder_;
            result.emplace("stale", xmlrpc_c::value_boolean(true));
            return xmlrpc_c::value_struct(result);
        }
        if (parked_ && seq != parked_->prev) {
            // The frame the parked one waited for did not come first: it is lost.
            parked_.reset();
            ++noReference_;
            wantKeyframe();
        }
        // Two calls in flight travel on two connections: a VP8 delta frame whose reference is
        // newer than the last frame queued may have overtaken it. It waits (one frame at most)
        // for that frame instead of costing a keyframe.
        if (frame.codec == Codec::Vp8 && !frame.keyframe && !keyframeWanted_ && lastVp8Seq_ >= 0 &&
            frame.prev > lastVp8Seq_ && frame.prev - lastVp8Seq_ < 1000 && !parked_) {
            parked_ = std::move(frame);
            return xmlrpc_c::value_struct(result);
        }
        haveLastSeq_ = true;
        lastSeq_ = seq;
        if (!lateFilter_.accept(sdk::media::wallClockMs() - frame.ts)) {
            ++late_;
            result.emplace("stale", xmlrpc_c::value_boolean(true));
            return xmlrpc_c::value_struct(result);
        }
        codecIn_ = kCodecs.name(frame.codec);
        if (frame.codec == Codec::Vp8) {
            // A delta frame decodes only on top of the frame it names: one that refers to a
            // frame we never queued (lost to a timeout, refused, from before a plugin restart)
            // is dropped here, and so is every one after it until a keyframe comes.
            if (frame.keyframe) {
                lastKeySeq_ = seq;
                keyframeWanted_ = false;
            } else if (lastVp8Seq_ < 0 || frame.prev != lastVp8Seq_) {
                ++noReference_; // not bad input: the loss of another frame
                wantKeyframe();
                result.emplace("keyframe", xmlrpc_c::value_boolean(true));
                return xmlrpc_c::value_struct(result);
            }
            lastVp8Seq_ = seq;
        }
        // Queued under the lock: two calls in flight (two connections, two server threads)
        // must reach the decoder in the order the checks above took them.
        ++received_;
        jpegBytes_ += static_cast<double>(frame.data.size());
        if (frame.codec == Codec::Vp8 && keyframeWanted_)
            result.emplace("keyframe", xmlrpc_c::value_boolean(true));
        queue_.push(std::move(frame));
        if (parked_) { // it waited for the frame just queued
            haveLastSeq_ = true;
            lastSeq_ = parked_->seq;
            lastVp8Seq_ = parked_->seq;
            ++received_;
            jpegBytes_ += static_cast<double>(parked_->data.size());
            queue_.push(std::move(*parked_));
            parked_.reset();
        }
    }
    return xmlrpc_c::value_struct(result);
}

void ReceiveStage::addTo(VideoCounters& c) const {
    c.receiveQueueDrops = queue_.dropped();
    std::lock_guard lock(mutex_);
    c.received = received_;
    c.outOfOrder = outOfOrder_;
    c.late = late_;
    c.rejected = rejected_;
    c.rejectedBy = rejectedBy_;
    c.jpegBytesReceived = jpegBytes_;
    c.keyframeRequestsSent = keyframeRequests_;
    c.noReference = noReference_;
    c.codecIn = codecIn_;
}

} // namespace charla::video
