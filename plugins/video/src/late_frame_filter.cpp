#include "late_frame_filter.h"

namespace charla::video {

bool LateFrameFilter::accept(double transitMs) {
    if (!haveBaseline_ || transitMs < baseline_) {
        haveBaseline_ = true;
        baseline_ = transitMs;
    }
    if (transitMs - baseline_ <= kMaxExtraTransitMs) {
        lateInARow_ = 0;
        return true;
    }
    if (++lateInARow_ >= kRebaseAfter) {
        baseline_ = transitMs;
        lateInARow_ = 0;
        return true;
    }
    ++late_;
    return false;
}

void LateFrameFilter::reset() {
    haveBaseline_ = false;
    lateInARow_ = 0;
}

} // namespace charla::video
