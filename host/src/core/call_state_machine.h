// The call flow's decisions (docs/protocol.md), and the one copy of the call state. Pure: no
// threads, no network, no timers, no event loop. Each event goes in, the state changes, and what
// the caller must do comes out: requests to send to the contact, the answer to give to a
// request the contact sent, and reports of the call for the GUI and the plugins. CallManager feeds
// it from the GUI, the server threads and the ring timer, under one lock.
#pragma once

#include <charla/sdk/call.h>
#include <charla/sdk/fault.h>

#include <QString>

#include <optional>
#include <string>
#include <vector>

namespace charla::host {

class CallStateMachine {
public:
    // A call.* request to send to the contact.
    struct Send {
        enum class Method { Invite, Answer, Hangup } method;
        std::string callId;
        bool accept = false; // Answer: accept or decline
        std::string reason;  // Hangup: why, for the contact ("hangup", "no answer", ...)
        // A failure must come back as signalFailed(): the call depends on this request.
        bool reportFailure = false;
    };
    // The call after an event, and why it changed ("Bob declined", "No answer"). A call that
    // ended also comes as a record for the history (its times are the caller's to fill in).
    struct Report {
        sdk::CallInfo call;
        QString message;
        std::optional<sdk::CallRecord> ended;
    };
    // The reply to a call.* request from the contact: a status, or a fault.
    struct Reply {
        std::string status;         // "ringing", "active", "declined", "ended"
        sdk::FaultCode faultCode{}; // non-zero: refuse the request with `faultText`
        std::string faultText;
    };
    struct Actions {
        std::vector<Send> send;
        std::vector<Report> reports; // in order; ring while the last one rings
        Reply reply;                 // for the contact's requests only
    };

    const sdk::CallInfo& call() const { return call_; }
    void setAutoAnswer(bool on) { autoAnswer_ = on; }

    // The user (GUI). Each does nothing in a state where it makes no sense.
    Actions placeCall(bool contactOnline, const std::string& newCallId);
    Actions accept();
    Actions decline();
    Actions hangUp(); // also cancels an outgoing call that still rings
    // The contact's presence.
    Actions peerChanged(bool online);
    // The ring timer of call `callId` ran out.
    Actions ringTimedOut(const std::string& callId);
    // A request sent with reportFailure could not be delivered.
    Actions signalFailed(const Send& request, const QString& error);

    // The contact's requests (call_id already checked to be a UUID).
    Actions invited(const std::string& callId);
    Actions answered(const std::string& callId, bool accepted);
    Actions hungUp(const std::string& callId); // whatever the reason given

private:
    void enter(Actions& out, sdk::CallInfo call, const QString& message);
    // Ends the call (if any) as `outcome`; tells the contact `reasonForPeer` unless null.
    void finish(Actions& out, sdk::CallRecord::Outcome outcome, const QString& message,
                const char* reasonForPeer = nullptr);
    // How the call ends when the contact or the connection ends it.
    sdk::CallRecord::Outcome outcomeWhenLost() const;
    void acceptInto(Actions& out);

    sdk::CallInfo call_;
    sdk::CallRecord::Direction direction_ = sdk::CallRecord::Direction::Outgoing;
    bool autoAnswer_ = false;
    std::string lostCallId_; // a call we ended because the contact vanished; hung up on return
};

} // namespace charla::host
