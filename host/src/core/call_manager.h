// The call flow, owned by the host because audio and video both join it (docs/protocol.md):
//   call.invite {call_id}            the caller rings the callee
//   call.answer {call_id, accept}    the callee accepts or declines, on the caller
//   call.hangup {call_id, reason}    either side ends the call, or the caller cancels ringing
// CallManager wires the parts: CallStateMachine decides and holds the one copy of the call
// (under a mutex: the contact's requests arrive on server threads), call_wire reads and writes
// the methods, CallSignalling sends ours on its own thread, and a ring timer ends a call that
// rings for longer than `ringTimeout`. Reports reach callChanged on this object's thread.
#pragma once

#include "core/call_signalling.h"
#include "core/call_state_machine.h"
#include "core/host_channel.h"

#include <charla/sdk/call.h>
#include <charla/sdk/peer_info.h>

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

namespace charla::host {

class CallManager : public QObject {
    Q_OBJECT
public:
    explicit CallManager(HostChannel& channel, QObject* parent = nullptr);
    ~CallManager() override;

    void setRingTimeout(std::chrono::milliseconds timeout) { ringTimeout_ = timeout; }
    void setAutoAnswer(bool on);

    // The call now (any thread).
    sdk::CallInfo call() const;
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
    // A call is over (after its last callChanged), with its outcome and times, for the history.
    void callEnded(const charla::sdk::CallRecord& record);

private:
    // Runs one event through the machine (any thread) and carries out what it asks.
    template <class Event> CallStateMachine::Reply handle(Event event);
    // GUI thread: the reports of batch `sequence`, unless a later batch was reported already.
    void report(std::uint64_t sequence, const std::vector<CallStateMachine::Report>& reports);

    HostChannel& channel_;
    mutable std::mutex mutex_; // guards machine_ and sequence_
    CallStateMachine machine_;
    std::uint64_t sequence_ = 0;
    std::uint64_t reported_ = 0; // GUI thread
    std::chrono::milliseconds ringTimeout_{30000};
    QTimer ringTimer_;
    std::string ringingCallId_;
    QElapsedTimer activeSince_;
    std::string activeCallId_;        // the call activeSince_ times
    std::int64_t ringingSinceMs_ = 0; // when the current call began to ring (Unix ms)
    std::unique_ptr<CallSignalling> signalling_;
};

QString toString(sdk::CallInfo::State state);

} // namespace charla::host
