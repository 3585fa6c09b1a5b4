#include "core/call_state_machine.h"

#include <QCoreApplication>

namespace charla::host {

namespace {

using State = sdk::CallInfo::State;
using Send = CallStateMachine::Send;
using Outcome = sdk::CallRecord::Outcome;
using Direction = sdk::CallRecord::Direction;

// Translated in this class's context: lupdate reads text("...") as tr() (-tr-function-alias in
// host/CMakeLists.txt) inside CallStateMachine's members.
QString text(const char* source) {
    return QCoreApplication::translate("charla::host::CallStateMachine", source);
}

} // namespace

void CallStateMachine::enter(Actions& out, sdk::CallInfo call, const QString& message) {
    call_ = std::move(call);
    out.reports.push_back({call_, message, std::nullopt});
}

void CallStateMachine::finish(Actions& out, Outcome outcome, const QString& message,
                              const char* reasonForPeer) {
    if (call_.state == State::Idle)
        return;
    if (reasonForPeer)
        out.send.push_back({Send::Method::Hangup, call_.id, false, reasonForPeer, false});
    sdk::CallRecord record;
    record.id = call_.id;
    record.direction = direction_;
    record.outcome = outcome;
    enter(out, {}, message);
    out.reports.back().ended = std::move(record);
}

Outcome CallStateMachine::outcomeWhenLost() const {
    switch (call_.state) {
    case State::Incoming:
        return Outcome::Missed;
    case State::Outgoing:
        return Outcome::NoAnswer;
    default:
        return Outcome::Completed;
    }
}

CallStateMachine::Actions CallStateMachine::placeCall(bool contactOnline,
                                                      const std::string& newCallId) {
    Actions out;
    if (call_.state != State::Idle)
        return out;
    if (!contactOnline) {
        out.reports.push_back({call_, text("The contact is offline"), std::nullopt});
        return out;
    }
    direction_ = Direction::Outgoing;
    enter(out, {State::Outgoing, newCallId}, text("Calling…"));
    out.send.push_back({Send::Method::Invite, newCallId, false, {}, true});
    return out;
}

void CallStateMachine::acceptInto(Actions& out) {
    const std::string id = call_.id;
    enter(out, {State::Active, id}, text("Call accepted"));
    out.send.push_back({Send::Method::Answer, id, true, {}, true});
}

CallStateMachine::Actions CallStateMachine::accept() {
    Actions out;
    if (call_.state == State::Incoming)
        acceptInto(out);
    return out;
}

CallStateMachine::Actions CallStateMachine::decline() {
    Actions out;
    if (call_.state != State::Incoming)
        return out;
    out.send.push_back({Send::Method::Answer, call_.id, false, {}, false});
    finish(out, Outcome::Declined, text("Call declined"));
    return out;
}

CallStateMachine::Actions CallStateMachine::hangUp() {
    if (call_.state == State::Incoming)
        return decline();
    Actions out;
    if (call_.state == State::Outgoing)
        finish(out, Outcome::Cancelled, text("Call cancelled"), "hangup");
    else
        finish(out, Outcome::Completed, text("Call ended"), "hangup");
    return out;
}

CallStateMachine::Actions CallStateMachine::peerChanged(bool online) {
    Actions out;
    if (!online && call_.state != State::Idle) {
        // The contact may only look offline to us (frozen, one direction broken): tell it the
        // call is over as soon as it answers again, or it would stay in the call alone.
        lostCallId_ = call_.id;
        finish(out, outcomeWhenLost(), text("The contact went offline"));
    } else if (online && !lostCallId_.empty()) {
        out.send.push_back({Send::Method::Hangup, lostCallId_, false, "connection lost", false});
        lostCallId_.clear();
    }
    return out;
}

CallStateMachine::Actions CallStateMachine::ringTimedOut(const std::string& callId) {
    Actions out;
    if (call_.id != callId)
        return out; // a timer of a call that is over
    if (call_.state == State::Outgoing)
        finish(out, Outcome::NoAnswer, text("No answer"), "no answer");
    else if (call_.state == State::Incoming)
        finish(out, Outcome::Missed, text("Missed call"), "no answer");
    return out;
}

CallStateMachine::Actions CallStateMachine::signalFailed(const Send& request,
                                                         const QString& error) {
    Actions out;
    if (call_.id != request.callId)
        return out;
    if (request.method == Send::Method::Invite && call_.state == State::Outgoing)
        finish(out, Outcome::Failed, text("Could not call: %1").arg(error));
    else if (request.method == Send::Method::Answer && request.accept)
        finish(out, Outcome::Failed, text("The call could not be connected: %1").arg(error));
    return out;
}

CallStateMachine::Actions CallStateMachine::invited(const std::string& callId) {
    Actions out;
    // Only the contact can call (docs/security.md). A new invite while we are in (or being rung
    // for) another call means the contact has lost that call, e.g. it saw us offline and ended
    // it: the stale call gives way. Two people calling each other at once is the one real
    // conflict: both get busy and can try again.
    if (call_.state == State::Outgoing && call_.id != callId) {
        out.reply = {{}, sdk::kFaultBusy, "call.invite: busy calling you"};
        return out;
    }
    if (call_.id == callId) {
        out.reply.status = call_.state == State::Active ? "active" : "ringing";
        return out;
    }
    finish(out, outcomeWhenLost(), text("The previous call was lost"));
    direction_ = Direction::Incoming;
    enter(out, {State::Incoming, callId}, text("Incoming call"));
    if (autoAnswer_)
        acceptInto(out);
    out.reply.status = "ringing";
    return out;
}

CallStateMachine::Actions CallStateMachine::answered(const std::string& callId, bool accepted) {
    Actions out;
    if (call_.id != callId || call_.state != State::Outgoing) {
        out.reply = {{}, sdk::kFaultNoSuchCall, "call.answer: no such outgoing call"};
        return out;
    }
    if (accepted)
        enter(out, {State::Active, callId}, text("Call accepted"));
    else
        finish(out, Outcome::DeclinedByContact, text("The contact declined the call"));
    out.reply.status = accepted ? "active" : "declined";
    return out;
}

CallStateMachine::Actions CallStateMachine::hungUp(const std::string& callId) {
    Actions out;
    out.reply.status = "ended";
    if (call_.id != callId || call_.state == State::Idle)
        return out; // already over: hanging up twice is harmless
    finish(out, outcomeWhenLost(),
           call_.state == State::Incoming   ? text("Missed call")
           : call_.state == State::Outgoing ? text("No answer")
                                            : text("The contact hung up"));
    return out;
}

} // namespace charla::host
