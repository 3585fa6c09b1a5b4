#include "quality.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace charla::bench {

cv::Mat luma(const cv::Mat& bgr) {
    cv::Mat yuv;
    cv::cvtColor(bgr, yuv, cv::COLOR_BGR2YUV_I420);
    return yuv.rowRange(0, bgr.rows).clone();
}

double psnr(const cv::Mat& a, const cv::Mat& b) {
    return cv::PSNR(a, b);
}

double ssim(const cv::Mat& a8, const cv::Mat& b8) {
    const double c1 = 6.5025, c2 = 58.5225; // (0.01 * 255)^2, (0.03 * 255)^2
    cv::Mat a, b;
    a8.convertTo(a, CV_32F);
    b8.convertTo(b, CV_32F);
    cv::Mat mua, mub, aa, bb, ab;
    const cv::Size win(11, 11);
    cv::GaussianBlur(a, mua, win, 1.5);
    cv::GaussianBlur(b, mub, win, 1.5);
    cv::GaussianBlur(a.mul(a), aa, win, 1.5);
    cv::GaussianBlur(b.mul(b), bb, win, 1.5);
    cv::GaussianBlur(a.mul(b), ab, win, 1.5);
    const cv::Mat mua2 = mua.mul(mua), mub2 = mub.mul(mub), muab = mua.mul(mub);
    const cv::Mat num = (2 * muab + c1).mul(2 * (ab - muab) + c2);
    const cv::Mat den = (mua2 + mub2 + c1).mul((aa - mua2) + (bb - mub2) + c2);
    cv::Mat map;
    cv::divide(num, den, map);
    return cv::mean(map)[0];
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v)
        s += x;
    return v.empty() ? 0 : s / static_cast<double>(v.size());
}

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

} // namespace charla::bench
