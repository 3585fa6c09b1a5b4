#include "jpeg_codec.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>

namespace charla::video {

std::vector<std::uint8_t> encodeJpeg(const cv::Mat& bgr, int quality) {
    std::vector<std::uint8_t> out;
    const std::vector<int> params{cv::IMWRITE_JPEG_QUALITY, std::clamp(quality, 1, 100)};
    cv::imencode(".jpg", bgr, out, params);
    return out;
}

cv::Mat decodeJpeg(const std::vector<std::uint8_t>& jpeg) {
    if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        return {}; // not even a JPEG: do not let OpenCV guess another format
    try {
        return cv::imdecode(jpeg, cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        return {};
    }
}

std::optional<JpegSize> jpegDimensions(const std::uint8_t* data, std::size_t size) {
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return std::nullopt;
    std::size_t i = 2;
    while (i + 4 <= size) {
        if (data[i] != 0xFF)
            return std::nullopt;
        const std::uint8_t marker = data[i + 1];
        if (marker == 0xFF) { // fill byte
            ++i;
            continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            i += 2; // markers without a length
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA) // end of image / start of scan before any SOF
            return std::nullopt;
        const std::size_t length = (std::size_t(data[i + 2]) << 8) | data[i + 3];
        if (length < 2 || i + 2 + length > size)
            return std::nullopt;
        const bool sof =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            if (length < 7)
                return std::nullopt;
            JpegSize s;
            s.height = (int(data[i + 5]) << 8) | data[i + 6];
            s.width = (int(data[i + 7]) << 8) | data[i + 8];
            return s;
        }
        i += 2 + length;
    }
    return std::nullopt;
}

} // namespace charla::video
