#include "video_engine.h"

#include "jpeg_codec.h"
#include "video_logging.h"

#include <algorithm>
#include <array>

namespace charla::video {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

VideoEngine::VideoEngine(VideoConfig config) : config_(std::move(config)) {}

VideoEngine::~VideoEngine() = default;

void VideoEngine::setConfig(const VideoConfig& config) {
    {
        std::lock_guard lock(stateMutex_);
        if (config == config_)
            return;
        config_ = config;
        ++generation_;
    }
    stateChanged_.notify_all();
}

VideoConfig VideoEngine::config() const {
    std::lock_guard lock(stateMutex_);
    return config_;
}

bool VideoEngine::probe(std::string* error) {
    const VideoConfig cfg = config();
    std::string why;
    const bool ok = openSource(cfg.source, cfg.format, &why) != nullptr;
    {
        std::lock_guard lock(stateMutex_);
        canSend_ = ok;
        sourceWorking_ = true; // a fresh start: the capture thread reports what follows
    }
    stateChanged_.notify_all();
    if (!ok)
        qCInfo(lcVideo).noquote() << "receive-only:" << QString::fromStdString(why);
    if (error)
        *error = why;
    return ok;
}

bool VideoEngine::canSend() const {
    std::lock_guard lock(stateMutex_);
    return canSend_;
}

bool VideoEngine::sourceWorking() const {
    std::lock_guard lock(stateMutex_);
    return sourceWorking_;
}

void VideoEngine::setSourceHealthListener(std::function<void(bool working)> listener) {
    std::lock_guard lock(stateMutex_);
    sourceHealthListener_ = std::move(listener);
}

void VideoEngine::setSourceWorking(bool working) {
    std::function<void(bool)> listener;
    {
        std::lock_guard lock(stateMutex_);
        if (sourceWorking_ == working)
            return;
        sourceWorking_ = working;
        listener = sourceHealthListener_;
    }
    qCInfo(lcVideo) << (working ? "the camera delivers again" : "the camera is gone; retrying");
    if (!working) {
        std::lock_guard lock(pictureMutex_);
        local_.reset(); // the self-view says so instead of freezing on the last frame
    }
    notifyListeners();
    if (listener)
        listener(working);
}

void VideoEngine::setCameraOn(bool on) {
    {
        std::lock_guard lock(stateMutex_);
        cameraOn_ = on;
    }
    stateChanged_.notify_all();
    if (!on) {
        std::lock_guard lock(pictureMutex_);
        local_.reset();
    }
    notifyListeners();
}

bool VideoEngine::cameraOn() const {
    std::lock_guard lock(stateMutex_);
    return cameraOn_;
}

void VideoEngine::setCallActive(bool active) {
    {
        std::lock_guard lock(stateMutex_);
        if (callActive_ == active)
            return;
        callActive_ = active;
    }
    stateChanged_.notify_all();
    if (!active) {
        // The next call starts from a black screen, not from the last picture of this one.
        sendQueue_.clear();
        receiveQueue_.clear();
        {
            std::lock_guard lock(pictureMutex_);
            remote_.reset();
            local_.reset();
        }
        std::lock_guard lock(receiveMutex_);
        haveLastSeq_ = false;
        lateFilter_.reset();
    }
    qCDebug(lcVideo) << "call" << (active ? "active" : "idle");
    notifyListeners();
}

bool VideoEngine::callActive() const {
    std::lock_guard lock(stateMutex_);
    return callActive_;
}

void VideoEngine::setPeerReceives(bool receives) {
    std::lock_guard lock(stateMutex_);
    peerReceives_ = receives;
}

void VideoEngine::setPeerSends(bool sends) {
    {
        std::lock_guard lock(stateMutex_);
        peerSends_ = sends;
    }
    if (!sends) {
        // Its last picture would otherwise stay on screen as if the contact had frozen.
        std::lock_guard lock(pictureMutex_);
        remote_.reset();
    }
    notifyListeners();
}

bool VideoEngine::peerSends() const {
    std::lock_guard lock(stateMutex_);
    return peerSends_;
}

void VideoEngine::setStream(std::shared_ptr<sdk::PeerStream> stream) {
    std::lock_guard lock(stateMutex_);
    stream_ = std::move(stream);
}

bool VideoEngine::sending() const {
    std::lock_guard lock(stateMutex_);
    return captureWanted() && peerReceives_ && stream_;
}

bool VideoEngine::captureWanted() const {
    return callActive_ && cameraOn_ && canSend_;
}

void VideoEngine::wake() {
    stateChanged_.notify_all();
}

bool VideoEngine::sleepUntil(std::stop_token& stop, Clock::time_point until) {
    std::unique_lock lock(stateMutex_);
    // Wakes early on stop only: a state change re-checks at the next loop turn anyway.
    stateChanged_.wait_until(lock, stop, until, [] { return false; });
    return !stop.stop_requested();
}

void VideoEngine::runCapture(std::stop_token stop) {
    std::unique_ptr<VideoSource> source;
    std::uint64_t openedGeneration = 0;
    std::uint64_t seq = 0;
    bool warned = false;
    bool delivered = false; // the open source has given a frame
    Clock::time_point nextDue = Clock::now();
    while (!stop.stop_requested()) {
        VideoConfig cfg;
        std::uint64_t generation = 0;
        {
            std::unique_lock lock(stateMutex_);
            if (!captureWanted()) {
                if (source) {
                    source.reset(); // release the camera while it is not needed
                    qCDebug(lcVideo) << "capture paused";
                }
                stateChanged_.wait_for(lock, stop, 250ms, [&] { return captureWanted(); });
                continue;
            }
            cfg = config_;
            generation = generation_;
        }
        if (!source || generation != openedGeneration) {
            source.reset();
            std::string error;
            source = openSource(cfg.source, cfg.format, &error);
            openedGeneration = generation;
            if (!source) {
                if (!warned)
                    qCWarning(lcVideo).noquote() << QString::fromStdString(error);
                warned = true;
                setSourceWorking(false);
                sleepUntil(stop, Clock::now() + 1s);
                continue;
            }
            warned = false;
            delivered = false;
            nextDue = Clock::now();
        }
        const auto period = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(1.0 / std::clamp(cfg.format.fps, 1, 120)));
        if (!source->live()) {
            // Files and the test pattern would run as fast as the CPU allows: pace them.
            if (!sleepUntil(stop, nextDue))
                break;
            nextDue = std::max(nextDue + period, Clock::now() - period);
        }
        cv::Mat frame;
        if (!source->read(frame)) {
            qCWarning(lcVideo) << "the camera stopped delivering frames; reopening";
            source.reset();
            sleepUntil(stop, Clock::now() + 500ms);
            continue;
        }
        const double ts = epochMs();
        if (!delivered) {
            delivered = true;
            setSourceWorking(true);
        }
        if (source->live()) {
            // Keep grabbing at the device's pace (never let its buffers go stale) but pass on
            // only the configured rate; a quarter period of slack absorbs jitter.
            const auto now = Clock::now();
            if (now + period / 4 < nextDue)
                continue;
            nextDue = std::max(nextDue + period, now - period);
        }
        {
            std::lock_guard lock(countersMutex_);
            ++counters_.captured;
        }
        publish(local_, frame, ts);
        sendQueue_.push({frame, ++seq, ts});
    }
}

void VideoEngine::runSender(std::stop_token stop) {
    std::uint64_t failures = 0;
    JpegEncoder encoder;
    std::vector<std::uint8_t> jpeg; // its capacity is reused from frame to frame
    while (!stop.stop_requested()) {
        std::optional<Captured> frame = sendQueue_.popLatest(stop, 200ms);
        if (!frame)
            continue;
        std::shared_ptr<sdk::PeerStream> stream;
        int quality = 75;
        {
            std::lock_guard lock(stateMutex_);
            if (!(captureWanted() && peerReceives_ && stream_))
                continue; // no call, camera off, or a peer without video: drop
            stream = stream_;
            quality = config_.quality;
        }
        if (epochMs() - frame->ts > kMaxSendAgeMs) {
            std::lock_guard lock(countersMutex_);
            ++counters_.sendStale;
            continue;
        }
        if (!encoder.encode(frame->bgr, quality, jpeg))
            continue;
        const int width = frame->bgr.cols;
        const int height = frame->bgr.rows;
        frame->bgr.release(); // back to the capture side's pool before the call's round trip
        const auto seq = static_cast<std::int32_t>(frame->seq & 0x7FFFFFFF);
        const xmlrpc_c::paramList params = frameParams(seq, frame->ts, width, height, jpeg);
        try {
            stream->call(kFrameMethod, params, kCallTimeout);
            const double latency = epochMs() - frame->ts;
            outMeter_.add(jpeg.size(), latency);
            std::lock_guard lock(countersMutex_);
            ++counters_.sent;
            counters_.jpegBytesSent += static_cast<double>(jpeg.size());
            failures = 0;
        } catch (const sdk::PeerCallError& e) {
            using Kind = sdk::PeerCallError::Kind;
            if (e.kind() == Kind::Interrupted)
                return; // the plugin is being stopped
            {
                std::lock_guard lock(countersMutex_);
                if (e.kind() == Kind::Fault)
                    ++counters_.sendRejected;
                else
                    ++counters_.sendFailures;
            }
            if (failures++ % 100 == 0)
                qCDebug(lcVideo) << "video.frame failed:" << e.what();
            // An unreachable peer fails at once: do not spin, try again with a newer frame.
            if (e.kind() == Kind::Unreachable)
                sleepUntil(stop, Clock::now() + 100ms);
        }
    }
}

void VideoEngine::runDecoder(std::stop_token stop) {
    JpegDecoder decoder;
    // Decoded pictures go to the GUI, which may hold one while it paints; a buffer is decoded
    // into again only once nobody else holds it (the decoder allocates a new one otherwise).
    std::array<cv::Mat, 3> pool;
    std::size_t next = 0;
    while (!stop.stop_requested()) {
        std::optional<Received> item = receiveQueue_.popLatest(stop, 200ms);
        if (!item)
            continue;
        const WireFrame& f = item->frame;
        std::size_t slot = next++ % pool.size();
        for (std::size_t i = 0; i < pool.size(); ++i)
            if (pool[i].empty() || soleOwner(pool[i])) {
                slot = i;
                break;
            }
        cv::Mat& bgr = pool[slot];
        if (!decoder.decode(f.jpeg.data(), f.jpeg.size(), bgr)) {
            countRejected(FrameError::Undecodable);
            continue;
        }
        if (bgr.cols != f.width || bgr.rows != f.height) {
            countRejected(FrameError::SizeMismatch);
            continue;
        }
        if (!callActive())
            continue; // the call ended while this frame was on its way
        const double latency = epochMs() - f.ts;
        publish(remote_, bgr, f.ts);
        handoff_.add(latency);
        inMeter_.add(f.jpeg.size(), latency);
        std::lock_guard lock(countersMutex_);
        ++counters_.displayed;
    }
}

void VideoEngine::publish(std::optional<VideoPicture>& slot, cv::Mat bgr, double ts) {
    {
        std::lock_guard lock(pictureMutex_);
        slot = VideoPicture{std::move(bgr), ++pictureSeq_, ts};
    }
    notifyListeners();
}

void VideoEngine::notifyListeners() {
    std::lock_guard lock(listenersMutex_);
    for (auto& [id, listener] : listeners_)
        listener();
}

int VideoEngine::addFrameListener(std::function<void()> listener) {
    std::lock_guard lock(listenersMutex_);
    const int id = nextListener_++;
    listeners_[id] = std::move(listener);
    return id;
}

void VideoEngine::removeFrameListener(int id) {
    std::lock_guard lock(listenersMutex_);
    listeners_.erase(id);
}

std::optional<VideoPicture> VideoEngine::remotePicture() const {
    std::lock_guard lock(pictureMutex_);
    return remote_;
}

std::optional<VideoPicture> VideoEngine::localPicture() const {
    std::lock_guard lock(pictureMutex_);
    return local_;
}

void VideoEngine::recordPainted(double ts) {
    painted_.add(epochMs() - ts);
}

void VideoEngine::countRejected(FrameError error) {
    std::lock_guard lock(countersMutex_);
    ++counters_.rejected;
    ++counters_.rejectedBy[error];
}

xmlrpc_c::value VideoEngine::handleFrame(const xmlrpc_c::paramList& params) {
    Received item;
    const FrameError error = parseFrame(params, &item.frame);
    if (error != FrameError::None) {
        countRejected(error);
        throw xmlrpc_c::fault(std::string("video.frame: ") + toString(error),
                              static_cast<xmlrpc_c::fault::code_t>(faultCodeFor(error)));
    }
    if (!callActive())
        throw xmlrpc_c::fault("video.frame: no active call",
                              static_cast<xmlrpc_c::fault::code_t>(sdk::kFaultUnavailable));
    const std::int32_t seq = item.frame.seq;
    std::map<std::string, xmlrpc_c::value> result{{"seq", xmlrpc_c::value_int(seq)}};
    {
        // A frame older than one already taken (a call that overtook a timed-out one) is
        // stale; a much smaller number means the sender restarted its count.
        std::lock_guard lock(receiveMutex_);
        if (haveLastSeq_ && seq <= lastSeq_ && lastSeq_ - seq < 1000) {
            std::lock_guard countersLock(countersMutex_);
            ++counters_.outOfOrder;
            result.emplace("stale", xmlrpc_c::value_boolean(true));
            return xmlrpc_c::value_struct(result);
        }
        haveLastSeq_ = true;
        lastSeq_ = seq;
        if (!lateFilter_.accept(epochMs() - item.frame.ts)) {
            std::lock_guard countersLock(countersMutex_);
            ++counters_.late;
            result.emplace("stale", xmlrpc_c::value_boolean(true));
            return xmlrpc_c::value_struct(result);
        }
    }
    const auto bytes = static_cast<double>(item.frame.jpeg.size());
    receiveQueue_.push(std::move(item));
    std::lock_guard lock(countersMutex_);
    ++counters_.received;
    counters_.jpegBytesReceived += bytes;
    return xmlrpc_c::value_struct(result);
}

VideoCounters VideoEngine::counters() const {
    VideoCounters c;
    {
        std::lock_guard lock(countersMutex_);
        c = counters_;
    }
    c.sendQueueDrops = sendQueue_.dropped();
    c.receiveQueueDrops = receiveQueue_.dropped();
    c.out = outMeter_.figures();
    c.in = inMeter_.figures();
    return c;
}

xmlrpc_c::value VideoEngine::handleStats(const xmlrpc_c::paramList& params) const {
    bool withHistogram = false;
    if (params.size() == 1 && params[0].type() == xmlrpc_c::value::TYPE_STRUCT) {
        const std::map<std::string, xmlrpc_c::value> m = xmlrpc_c::value_struct(params[0]);
        auto it = m.find("histogram");
        withHistogram = it != m.end() && it->second.type() == xmlrpc_c::value::TYPE_BOOLEAN &&
                        xmlrpc_c::value_boolean(it->second);
    } else if (params.size() != 0) {
        throw xmlrpc_c::fault("video.stats takes no parameters or one struct",
                              static_cast<xmlrpc_c::fault::code_t>(sdk::kFaultBadParams));
    }
    const VideoCounters c = counters();
    auto num = [](std::uint64_t v) { return xmlrpc_c::value_double(static_cast<double>(v)); };
    std::map<std::string, xmlrpc_c::value> rejected;
    for (const auto& [error, count] : c.rejectedBy)
        rejected.emplace(toString(error), num(count));
    const auto handoff = handoff_.bins();
    std::map<std::string, xmlrpc_c::value> m{
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
        {"jpeg_bytes_sent", xmlrpc_c::value_double(c.jpegBytesSent)},
        {"jpeg_bytes_received", xmlrpc_c::value_double(c.jpegBytesReceived)},
        {"fps_out", xmlrpc_c::value_double(c.out.fps)},
        {"fps_in", xmlrpc_c::value_double(c.in.fps)},
        {"kbps_out", xmlrpc_c::value_double(c.out.kbps)},
        {"kbps_in", xmlrpc_c::value_double(c.in.kbps)},
        {"latency_out_ms", xmlrpc_c::value_double(c.out.latencyMs)},
        {"latency_in_ms", xmlrpc_c::value_double(c.in.latencyMs)},
        {"latency_p50_ms", xmlrpc_c::value_double(LatencyHistogram::percentile(handoff, 50))},
        {"latency_p95_ms", xmlrpc_c::value_double(LatencyHistogram::percentile(handoff, 95))},
        {"latency_p99_ms", xmlrpc_c::value_double(LatencyHistogram::percentile(handoff, 99))},
        {"sending", xmlrpc_c::value_boolean(sending())},
        {"can_send", xmlrpc_c::value_boolean(canSend())},
        {"camera_on", xmlrpc_c::value_boolean(cameraOn())},
        {"call_active", xmlrpc_c::value_boolean(callActive())},
    };
    {
        std::lock_guard lock(pictureMutex_);
        m.emplace("remote_width", xmlrpc_c::value_int(remote_ ? remote_->bgr.cols : 0));
        m.emplace("remote_height", xmlrpc_c::value_int(remote_ ? remote_->bgr.rows : 0));
    }
    if (withHistogram) {
        auto array = [](const std::vector<std::uint32_t>& bins) {
            std::vector<xmlrpc_c::value> out;
            out.reserve(bins.size());
            for (auto b : bins)
                out.push_back(xmlrpc_c::value_int(static_cast<int>(b)));
            return xmlrpc_c::value_array(out);
        };
        m.emplace("latency_bin_ms", xmlrpc_c::value_double(LatencyHistogram::kBinMs));
        m.emplace("latency_hist", array(handoff));
        m.emplace("painted_hist", array(painted_.bins()));
    }
    return xmlrpc_c::value_struct(m);
}

} // namespace charla::video
