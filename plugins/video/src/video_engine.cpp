#include "video_engine.h"

#include "video_logging.h"

#include <charla/sdk/fault.h>
#include <charla/sdk/media/pipeline_stats.h>
#include <charla/sdk/media/stats_fields.h>

namespace charla::video {

VideoEngine::VideoEngine(VideoConfig config)
    : controls_(std::move(config)), capture_(controls_, pictures_, sendQueue_,
                                             [this](bool working) { setSourceWorking(working); }),
      sender_(controls_, sendQueue_), receive_(controls_, receiveQueue_),
      decode_(controls_, pictures_, receiveQueue_, receive_) {}

VideoEngine::~VideoEngine() = default;

void VideoEngine::setConfig(const VideoConfig& config) {
    controls_.setConfig(config);
}

VideoConfig VideoEngine::config() const {
    return controls_.config();
}

bool VideoEngine::probe(std::string* error) {
    const VideoConfig cfg = config();
    std::string why;
    const bool ok = openSource(cfg.source, cfg.format, &why) != nullptr;
    controls_.setCanSend(ok);
    if (!ok)
        qCInfo(lcVideo).noquote() << "receive-only:" << QString::fromStdString(why);
    if (error)
        *error = why;
    return ok;
}

bool VideoEngine::canSend() const {
    return controls_.canSend();
}

bool VideoEngine::sourceWorking() const {
    return controls_.sourceWorking();
}

void VideoEngine::setSourceHealthListener(std::function<void(bool working)> listener) {
    controls_.setSourceHealthListener(std::move(listener));
}

void VideoEngine::setSourceWorking(bool working) {
    const auto listener = controls_.setSourceWorking(working);
    if (!listener)
        return; // no change
    qCInfo(lcVideo) << (working ? "the camera delivers again" : "the camera is gone; retrying");
    if (!working)
        pictures_.clear(PictureSlots::Slot::Local); // the self-view says so, not a frozen frame
    else
        pictures_.notify();
    if (*listener)
        (*listener)(working);
}

void VideoEngine::setCameraOn(bool on) {
    controls_.setCameraOn(on);
    if (!on)
        pictures_.clear(PictureSlots::Slot::Local);
    else
        pictures_.notify();
}

void VideoEngine::setCallActive(bool active) {
    if (!controls_.setCallActive(active))
        return;
    qCDebug(lcVideo) << "call" << (active ? "active" : "idle");
    if (active) {
        pictures_.notify();
        return;
    }
    // The next call starts from a black screen, not from the last picture of this one.
    sendQueue_.clear();
    receiveQueue_.clear();
    receive_.reset();
    pictures_.clearAll();
}

void VideoEngine::setPeerReceives(bool receives) {
    controls_.setPeerReceives(receives);
}

void VideoEngine::setPeerCamera(PeerCamera camera) {
    controls_.setPeerCamera(camera);
    if (camera != PeerCamera::On)
        pictures_.clear(PictureSlots::Slot::Remote);
    else
        pictures_.notify();
}

void VideoEngine::setStream(std::shared_ptr<sdk::PeerStream> stream,
                            std::shared_ptr<sdk::PeerStream> second) {
    controls_.setStream(std::move(stream), std::move(second));
}

void VideoEngine::setPeerParams(const std::map<std::string, std::string>* params) {
    const std::optional<Codec> codec = kCodecs.choose(config().codecs, params);
    if (codec != controls_.sendCodec())
        qCInfo(lcVideo) << "sending video as"
                        << (codec ? kCodecs.name(*codec).data() : "nothing (no codec in common)");
    controls_.setSendCodec(codec);
}

void VideoEngine::setTargetKbps(int kbps) {
    controls_.setTargetKbps(kbps);
}

void VideoEngine::runCapture(std::stop_token stop) {
    capture_.run(stop);
}

void VideoEngine::runSender(std::stop_token stop) {
    sender_.run(stop);
}

void VideoEngine::runDecoder(std::stop_token stop) {
    decode_.run(stop);
}

void VideoEngine::wake() {
    controls_.notify();
}

xmlrpc_c::value VideoEngine::handleFrame(const xmlrpc_c::paramList& params) {
    return receive_.handleFrame(params);
}

std::optional<VideoPicture> VideoEngine::remotePicture() const {
    return pictures_.picture(PictureSlots::Slot::Remote);
}

std::optional<VideoPicture> VideoEngine::localPicture() const {
    return pictures_.picture(PictureSlots::Slot::Local);
}

int VideoEngine::addFrameListener(std::function<void()> listener) {
    return pictures_.addListener(std::move(listener));
}

void VideoEngine::removeFrameListener(int id) {
    pictures_.removeListener(id);
}

void VideoEngine::recordPainted(double ts) {
    decode_.recordPainted(ts);
}

VideoCounters VideoEngine::counters() const {
    return sdk::media::gatherStats<VideoCounters>(capture_, sender_, receive_, decode_);
}

xmlrpc_c::value VideoEngine::handleStats(const xmlrpc_c::paramList& params) const {
    bool withHistogram = false;
    if (params.size() == 1 && params[0].type() == xmlrpc_c::value::TYPE_STRUCT) {
        const std::map<std::string, xmlrpc_c::value> m = xmlrpc_c::value_struct(params[0]);
        auto it = m.find("histogram");
        withHistogram = it != m.end() && it->second.type() == xmlrpc_c::value::TYPE_BOOLEAN &&
                        xmlrpc_c::value_boolean(it->second);
    } else if (params.size() != 0) {
        throw sdk::fault(sdk::kFaultBadParams, "video.stats takes no parameters or one struct");
    }
    const VideoCounters c = counters();
    auto num = [](std::uint64_t v) { return xmlrpc_c::value_double(static_cast<double>(v)); };
    std::map<std::string, xmlrpc_c::value> rejected;
    for (const auto& [error, count] : c.rejectedBy)
        rejected.emplace(toString(error), num(count));
    const sdk::media::LatencyBins handoff = handoffLatencyBins();
    const cv::Size remote = pictures_.remoteSize();
    sdk::media::StatsStruct m{
        {"captured", num(c.captured)},
        {"sent", num(c.sent)},
        {"send_failures", num(c.sendFailures)},
        {"send_rejected", num(c.sendRejected)},
        {"send_stale", num(c.sendStale)},
        {"send_queue_drops", num(c.sendQueueDrops)},
        {"received", num(c.received)},
        {"displayed", num(c.displayed)},
        {"receive_queue_drops", num(c.receiveQueueDrops)},
        {"out_of_order", num(c.outOfOrder)},
        {"late", num(c.late)},
        {"rejected", num(c.rejected)},
        {"rejected_by", xmlrpc_c::value_struct(rejected)},
        {"codec_out", xmlrpc_c::value_string(c.codecOut)},
        {"codec_in", xmlrpc_c::value_string(c.codecIn)},
        {"keyframes_sent", num(c.keyframesSent)},
        {"keyframe_requests_sent", num(c.keyframeRequestsSent)},
        {"keyframe_requests_received", num(c.keyframeRequestsReceived)},
        {"target_kbps", xmlrpc_c::value_int(c.targetKbps)},
        {"rate_cuts", num(c.rateCuts)},
        {"size_step", xmlrpc_c::value_int(c.sizeStep)},
        {"out_width", xmlrpc_c::value_int(c.sentWidth)},
        {"out_height", xmlrpc_c::value_int(c.sentHeight)},
        {"no_reference", num(c.noReference)},
        {"jpeg_bytes_sent", xmlrpc_c::value_double(c.jpegBytesSent)},
        {"jpeg_bytes_received", xmlrpc_c::value_double(c.jpegBytesReceived)},
        {"fps_out", xmlrpc_c::value_double(c.out.itemsPerSecond)},
        {"fps_in", xmlrpc_c::value_double(c.in.itemsPerSecond)},
        {"kbps_out", xmlrpc_c::value_double(c.out.kbps())},
        {"kbps_in", xmlrpc_c::value_double(c.in.kbps())},
        {"latency_out_ms", xmlrpc_c::value_double(c.out.meanLatencyMs)},
        {"latency_in_ms", xmlrpc_c::value_double(c.in.meanLatencyMs)},
        {"sending", xmlrpc_c::value_boolean(controls_.sending())},
        {"can_send", xmlrpc_c::value_boolean(canSend())},
        {"camera_on", xmlrpc_c::value_boolean(controls_.cameraOn())},
        {"peer_camera_off", xmlrpc_c::value_boolean(controls_.peerCamera() == PeerCamera::Off)},
        {"call_active", xmlrpc_c::value_boolean(controls_.callActive())},
        {"remote_width", xmlrpc_c::value_int(remote.width)},
        {"remote_height", xmlrpc_c::value_int(remote.height)},
    };
    sdk::media::putPercentiles(m, "latency", handoff);
    if (withHistogram) {
        auto array = [](const sdk::media::LatencyBins& bins) {
            std::vector<xmlrpc_c::value> out;
            out.reserve(bins.counts.size());
            for (auto b : bins.counts)
                out.push_back(xmlrpc_c::value_int(static_cast<int>(b)));
            return xmlrpc_c::value_array(out);
        };
        m.emplace("latency_bin_ms", xmlrpc_c::value_double(kLatencyBin.count()));
        m.emplace("latency_hist", array(handoff));
        m.emplace("painted_hist", array(paintedLatencyBins()));
    }
    return xmlrpc_c::value_struct(m);
}

} // namespace charla::video
