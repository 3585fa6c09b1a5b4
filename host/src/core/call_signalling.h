// The outgoing half of the call flow: call.* requests to the contact, sent one at a time, in
// order, on a thread of their own so the GUI never waits on the network.
#pragma once

#include "core/call_state_machine.h"
#include "core/host_channel.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace charla::host {

class CallSignalling {
public:
    // `onFailure` runs on the signalling thread for a request sent with reportFailure.
    using FailureHandler =
        std::function<void(const CallStateMachine::Send& request, const QString& error)>;
    CallSignalling(HostChannel& channel, FailureHandler onFailure);
    // Waits briefly for the queue to drain (a last call.hangup when the app quits mid-call).
    ~CallSignalling();

    void send(CallStateMachine::Send request);

private:
    void run(std::stop_token stop);

    FailureHandler onFailure_;
    std::shared_ptr<CurlPeerStream> stream_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<CallStateMachine::Send> queue_;
    bool sending_ = false;
    std::condition_variable drained_;
    std::jthread thread_;
};

} // namespace charla::host
