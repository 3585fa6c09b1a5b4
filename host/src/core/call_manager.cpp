#include "core/call_manager.h"

#include "core/call_wire.h"
#include "core/logging.h"

#include <QDateTime>
#include <QThread>
#include <QUuid>

namespace charla::host {

namespace {
using State = sdk::CallInfo::State;
const std::string kOwner = "host.call";
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
    connect(&ringTimer_, &QTimer::timeout, this,
            [this] { handle([id = ringingCallId_](auto& m) { return m.ringTimedOut(id); }); });

    // Before the methods: their handlers send through it.
    signalling_ = std::make_unique<CallSignalling>(
        channel_, [this](const CallStateMachine::Send& request, const QString& error) {
            handle([&](auto& m) { return m.signalFailed(request, error); });
        });

    auto add = [this](const char* name, const char* help, auto handler) {
        sdk::MethodSpec spec;
        spec.name = name;
        spec.signature = "S:S";
        spec.help = help;
        spec.maxPayloadBytes = 4096;
        spec.handler = handler;
        channel_.methods().add(kOwner, std::move(spec));
    };
    add("call.invite", "Ring the callee: {call_id}. Returns {call_id, status: ringing}.",
        [this](const xmlrpc_c::paramList& p) {
            const CallRequest r = readInvite(p);
            return wireReply(r.callId, handle([&](auto& m) { return m.invited(r.callId); }));
        });
    add("call.answer", "The callee's answer, on the caller: {call_id, accept}.",
        [this](const xmlrpc_c::paramList& p) {
            const CallRequest r = readAnswer(p);
            return wireReply(r.callId,
                             handle([&](auto& m) { return m.answered(r.callId, r.accept); }));
        });
    add("call.hangup", "End or cancel the call: {call_id, reason}.",
        [this](const xmlrpc_c::paramList& p) {
            const CallRequest r = readHangup(p);
            return wireReply(r.callId, handle([&](auto& m) { return m.hungUp(r.callId); }));
        });
}

CallManager::~CallManager() {
    channel_.methods().removeOwner(kOwner);
    // signalling_, declared last, goes first: its failures feed the machine.
}

void CallManager::setAutoAnswer(bool on) {
    std::lock_guard lock(mutex_);
    machine_.setAutoAnswer(on);
}

sdk::CallInfo CallManager::call() const {
    std::lock_guard lock(mutex_);
    return machine_.call();
}

template <class Event> CallStateMachine::Reply CallManager::handle(Event event) {
    CallStateMachine::Actions actions;
    std::uint64_t sequence = 0;
    {
        // Sends are queued and batches numbered under the lock: both keep the machine's order.
        std::lock_guard lock(mutex_);
        actions = event(machine_);
        for (CallStateMachine::Send& request : actions.send)
            signalling_->send(std::move(request));
        if (!actions.reports.empty())
            sequence = ++sequence_;
    }
    if (sequence) {
        if (QThread::currentThread() == thread())
            report(sequence, actions.reports);
        else
            QMetaObject::invokeMethod(
                this, [this, sequence, reports = actions.reports] { report(sequence, reports); },
                Qt::QueuedConnection);
    }
    return actions.reply;
}

void CallManager::report(std::uint64_t sequence,
                         const std::vector<CallStateMachine::Report>& reports) {
    if (sequence < reported_)
        return; // a later batch already reported a later call
    reported_ = sequence;
    for (const CallStateMachine::Report& r : reports) {
        if (r.call.state == State::Active && activeCallId_ != r.call.id) {
            activeSince_.start();
            activeCallId_ = r.call.id;
        }
        if ((r.call.state == State::Outgoing || r.call.state == State::Incoming) &&
            ringingCallId_ != r.call.id)
            ringingSinceMs_ = QDateTime::currentMSecsSinceEpoch();
        qCInfo(lcCall).noquote() << "call" << QString::fromStdString(r.call.id)
                                 << toString(r.call.state) << r.message;
        emit callChanged(r.call, r.message);
        if (r.ended) {
            sdk::CallRecord record = *r.ended;
            record.startedMs = ringingSinceMs_;
            if (activeCallId_ == record.id && activeSince_.isValid())
                record.activeMs = activeSince_.elapsed();
            emit callEnded(record);
        }
    }
    const sdk::CallInfo& last = reports.back().call;
    if (last.state == State::Outgoing || last.state == State::Incoming) {
        if (ringingCallId_ != last.id || !ringTimer_.isActive())
            ringTimer_.start(ringTimeout_);
        ringingCallId_ = last.id;
    } else {
        ringTimer_.stop();
        ringingCallId_.clear();
    }
}

std::chrono::milliseconds CallManager::duration() const {
    if (call().state != State::Active || !activeSince_.isValid())
        return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(activeSince_.elapsed());
}

void CallManager::placeCall() {
    // Ask the channel: the queued peerChanged may not have arrived yet
    // when the user (or --call) calls the moment the contact appears.
    const bool online = channel_.peer().online;
    const std::string id = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    handle([&](auto& m) { return m.placeCall(online, id); });
}

void CallManager::accept() {
    handle([](auto& m) { return m.accept(); });
}

void CallManager::decline() {
    handle([](auto& m) { return m.decline(); });
}

void CallManager::hangUp() {
    handle([](auto& m) { return m.hangUp(); });
}

void CallManager::peerChanged(const sdk::PeerInfo& peer) {
    handle([online = peer.online](auto& m) { return m.peerChanged(online); });
}

} // namespace charla::host
