#include "core/call_wire.h"

#include <charla/sdk/channel.h>

#include <QString>
#include <QUuid>

#include <map>

Q_LOGGING_CATEGORY(lcCall, "charla.call", QtInfoMsg)

namespace charla::host {

namespace {

using Struct = std::map<std::string, xmlrpc_c::value>;
using Method = CallStateMachine::Send::Method;

// The one struct parameter of a call.* method, with its call_id checked.
Struct callStruct(const xmlrpc_c::paramList& params, const char* method, std::string* callId) {
    if (params.size() != 1 || params[0].type() != xmlrpc_c::value::TYPE_STRUCT)
        throw sdk::fault(sdk::kFaultBadParams,
                         std::string(method) + " expects one struct parameter");
    Struct s = xmlrpc_c::value_struct(params[0]);
    auto it = s.find("call_id");
    if (it == s.end() || it->second.type() != xmlrpc_c::value::TYPE_STRING)
        throw sdk::fault(sdk::kFaultBadParams, std::string(method) + ": missing string call_id");
    *callId = xmlrpc_c::value_string(it->second);
    if (QUuid::fromString(QString::fromStdString(*callId)).isNull())
        throw sdk::fault(sdk::kFaultBadParams, std::string(method) + ": call_id must be a UUID");
    return s;
}

} // namespace

CallRequest readInvite(const xmlrpc_c::paramList& params) {
    CallRequest request;
    callStruct(params, "call.invite", &request.callId);
    return request;
}

CallRequest readAnswer(const xmlrpc_c::paramList& params) {
    CallRequest request;
    Struct s = callStruct(params, "call.answer", &request.callId);
    auto it = s.find("accept");
    if (it == s.end() || it->second.type() != xmlrpc_c::value::TYPE_BOOLEAN)
        throw sdk::fault(sdk::kFaultBadParams, "call.answer: missing boolean accept");
    request.accept = xmlrpc_c::value_boolean(it->second);
    return request;
}

CallRequest readHangup(const xmlrpc_c::paramList& params) {
    CallRequest request;
    callStruct(params, "call.hangup", &request.callId); // the reason is for people, not read
    return request;
}

xmlrpc_c::value wireReply(const std::string& callId, const CallStateMachine::Reply& reply) {
    if (reply.faultCode)
        throw sdk::fault(reply.faultCode, reply.faultText);
    return xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(callId)},
                                         {"status", xmlrpc_c::value_string(reply.status)}});
}

std::string wireMethod(const CallStateMachine::Send& request) {
    switch (request.method) {
    case Method::Invite:
        return "call.invite";
    case Method::Answer:
        return "call.answer";
    case Method::Hangup:
        return "call.hangup";
    }
    return {};
}

xmlrpc_c::value wireArgument(const CallStateMachine::Send& request) {
    Struct s{{"call_id", xmlrpc_c::value_string(request.callId)}};
    if (request.method == Method::Answer)
        s.emplace("accept", xmlrpc_c::value_boolean(request.accept));
    if (request.method == Method::Hangup)
        s.emplace("reason", xmlrpc_c::value_string(request.reason));
    return xmlrpc_c::value_struct(s);
}

} // namespace charla::host
