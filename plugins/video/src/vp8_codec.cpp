#include "vp8_codec.h"

#include "jpeg_codec.h" // soleOwner
#include "video_logging.h"

#include <opencv2/imgproc.hpp>

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace charla::video {

std::optional<Vp8FrameInfo> vp8FrameInfo(const std::uint8_t* data, std::size_t size) {
    // Frame tag (3 bytes, little endian): bit 0 is 0 for a keyframe; then, for keyframes only,
    // the start code 9d 01 2a and two 16-bit sizes (14 bits of pixels, 2 bits of scaling).
    if (!data || size < 3)
        return std::nullopt;
    Vp8FrameInfo info;
    info.keyframe = (data[0] & 1) == 0;
    if (!info.keyframe)
        return info;
    if (size < 10 || data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a)
        return std::nullopt;
    info.width = (data[6] | (data[7] << 8)) & 0x3fff;
    info.height = (data[8] | (data[9] << 8)) & 0x3fff;
    return info;
}

int defaultVp8BitrateKbps(int width, int height, int fps) {
    const double kbps = 0.072 * width * height * std::clamp(fps, 1, 60) / 1000.0;
    return std::clamp(static_cast<int>(std::lround(kbps)), 150, 4000);
}

// ---------------------------------------------------------------------------------------------

struct Vp8Encoder::State {
    vpx_codec_ctx_t codec{};
    vpx_codec_enc_cfg_t cfg{};
    int width = 0;
    int height = 0;
    int fps = 0;
    vpx_codec_pts_t pts = 0;
    cv::Mat i420;   // reused: (even height * 3 / 2) x even width
    cv::Mat padded; // reused: an odd-sized picture made even
    ~State() { vpx_codec_destroy(&codec); }
};

Vp8Encoder::Vp8Encoder(int cpuUsed) : cpuUsed_(cpuUsed) {}
Vp8Encoder::~Vp8Encoder() = default;

bool Vp8Encoder::open(int width, int height, int fps) {
    state_.reset();
    auto s = std::make_unique<State>();
    if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &s->cfg, 0) != VPX_CODEC_OK)
        return false;
    vpx_codec_enc_cfg_t& c = s->cfg;
    c.g_w = static_cast<unsigned>(width);
    c.g_h = static_cast<unsigned>(height);
    c.g_timebase = {1, 1000}; // pts in milliseconds of the sender's steady clock
    c.g_threads = 1;          // WebRTC: one encoder thread at 720p below 3 cores
    c.g_lag_in_frames = 0;    // every frame leaves the encoder at once
    c.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    c.g_pass = VPX_RC_ONE_PASS;
    c.rc_end_usage = VPX_CBR;
    c.rc_target_bitrate = static_cast<unsigned>(
        requestedKbps_ > 0 ? requestedKbps_ : defaultVp8BitrateKbps(width, height, fps));
    // WebRTC's realtime buffer model: a frame may overshoot a little, never stall the link.
    c.rc_min_quantizer = 2;
    c.rc_max_quantizer = 56;
    c.rc_undershoot_pct = 100;
    c.rc_overshoot_pct = 15;
    c.rc_buf_initial_sz = 500;
    c.rc_buf_optimal_sz = 600;
    c.rc_buf_sz = 1000;
    c.rc_dropframe_thresh = 0;   // the sender's queue drops frames, not the encoder
    c.kf_mode = VPX_KF_DISABLED; // keyframes at the start and when a receiver asks
    if (vpx_codec_enc_init(&s->codec, vpx_codec_vp8_cx(), &c, 0) != VPX_CODEC_OK) {
        qCWarning(lcVideo) << "vpx_codec_enc_init:" << vpx_codec_error(&s->codec);
        return false;
    }
    vpx_codec_control(&s->codec, VP8E_SET_CPUUSED, cpuUsed_);
    vpx_codec_control(&s->codec, VP8E_SET_STATIC_THRESHOLD, 1);
    vpx_codec_control(&s->codec, VP8E_SET_NOISE_SENSITIVITY, 0);
    vpx_codec_control(&s->codec, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION);
    s->width = width;
    s->height = height;
    s->fps = fps;
    state_ = std::move(s);
    keyframeWanted_ = true;
    return true;
}

bool Vp8Encoder::encode(const cv::Mat& bgrIn, int fps, std::vector<std::uint8_t>& out,
                        bool* keyframe) {
    out.clear();
    if (keyframe)
        *keyframe = false;
    if (bgrIn.empty() || bgrIn.type() != CV_8UC3)
        return false;
    const int width = bgrIn.cols;
    const int height = bgrIn.rows;
    fps = std::clamp(fps, 1, 120);
    if (!state_ || state_->width != width || state_->height != height || state_->fps != fps) {
        if (!open(width, height, fps))
            return false;
    }
    State& s = *state_;
    // I420 planes have even sizes: an odd picture is converted with its last column or row
    // repeated, and the encoder is told the real size (d_w, d_h), which the keyframe carries.
    if ((width | height) & 1) {
        cv::copyMakeBorder(bgrIn, s.padded, 0, height & 1, 0, width & 1, cv::BORDER_REPLICATE);
        cv::cvtColor(s.padded, s.i420, cv::COLOR_BGR2YUV_I420);
    } else {
        cv::cvtColor(bgrIn, s.i420, cv::COLOR_BGR2YUV_I420);
    }
    // Wrapped at the even size (the buffer's strides), then narrowed to the picture's own size:
    // vpx_img_wrap() of an odd size would take the odd width as the stride.
    vpx_image_t img;
    vpx_img_wrap(&img, VPX_IMG_FMT_I420, static_cast<unsigned>(s.i420.cols),
                 static_cast<unsigned>(s.i420.rows * 2 / 3), 1, s.i420.data);
    vpx_img_set_rect(&img, 0, 0, static_cast<unsigned>(width), static_cast<unsigned>(height));
    const vpx_enc_frame_flags_t flags = keyframeWanted_ ? VPX_EFLAG_FORCE_KF : 0;
    const auto duration = static_cast<unsigned long>(1000 / fps);
    if (vpx_codec_encode(&s.codec, &img, s.pts, duration, flags, VPX_DL_REALTIME) != VPX_CODEC_OK) {
        qCWarning(lcVideo) << "vpx_codec_encode:" << vpx_codec_error(&s.codec);
        return false;
    }
    s.pts += static_cast<vpx_codec_pts_t>(duration);
    bool key = false;
    vpx_codec_iter_t it = nullptr;
    while (const vpx_codec_cx_pkt_t* pkt = vpx_codec_get_cx_data(&s.codec, &it)) {
        if (pkt->kind != VPX_CODEC_CX_FRAME_PKT)
            continue;
        const auto* p = static_cast<const std::uint8_t*>(pkt->data.frame.buf);
        out.insert(out.end(), p, p + pkt->data.frame.sz);
        key = key || (pkt->data.frame.flags & VPX_FRAME_IS_KEY);
    }
    if (out.empty())
        return false;
    if (key) {
        keyframeWanted_ = false;
        ++keyframes_;
    }
    if (keyframe)
        *keyframe = key;
    return true;
}

void Vp8Encoder::setBitrateKbps(int kbps) {
    requestedKbps_ = std::max(kbps, 0);
    if (!state_)
        return;
    State& s = *state_;
    s.cfg.rc_target_bitrate = static_cast<unsigned>(
        requestedKbps_ > 0 ? requestedKbps_ : defaultVp8BitrateKbps(s.width, s.height, s.fps));
    if (vpx_codec_enc_config_set(&s.codec, &s.cfg) != VPX_CODEC_OK)
        qCWarning(lcVideo) << "vpx_codec_enc_config_set:" << vpx_codec_error(&s.codec);
}

int Vp8Encoder::bitrateKbps() const {
    return state_ ? static_cast<int>(state_->cfg.rc_target_bitrate) : requestedKbps_;
}

// ---------------------------------------------------------------------------------------------

struct Vp8Decoder::State {
    vpx_codec_ctx_t codec{};
    bool open = false;
    cv::Mat i420; // contiguous copy of the decoder's planes (even sizes), reused
    ~State() {
        if (open)
            vpx_codec_destroy(&codec);
    }
};

Vp8Decoder::Vp8Decoder() : state_(std::make_unique<State>()) {}
Vp8Decoder::~Vp8Decoder() = default;

Vp8Decoder::Status Vp8Decoder::decode(const std::uint8_t* data, std::size_t size, cv::Mat& bgr) {
    const std::optional<Vp8FrameInfo> info = vp8FrameInfo(data, size);
    if (!info) {
        haveReference_ = false;
        return Status::Corrupt;
    }
    if (!info->keyframe && !haveReference_)
        return Status::NeedKeyframe;
    if (info->keyframe && (info->width < 1 || info->height < 1 || info->width > kMaxSide ||
                           info->height > kMaxSide)) {
        haveReference_ = false;
        return Status::BadSize;
    }
    State& s = *state_;
    if (!s.open) {
        vpx_codec_dec_cfg_t cfg{};
        cfg.threads = 1;
        if (vpx_codec_dec_init(&s.codec, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK)
            return Status::Corrupt;
        s.open = true;
    }
    // A decoder that failed is recreated from the next keyframe: no state from a broken stream.
    auto fail = [&] {
        vpx_codec_destroy(&s.codec);
        s.open = false;
        haveReference_ = false;
        return Status::Corrupt;
    };
    if (vpx_codec_decode(&s.codec, data, static_cast<unsigned>(size), nullptr, 0) != VPX_CODEC_OK)
        return fail();
    int corrupted = 0;
    if (vpx_codec_control(&s.codec, VP8D_GET_FRAME_CORRUPTED, &corrupted) == VPX_CODEC_OK &&
        corrupted)
        return fail();
    vpx_codec_iter_t it = nullptr;
    const vpx_image_t* img = vpx_codec_get_frame(&s.codec, &it);
    if (!img || img->fmt != VPX_IMG_FMT_I420 || img->d_w < 1 || img->d_h < 1 ||
        img->d_w > static_cast<unsigned>(kMaxSide) || img->d_h > static_cast<unsigned>(kMaxSide))
        return fail();
    haveReference_ = true;

    const int w = static_cast<int>(img->d_w);
    const int h = static_cast<int>(img->d_h);
    const int ew = (w + 1) & ~1;
    const int eh = (h + 1) & ~1;
    s.i420.create(eh * 3 / 2, ew, CV_8UC1);
    std::uint8_t* dst = s.i420.data;
    for (int y = 0; y < eh; ++y) { // Y, an odd last row/column repeated
        const std::uint8_t* src =
            img->planes[VPX_PLANE_Y] +
            static_cast<std::ptrdiff_t>(std::min(y, h - 1)) * img->stride[VPX_PLANE_Y];
        std::memcpy(dst, src, static_cast<std::size_t>(w));
        if (ew != w)
            dst[w] = dst[w - 1];
        dst += ew;
    }
    for (int plane : {VPX_PLANE_U, VPX_PLANE_V})
        for (int y = 0; y < eh / 2; ++y) {
            std::memcpy(dst,
                        img->planes[plane] + static_cast<std::ptrdiff_t>(y) * img->stride[plane],
                        static_cast<std::size_t>(ew / 2));
            dst += ew / 2;
        }
    if (!bgr.empty() && !soleOwner(bgr))
        bgr.release(); // the GUI still paints it: decode into a new buffer
    if (ew == w && eh == h) {
        cv::cvtColor(s.i420, bgr, cv::COLOR_YUV2BGR_I420);
    } else {
        cv::Mat even;
        cv::cvtColor(s.i420, even, cv::COLOR_YUV2BGR_I420);
        even(cv::Rect(0, 0, w, h)).copyTo(bgr);
    }
    return Status::Ok;
}

} // namespace charla::video
