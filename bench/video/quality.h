// Picture quality for the video benchmarks: PSNR and SSIM of a decoded luma against its source's.
// Shared by charla_codec_bench (the codec alone, in one thread) and charla_video_bench (what a
// receiver actually shows, against the frame its peer captured), so both print the same measure.
#pragma once

#include <opencv2/core/mat.hpp>

#include <vector>

namespace charla::bench {

// The luma of an 8-bit BGR picture: the Y plane of cv::COLOR_BGR2YUV_I420 (BT.601, what the VP8
// encoder is fed), a new w x h 8-bit matrix.
cv::Mat luma(const cv::Mat& bgr);

// PSNR in dB of two 8-bit grey pictures of one size.
double psnr(const cv::Mat& a, const cv::Mat& b);

// SSIM of two 8-bit grey pictures of one size (Wang et al. 2004: 11x11 Gaussian window, sigma
// 1.5, the mean of the map).
double ssim(const cv::Mat& a, const cv::Mat& b);

double mean(const std::vector<double>& v);
// The p-th percentile (0..100) by nearest rank; 0 for none.
double percentile(std::vector<double> v, double p);

} // namespace charla::bench
