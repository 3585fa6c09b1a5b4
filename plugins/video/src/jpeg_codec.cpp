#include "jpeg_codec.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <atomic>
#include <csetjmp>
#include <cstdio> // jpeglib.h needs FILE

#include <jpeglib.h>

namespace charla::video {

namespace {

// libjpeg reports fatal errors through error_exit, which must not return: jump back to the
// call that started the work (no C++ object with a destructor lives between the two).
struct ErrorManager {
    jpeg_error_mgr pub{};
    std::jmp_buf jump{};
};

[[noreturn]] void errorExit(j_common_ptr cinfo) {
    std::longjmp(reinterpret_cast<ErrorManager*>(cinfo->err)->jump, 1);
}

void silentMessage(j_common_ptr) {} // warnings (e.g. a truncated picture) are not printed

void installErrorManager(ErrorManager& err) {
    jpeg_std_error(&err.pub);
    err.pub.error_exit = &errorExit;
    err.pub.output_message = &silentMessage;
}

} // namespace

bool soleOwner(const cv::Mat& m) {
    // Only the caller's own reference can be left at 1: nobody else can add one concurrently.
    return m.u && std::atomic_ref<int>(m.u->refcount).load(std::memory_order_acquire) == 1;
}

void doneReading(const cv::Mat& m) {
    if (m.u) // adds nothing: only the release ordering matters
        std::atomic_ref<int>(m.u->refcount).fetch_add(0, std::memory_order_release);
}

// --- encoder ---------------------------------------------------------------------------------

struct JpegEncoder::State {
    jpeg_compress_struct cinfo{};
    ErrorManager err;
    jpeg_destination_mgr dest{};
    std::vector<std::uint8_t> buffer; // grows as needed and stays at its largest size
    std::vector<JSAMPROW> rows;

    State() {
        installErrorManager(err);
        cinfo.err = &err.pub;
        jpeg_create_compress(&cinfo);
        dest.init_destination = [](j_compress_ptr c) {
            State* s = fromDest(c);
            if (s->buffer.size() < 64 * 1024)
                s->buffer.resize(64 * 1024);
            c->dest->next_output_byte = s->buffer.data();
            c->dest->free_in_buffer = s->buffer.size();
        };
        dest.empty_output_buffer = [](j_compress_ptr c) -> boolean {
            // The whole buffer is full: double it and go on behind the old end.
            State* s = fromDest(c);
            const std::size_t used = s->buffer.size();
            s->buffer.resize(used * 2);
            c->dest->next_output_byte = s->buffer.data() + used;
            c->dest->free_in_buffer = s->buffer.size() - used;
            return TRUE;
        };
        dest.term_destination = [](j_compress_ptr) {};
        cinfo.dest = &dest;
        cinfo.client_data = this;
    }
    ~State() { jpeg_destroy_compress(&cinfo); }
    static State* fromDest(j_compress_ptr c) { return static_cast<State*>(c->client_data); }

    // Returns the number of bytes written to `buffer`, 0 on a libjpeg error.
    std::size_t run(const cv::Mat& image, int quality) {
        if (setjmp(err.jump)) {
            jpeg_abort_compress(&cinfo);
            return 0;
        }
        cinfo.image_width = static_cast<JDIMENSION>(image.cols);
        cinfo.image_height = static_cast<JDIMENSION>(image.rows);
        cinfo.input_components = image.channels();
        cinfo.in_color_space = image.channels() == 3 ? JCS_EXT_BGR : JCS_GRAYSCALE;
        jpeg_set_defaults(&cinfo); // baseline, Huffman tables not optimised, 4:2:0
        jpeg_set_quality(&cinfo, quality, TRUE);
        cinfo.dct_method = JDCT_IFAST;
        jpeg_start_compress(&cinfo, TRUE);
        while (cinfo.next_scanline < cinfo.image_height)
            jpeg_write_scanlines(&cinfo, rows.data() + cinfo.next_scanline,
                                 cinfo.image_height - cinfo.next_scanline);
        jpeg_finish_compress(&cinfo);
        return buffer.size() - dest.free_in_buffer;
    }
};

JpegEncoder::JpegEncoder() : state_(std::make_unique<State>()) {}

JpegEncoder::~JpegEncoder() = default;

bool JpegEncoder::encode(const cv::Mat& bgr, int quality, std::vector<std::uint8_t>& out) {
    out.clear();
    if (bgr.empty() || bgr.depth() != CV_8U || (bgr.channels() != 3 && bgr.channels() != 1) ||
        bgr.dims != 2 || bgr.cols > JPEG_MAX_DIMENSION || bgr.rows > JPEG_MAX_DIMENSION)
        return false;
    State& s = *state_;
    s.rows.resize(static_cast<std::size_t>(bgr.rows));
    for (int y = 0; y < bgr.rows; ++y)
        s.rows[static_cast<std::size_t>(y)] = const_cast<JSAMPROW>(bgr.ptr<JSAMPLE>(y));
    const std::size_t size = s.run(bgr, std::clamp(quality, 1, 100));
    if (!size)
        return false;
    out.assign(s.buffer.begin(), s.buffer.begin() + static_cast<std::ptrdiff_t>(size));
    return true;
}

// --- decoder ---------------------------------------------------------------------------------

struct JpegDecoder::State {
    jpeg_decompress_struct cinfo{};
    ErrorManager err;
    std::vector<JSAMPROW> rows;

    State() {
        installErrorManager(err);
        cinfo.err = &err.pub;
        jpeg_create_decompress(&cinfo);
    }
    ~State() { jpeg_destroy_decompress(&cinfo); }

    enum class Result { Ok, Failed, Unusual };

    // Decodes into `bgr`; Unusual for a colour space this fast path does not convert (CMYK...).
    Result run(const std::uint8_t* data, std::size_t size, cv::Mat& bgr) {
        if (setjmp(err.jump)) {
            jpeg_abort_decompress(&cinfo);
            return Result::Failed;
        }
        jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
        if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK || cinfo.image_width == 0 ||
            cinfo.image_height == 0 || cinfo.image_width > JDIMENSION(kMaxSide) ||
            cinfo.image_height > JDIMENSION(kMaxSide)) {
            jpeg_abort_decompress(&cinfo);
            return Result::Failed;
        }
        if (cinfo.jpeg_color_space != JCS_YCbCr && cinfo.jpeg_color_space != JCS_GRAYSCALE &&
            cinfo.jpeg_color_space != JCS_RGB) {
            jpeg_abort_decompress(&cinfo);
            return Result::Unusual;
        }
        cinfo.out_color_space = JCS_EXT_BGR;
        cinfo.dct_method = JDCT_IFAST;
        // Merged upsampling: chroma upsampling and colour conversion in one pass, no
        // interpolation (like jpegdec); against "fancy" the difference was within run-to-run noise.
        cinfo.do_fancy_upsampling = FALSE;
        cinfo.do_block_smoothing = FALSE;
        jpeg_start_decompress(&cinfo);
        const int w = static_cast<int>(cinfo.output_width);
        const int h = static_cast<int>(cinfo.output_height);
        if (!(bgr.rows == h && bgr.cols == w && bgr.type() == CV_8UC3 && soleOwner(bgr)))
            bgr.release(); // shared or another size: never write into someone else's picture
        bgr.create(h, w, CV_8UC3);
        rows.resize(static_cast<std::size_t>(h));
        for (int y = 0; y < h; ++y)
            rows[static_cast<std::size_t>(y)] = bgr.ptr<JSAMPLE>(y);
        while (cinfo.output_scanline < cinfo.output_height)
            jpeg_read_scanlines(&cinfo, rows.data() + cinfo.output_scanline,
                                cinfo.output_height - cinfo.output_scanline);
        jpeg_finish_decompress(&cinfo);
        return Result::Ok;
    }
};

JpegDecoder::JpegDecoder() : state_(std::make_unique<State>()) {}

JpegDecoder::~JpegDecoder() = default;

bool JpegDecoder::decode(const std::uint8_t* data, std::size_t size, cv::Mat& bgr) {
    if (!data || size < 4 || data[0] != 0xFF || data[1] != 0xD8) {
        bgr.release();
        return false; // not even a JPEG: do not let anything guess another format
    }
    switch (state_->run(data, size, bgr)) {
    case State::Result::Ok:
        return true;
    case State::Result::Failed:
        bgr.release();
        return false;
    case State::Result::Unusual:
        break;
    }
    // CMYK and other rarities from other implementations: OpenCV's general path.
    try {
        bgr =
            cv::imdecode(cv::Mat(1, static_cast<int>(size), CV_8U, const_cast<std::uint8_t*>(data)),
                         cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        bgr.release();
    }
    return !bgr.empty();
}

std::vector<std::uint8_t> encodeJpeg(const cv::Mat& bgr, int quality) {
    std::vector<std::uint8_t> out;
    JpegEncoder().encode(bgr, quality, out);
    return out;
}

cv::Mat decodeJpeg(const std::vector<std::uint8_t>& jpeg) {
    cv::Mat bgr;
    JpegDecoder().decode(jpeg.data(), jpeg.size(), bgr);
    return bgr;
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
