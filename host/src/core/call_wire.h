// The call.* methods on the wire (docs/protocol.md): reading the contact's requests, writing ours
// and the replies. No state: CallStateMachine decides, CallManager connects the two.
#pragma once

#include "core/call_state_machine.h"

#include <xmlrpc-c/base.hpp>

#include <QLoggingCategory>

#include <string>

Q_DECLARE_LOGGING_CATEGORY(lcCall) // charla.call: the call flow

namespace charla::host {

// A call.* request as read: its call_id (checked to be a UUID), and accept for call.answer.
// Throws xmlrpc_c::fault (bad params) for anything else.
struct CallRequest {
    std::string callId;
    bool accept = false;
};
CallRequest readInvite(const xmlrpc_c::paramList& params);
CallRequest readAnswer(const xmlrpc_c::paramList& params);
CallRequest readHangup(const xmlrpc_c::paramList& params);

// The reply to a request: {call_id, status}, or throws the machine's fault.
xmlrpc_c::value wireReply(const std::string& callId, const CallStateMachine::Reply& reply);

std::string wireMethod(const CallStateMachine::Send& request);
xmlrpc_c::value wireArgument(const CallStateMachine::Send& request);

} // namespace charla::host
