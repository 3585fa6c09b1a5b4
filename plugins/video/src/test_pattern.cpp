#include "test_pattern.h"

#include "jpeg_codec.h" // soleOwner

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace charla::video {

namespace {

constexpr int kBits = 32;

int stripHeight(int height) {
    return std::max(8, height / 12);
}

cv::Rect bitCell(int width, int height, int bit) {
    const int x0 = bit * width / kBits;
    const int x1 = (bit + 1) * width / kBits;
    return {x0, 0, x1 - x0, stripHeight(height)};
}

} // namespace

cv::Rect TestPattern::colourBar(int width, int height, int index) {
    const int h = std::max(8, height / 8);
    const int x0 = index * width / 4;
    const int x1 = (index + 1) * width / 4;
    return {x0, height - h, x1 - x0, h};
}

cv::Scalar TestPattern::colourOf(int index) {
    static const cv::Scalar colours[4] = {{0, 0, 255}, {0, 255, 0}, {255, 0, 0}, {255, 255, 255}};
    return colours[index & 3];
}

TestPattern::TestPattern(int width, int height)
    : width_(std::max(64, width)), height_(std::max(48, height)) {
    background_.create(height_, width_, CV_8UC3);
    for (int y = 0; y < height_; ++y) {
        auto* row = background_.ptr<cv::Vec3b>(y);
        for (int x = 0; x < width_; ++x)
            row[x] = cv::Vec3b(static_cast<uchar>(40 + 60 * x / width_),
                               static_cast<uchar>(40 + 40 * y / height_), 50);
    }
    for (int i = 0; i < 4; ++i)
        cv::rectangle(background_, colourBar(width_, height_, i), colourOf(i), cv::FILLED);
}

cv::Mat TestPattern::render(std::uint32_t n, std::chrono::system_clock::time_point now) {
    // A buffer nobody else holds any more, else a new one (the pool stays at the handful of
    // frames in flight: the self-view, the send queue, the sender).
    Buffer* buffer = nullptr;
    for (auto& b : pool_)
        if (soleOwner(b.frame)) {
            buffer = &b;
            break;
        }
    if (!buffer) {
        constexpr std::size_t kMaxPool = 8;
        if (pool_.size() >= kMaxPool)
            pool_.erase(pool_.begin()); // a caller hoards frames: stop tracking the oldest
        pool_.push_back({background_.clone(), {}});
        buffer = &pool_.back();
    }
    cv::Mat& frame = buffer->frame;
    for (const cv::Rect& r : buffer->dirty)
        background_(r).copyTo(frame(r));
    buffer->dirty.clear();
    const cv::Rect all(0, 0, width_, height_);

    for (int bit = 0; bit < kBits; ++bit) {
        const bool one = (n >> (kBits - 1 - bit)) & 1u;
        cv::rectangle(frame, bitCell(width_, height_, bit),
                      one ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0), cv::FILLED);
    }
    // The square crosses the picture in about two seconds at 30 fps and bounces back.
    const int side = std::max(8, height_ / 5);
    const int travel = std::max(1, width_ - side);
    const int phase = static_cast<int>((n * 8u) % static_cast<unsigned>(2 * travel));
    const int x = phase < travel ? phase : 2 * travel - phase;
    const int y = height_ / 2 - side / 2;
    const cv::Rect square(x, y, side, side);
    cv::rectangle(frame, square, cv::Scalar(0, 220, 255), cv::FILLED);
    buffer->dirty.push_back(square & all);

    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char text[64];
    std::snprintf(text, sizeof text, "#%u  %02d:%02d:%02d.%03d", n, tm.tm_hour, tm.tm_min,
                  tm.tm_sec, static_cast<int>(ms.count() % 1000));
    const double scale = std::max(0.4, height_ / 480.0);
    const int thickness = std::max(1, static_cast<int>(2 * scale));
    const int textY = stripHeight(height_) + static_cast<int>(36 * scale);
    const cv::Point origin(width_ / 20, textY);
    cv::putText(frame, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255),
                thickness, cv::LINE_AA);
    // What putText may have touched: the text box, grown by the stroke and anti-aliasing.
    int baseline = 0;
    const cv::Size box =
        cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
    const int margin = thickness + 4;
    const cv::Rect touched(origin.x - margin, origin.y - box.height - margin,
                           box.width + 2 * margin, box.height + baseline + 2 * margin);
    buffer->dirty.push_back(touched & all);
    return frame;
}

std::optional<std::uint32_t> TestPattern::readCounter(const cv::Mat& bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3 || bgr.cols < 64 || bgr.rows < 48)
        return std::nullopt;
    std::uint32_t n = 0;
    for (int bit = 0; bit < kBits; ++bit) {
        cv::Rect cell = bitCell(bgr.cols, bgr.rows, bit);
        // Sample the middle of the cell, away from JPEG ringing at its edges.
        cell = cv::Rect(cell.x + cell.width / 4, cell.y + cell.height / 4,
                        std::max(1, cell.width / 2), std::max(1, cell.height / 2));
        const cv::Scalar mean = cv::mean(bgr(cell));
        const double level = (mean[0] + mean[1] + mean[2]) / 3;
        if (level > 60 && level < 195)
            return std::nullopt; // neither black nor white: not our pattern
        n = (n << 1) | (level >= 195 ? 1u : 0u);
    }
    return n;
}

} // namespace charla::video
