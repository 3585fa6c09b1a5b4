// The call flow, owned by the host because audio and video both join it (docs/protocol.md):
//   call.invite {call_id}            the caller rings the callee
//   call.answer {call_id, accept}    the callee accepts or declines, on the caller
//   call.hangup {call_id, reason}    either side ends the call, or the caller cancels ringing
// State lives on the GUI thread; the handlers (server threads) decide from a mutex-guarded copy
// and post the change. Outgoing signalling runs on its own thread, so the GUI never waits on the
// network. A call rings for at most `ringTimeout`; a contact that goes offline ends the call.
#pragma once

#include "core/host_channel.h"

#include <charla/sdk/call.h>
#include <charla/sdk/peer_info.h>

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace charla::host {

class CallManager : public QObject {
    Q_OBJECT
public:
    explicit CallManager(HostChannel& channel, QObject* parent = nullptr);
    ~CallManager() override;

    void setRingTimeout(std::chrono::milliseconds timeout) { ringTimeout_ = timeout; }
    void setAutoAnswer(bool on) { autoAnswer_ = on; }

    const sdk::CallInfo& call() const { return call_; }
    // How long the active call has lasted.
    std::chrono::milliseconds duration() const;

public slots:
    // GUI thread. Each does nothing in a state where it makes no sense.
    void placeCall();
    void accept();
    void decline();
    void hangUp(); // also cancels an outgoing call that still rings
    void peerChanged(const charla::sdk::PeerInfo& peer);

signals:
    // The call changed state; `message` says why when it ended ("Bob declined", "No answer").
    void callChanged(const charla::sdk::CallInfo& call, const QString& message);

private:
    // What the server threads may read and change.
    struct Shared {
        std::mutex mutex;
        sdk::CallInfo call;
    };
    void setCall(sdk::CallInfo call, const QString& message);
    void endCall(const QString& message, const char* reasonForPeer);
    // Queues an outgoing call.* request; `onFailure` runs on the GUI thread if it fails.
    void signal(std::string method, xmlrpc_c::value argument,
                std::function<void(const QString&)> onFailure = {});
    void runSignalling(std::stop_token stop);

    // Server-thread handlers.
    xmlrpc_c::value onInvite(const xmlrpc_c::paramList& params);
    xmlrpc_c::value onAnswer(const xmlrpc_c::paramList& params);
    xmlrpc_c::value onHangup(const xmlrpc_c::paramList& params);

    HostChannel& channel_;
    Shared shared_;
    sdk::CallInfo call_; // GUI thread's view
    std::chrono::milliseconds ringTimeout_{30000};
    bool autoAnswer_ = false;
    std::string lostCallId_; // a call we ended because the contact vanished; hung up on return
    QTimer ringTimer_;
    QElapsedTimer activeSince_;

    struct Request {
        std::string method;
        xmlrpc_c::value argument;
        std::function<void(const QString&)> onFailure;
    };
    std::mutex queueMutex_;
    std::condition_variable_any queueWake_;
    std::deque<Request> queue_;
    bool sending_ = false;
    std::condition_variable drained_;
    std::shared_ptr<CurlPeerStream> stream_;
    std::jthread signalling_;
};

QString toString(sdk::CallInfo::State state);

} // namespace charla::host
