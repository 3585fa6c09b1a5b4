#include "core/call_manager.h"

#include "core/logging.h"

#include <QUuid>

#include <map>

Q_LOGGING_CATEGORY(lcCall, "charla.call", QtInfoMsg)

namespace charla::host {

namespace {

using State = sdk::CallInfo::State;
using Struct = std::map<std::string, xmlrpc_c::value>;

const std::string kOwner = "host.call";
constexpr int kFaultBusy = 486;       // SIP's "Busy Here": already in another call
constexpr int kFaultNoSuchCall = 481; // SIP's "Call Does Not Exist"
constexpr auto kSignallingTimeout = std::chrono::milliseconds(3000);

xmlrpc_c::fault fault(int code, const std::string& text) {
    return xmlrpc_c::fault(text, static_cast<xmlrpc_c::fault::code_t>(code));
}

// The one struct parameter of a call.* method, with its call_id checked.
Struct callStruct(const xmlrpc_c::paramList& params, const char* method, std::string* callId) {
    if (params.size() != 1 || params[0].type() != xmlrpc_c::value::TYPE_STRUCT)
        throw fault(sdk::kFaultBadParams, std::string(method) + " expects one struct parameter");
    Struct s = xmlrpc_c::value_struct(params[0]);
    auto it = s.find("call_id");
    if (it == s.end() || it->second.type() != xmlrpc_c::value::TYPE_STRING)
        throw fault(sdk::kFaultBadParams, std::string(method) + ": missing string call_id");
    *callId = xmlrpc_c::value_string(it->second);
    if (QUuid::fromString(QString::fromStdString(*callId)).isNull())
        throw fault(sdk::kFaultBadParams, std::string(method) + ": call_id must be a UUID");
    return s;
}

xmlrpc_c::value reply(const std::string& callId, const std::string& status) {
    return xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(callId)},
                                         {"status", xmlrpc_c::value_string(status)}});
}

} // namespace

QString toString(sdk::CallInfo::State state) {
    switch (state) {
    case State::Idle:
        return QStringLiteral("idle");
    case State::Outgoing:
        return QStringLiteral("outgoing");
    case State::Incoming:
        return QStringLiteral("incoming");
    case State::Active:
        return QStringLiteral("active");
    }
    return {};
}

CallManager::CallManager(HostChannel& channel, QObject* parent)
    : QObject(parent), channel_(channel) {
    qRegisterMetaType<charla::sdk::CallInfo>("charla::sdk::CallInfo");
    ringTimer_.setSingleShot(true);
    connect(&ringTimer_, &QTimer::timeout, this, [this] {
        if (call_.state == State::Outgoing)
            endCall(tr("No answer"), "no answer");
        else if (call_.state == State::Incoming)
            endCall(tr("Missed call"), "no answer");
    });

    auto add = [this](const char* name, const char* help, auto handler) {
        sdk::MethodSpec spec;
        spec.name = name;
        spec.signature = "S:S";
        spec.help = help;
        spec.maxPayloadBytes = 4096;
        spec.handler = [this, handler](const xmlrpc_c::paramList& p) {
            return (this->*handler)(p);
        };
        channel_.methods().add(kOwner, std::move(spec));
    };
    add("call.invite", "Ring the callee: {call_id}. Returns {call_id, status: ringing}.",
        &CallManager::onInvite);
    add("call.answer", "The callee's answer, on the caller: {call_id, accept}.",
        &CallManager::onAnswer);
    add("call.hangup", "End or cancel the call: {call_id, reason}.", &CallManager::onHangup);

    stream_ = channel_.makeStream("host/call");
    signalling_ = std::jthread([this](std::stop_token stop) { runSignalling(stop); });
}

CallManager::~CallManager() {
    channel_.methods().removeOwner(kOwner);
    {
        // Let a last call.hangup reach the peer when the app quits mid-call, but never wait long.
        std::unique_lock lock(queueMutex_);
        drained_.wait_for(lock, std::chrono::milliseconds(500),
                          [&] { return queue_.empty() && !sending_; });
    }
    signalling_.request_stop();
    stream_->interrupt();
    signalling_ = {};
}

std::chrono::milliseconds CallManager::duration() const {
    if (call_.state != State::Active || !activeSince_.isValid())
        return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(activeSince_.elapsed());
}

void CallManager::setCall(sdk::CallInfo call, const QString& message) {
    {
        std::lock_guard lock(shared_.mutex);
        shared_.call = call;
    }
    const bool changed = call.state != call_.state || call.id != call_.id;
    call_ = call;
    if (call.state == State::Active)
        activeSince_.start();
    if (call.state == State::Outgoing || call.state == State::Incoming)
        ringTimer_.start(ringTimeout_);
    else
        ringTimer_.stop();
    if (changed) {
        qCInfo(lcCall).noquote() << "call" << QString::fromStdString(call.id)
                                 << toString(call.state) << message;
        emit callChanged(call, message);
    }
}

void CallManager::endCall(const QString& message, const char* reasonForPeer) {
    if (call_.state == State::Idle)
        return;
    if (reasonForPeer)
        signal("call.hangup",
               xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(call_.id)},
                                             {"reason", xmlrpc_c::value_string(reasonForPeer)}}));
    setCall(sdk::CallInfo{}, message);
}

void CallManager::placeCall() {
    if (call_.state != State::Idle)
        return;
    // Ask the channel: the queued peerChanged may not have arrived yet
    // when the user (or --call) calls the moment the contact appears.
    if (!channel_.peer().online) {
        emit callChanged(call_, tr("The contact is offline"));
        return;
    }
    sdk::CallInfo call;
    call.state = State::Outgoing;
    call.id = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    setCall(call, tr("Calling…"));
    const std::string id = call.id;
    signal("call.invite", xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(id)}}),
           [this, id](const QString& error) {
               if (call_.id == id && call_.state == State::Outgoing)
                   setCall(sdk::CallInfo{}, tr("Could not call: %1").arg(error));
           });
}

void CallManager::accept() {
    if (call_.state != State::Incoming)
        return;
    const std::string id = call_.id;
    sdk::CallInfo call = call_;
    call.state = State::Active;
    setCall(call, tr("Call accepted"));
    signal("call.answer",
           xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(id)},
                                         {"accept", xmlrpc_c::value_boolean(true)}}),
           [this, id](const QString& error) {
               if (call_.id == id)
                   setCall(sdk::CallInfo{}, tr("The call could not be connected: %1").arg(error));
           });
}

void CallManager::decline() {
    if (call_.state != State::Incoming)
        return;
    signal("call.answer",
           xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(call_.id)},
                                         {"accept", xmlrpc_c::value_boolean(false)}}));
    setCall(sdk::CallInfo{}, tr("Call declined"));
}

void CallManager::hangUp() {
    if (call_.state == State::Incoming)
        return decline();
    endCall(call_.state == State::Outgoing ? tr("Call cancelled") : tr("Call ended"), "hangup");
}

void CallManager::peerChanged(const sdk::PeerInfo& peer) {
    if (!peer.online && call_.state != State::Idle) {
        // The contact may only look offline to us (frozen, one direction broken): tell it the
        // call is over as soon as it answers again, or it would stay in the call alone.
        lostCallId_ = call_.id;
        endCall(tr("The contact went offline"), nullptr);
    } else if (peer.online && !lostCallId_.empty()) {
        signal("call.hangup", xmlrpc_c::value_struct(
                                  Struct{{"call_id", xmlrpc_c::value_string(lostCallId_)},
                                         {"reason", xmlrpc_c::value_string("connection lost")}}));
        lostCallId_.clear();
    }
}

// --- server threads -----------------------------------------------------------------------

xmlrpc_c::value CallManager::onInvite(const xmlrpc_c::paramList& params) {
    std::string id;
    callStruct(params, "call.invite", &id);
    {
        std::lock_guard lock(shared_.mutex);
        // Only the contact can call (docs/security.md). A new invite while we are in (or being
        // rung for) another call means the contact has lost that call, e.g. it saw us offline
        // and ended it: the stale call gives way. Two people calling each other at once is
        // the one real conflict: both get busy and can try again.
        if (shared_.call.state == State::Outgoing && shared_.call.id != id)
            throw fault(kFaultBusy, "call.invite: busy calling you");
        if (shared_.call.id == id)
            return reply(id, shared_.call.state == State::Active ? "active" : "ringing");
        shared_.call = sdk::CallInfo{State::Incoming, id};
    }
    QMetaObject::invokeMethod(
        this,
        [this, id] {
            if (call_.state != State::Idle && call_.id != id)
                setCall(sdk::CallInfo{}, tr("The previous call was lost"));
            setCall(sdk::CallInfo{State::Incoming, id}, tr("Incoming call"));
            if (autoAnswer_)
                accept();
        },
        Qt::QueuedConnection);
    return reply(id, "ringing");
}

xmlrpc_c::value CallManager::onAnswer(const xmlrpc_c::paramList& params) {
    std::string id;
    Struct s = callStruct(params, "call.answer", &id);
    auto it = s.find("accept");
    if (it == s.end() || it->second.type() != xmlrpc_c::value::TYPE_BOOLEAN)
        throw fault(sdk::kFaultBadParams, "call.answer: missing boolean accept");
    const bool accepted = xmlrpc_c::value_boolean(it->second);
    {
        std::lock_guard lock(shared_.mutex);
        if (shared_.call.id != id || shared_.call.state != State::Outgoing)
            throw fault(kFaultNoSuchCall, "call.answer: no such outgoing call");
        shared_.call.state = accepted ? State::Active : State::Idle;
    }
    QMetaObject::invokeMethod(
        this,
        [this, id, accepted] {
            if (call_.id != id || call_.state != State::Outgoing)
                return;
            if (accepted)
                setCall(sdk::CallInfo{State::Active, id}, tr("Call accepted"));
            else
                setCall(sdk::CallInfo{}, tr("The contact declined the call"));
        },
        Qt::QueuedConnection);
    return reply(id, accepted ? "active" : "declined");
}

xmlrpc_c::value CallManager::onHangup(const xmlrpc_c::paramList& params) {
    std::string id;
    Struct s = callStruct(params, "call.hangup", &id);
    std::string reason = "hangup";
    if (auto it = s.find("reason");
        it != s.end() && it->second.type() == xmlrpc_c::value::TYPE_STRING)
        reason = xmlrpc_c::value_string(it->second);
    {
        std::lock_guard lock(shared_.mutex);
        if (shared_.call.id != id)
            return reply(id, "ended"); // already over: hanging up twice is harmless
        shared_.call = sdk::CallInfo{};
    }
    QMetaObject::invokeMethod(
        this,
        [this, id, reason] {
            if (call_.id != id)
                return;
            QString message = call_.state == State::Incoming   ? tr("Missed call")
                              : call_.state == State::Outgoing ? tr("No answer")
                                                               : tr("The contact hung up");
            if (reason == "no answer" && call_.state == State::Incoming)
                message = tr("Missed call");
            setCall(sdk::CallInfo{}, message);
        },
        Qt::QueuedConnection);
    return reply(id, "ended");
}

// --- signalling thread ----------------------------------------------------------------------

void CallManager::signal(std::string method, xmlrpc_c::value argument,
                         std::function<void(const QString&)> onFailure) {
    {
        std::lock_guard lock(queueMutex_);
        queue_.push_back({std::move(method), std::move(argument), std::move(onFailure)});
    }
    queueWake_.notify_all();
}

void CallManager::runSignalling(std::stop_token stop) {
    while (!stop.stop_requested()) {
        Request request;
        {
            std::unique_lock lock(queueMutex_);
            if (!queueWake_.wait(lock, stop, [&] { return !queue_.empty(); }))
                return;
            request = std::move(queue_.front());
            queue_.pop_front();
            sending_ = true;
        }
        struct Done {
            CallManager& self;
            ~Done() {
                std::lock_guard lock(self.queueMutex_);
                self.sending_ = false;
                self.drained_.notify_all();
            }
        } done{*this};
        xmlrpc_c::paramList params;
        params.add(request.argument);
        try {
            stream_->call(request.method, params, kSignallingTimeout);
        } catch (const sdk::PeerCallError& e) {
            if (e.kind() == sdk::PeerCallError::Kind::Interrupted)
                return;
            qCWarning(lcCall) << request.method.c_str() << "failed:" << e.what();
            if (request.onFailure)
                QMetaObject::invokeMethod(
                    this,
                    [cb = request.onFailure, what = QString::fromStdString(e.what())] { cb(what); },
                    Qt::QueuedConnection);
        }
    }
}

} // namespace charla::host
