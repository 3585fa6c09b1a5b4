#include "core/call_signalling.h"

#include "core/call_wire.h"
#include "core/logging.h"

namespace charla::host {

namespace {
constexpr auto kSignallingTimeout = std::chrono::milliseconds(3000);
} // namespace

CallSignalling::CallSignalling(HostChannel& channel, FailureHandler onFailure)
    : onFailure_(std::move(onFailure)), stream_(channel.makeStream("host/call")),
      thread_([this](std::stop_token stop) { run(stop); }) {}

CallSignalling::~CallSignalling() {
    {
        // Let a last call.hangup reach the peer when the app quits mid-call, but never wait long.
        std::unique_lock lock(mutex_);
        drained_.wait_for(lock, std::chrono::milliseconds(500),
                          [&] { return queue_.empty() && !sending_; });
    }
    thread_.request_stop();
    stream_->interrupt();
    thread_ = {};
}

void CallSignalling::send(CallStateMachine::Send request) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(request));
    }
    wake_.notify_all();
}

void CallSignalling::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        CallStateMachine::Send request;
        {
            std::unique_lock lock(mutex_);
            if (!wake_.wait(lock, stop, [&] { return !queue_.empty(); }))
                return;
            request = std::move(queue_.front());
            queue_.pop_front();
            sending_ = true;
        }
        struct Done {
            CallSignalling& self;
            ~Done() {
                std::lock_guard lock(self.mutex_);
                self.sending_ = false;
                self.drained_.notify_all();
            }
        } done{*this};
        const std::string method = wireMethod(request);
        xmlrpc_c::paramList params;
        params.add(wireArgument(request));
        try {
            stream_->call(method, params, kSignallingTimeout);
        } catch (const sdk::PeerCallError& e) {
            if (e.kind() == sdk::PeerCallError::Kind::Interrupted)
                return;
            qCWarning(lcCall) << method.c_str() << "failed:" << e.what();
            if (request.reportFailure)
                onFailure_(request, QString::fromStdString(e.what()));
        }
    }
}

} // namespace charla::host
