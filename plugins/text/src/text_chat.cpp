#include "text_chat.h"

#include "text_delivery.h"
#include "text_logging.h"

#include <charla/sdk/backoff.h>
#include <charla/sdk/channel.h>

#include <QThread>

namespace charla::text {

TextChat::TextChat(QString localUser, const QString& storePath, SenderTiming timing,
                   EventWording wording, QObject* parent)
    : QObject(parent), timing_(timing), wording_(std::move(wording)),
      localUser_(std::move(localUser)), store_(std::make_unique<MessageStore>(storePath)) {
    patienceTimer_.setInterval(250);
    connect(&patienceTimer_, &QTimer::timeout, this, &TextChat::checkPatience);
    saveReadMark_.setSingleShot(true);
    saveReadMark_.setInterval(500);
    connect(&saveReadMark_, &QTimer::timeout, this, &TextChat::saveReadMark);
    try {
        readUpTo_ = savedReadUpTo_ = store_->readUpTo();
    } catch (const StoreError& e) {
        qCWarning(lcText) << "cannot read the read mark:" << e.what();
    }
    try {
        lastKnownName_ = store_->lastContactName();
    } catch (const StoreError& e) {
        qCWarning(lcText) << "cannot read the contact's name:" << e.what();
    }
    // Offline until the host says otherwise: what waits in the outbox waits for the contact.
    conversation_.setContact({contactName(), false});
    refresh(); // the history, and the outbox the sender resumes
    historyShown_ = true;
    qCDebug(lcText) << "store" << storePath << "holds" << conversation_.size() << "messages,"
                    << undelivered_.size() << "undelivered";
}

TextChat::~TextChat() {
    saveReadMark();
}

qint64 TextChat::firstUnreadSeq() const {
    for (const ChatMessage& message : conversation_.messages())
        if (!message.outgoing && message.seq > readUpTo_)
            return message.seq;
    return 0;
}

void TextChat::markRead(qint64 seq) {
    if (seq <= readUpTo_)
        return;
    readUpTo_ = seq;
    if (!saveReadMark_.isActive())
        saveReadMark_.start();
}

void TextChat::saveReadMark() {
    saveReadMark_.stop();
    if (readUpTo_ <= savedReadUpTo_)
        return;
    try {
        store_->setReadUpTo(readUpTo_);
        savedReadUpTo_ = readUpTo_;
    } catch (const StoreError& e) {
        // Only where the next start opens: worth a line in the log, not the user's attention.
        qCWarning(lcText) << "cannot save the read mark:" << e.what();
    }
}

std::vector<StoredMessage> TextChat::search(const QString& text) {
    try {
        return store_->search(text);
    } catch (const StoreError& e) {
        qCWarning(lcText) << "search failed:" << e.what();
        return {};
    }
}

QString TextChat::localUserName() const {
    return localUser_.isEmpty() ? QStringLiteral("You") : localUser_;
}

QString TextChat::contactName() const {
    std::lock_guard lock(contactMutex_);
    if (!contactName_.isEmpty())
        return contactName_;
    return lastKnownName_.isEmpty() ? tr("Contact") : lastKnownName_;
}

std::optional<QUuid> TextChat::send(const QString& body) {
    sendError_.clear();
    if (const QString problem = composeProblem(body); !problem.isEmpty()) {
        sendError_ = problem;
        return std::nullopt;
    }
    TextMessage message = makeOutgoingMessage(body);
    try {
        // On disk first: from here on the message survives anything, and the sender finds it.
        store_->addOutgoing(message, localUserName());
    } catch (const StoreError& e) {
        qCWarning(lcText) << "cannot queue a message:" << e.what();
        sendError_ = tr("the message could not be saved (%1)").arg(QString::fromUtf8(e.what()));
        return std::nullopt;
    }
    refresh();
    wakeup_.newWork();
    return message.id;
}

bool TextChat::retry(const QUuid& id) {
    auto it = undelivered_.find(id);
    if (it == undelivered_.end()) {
        // A failed message goes back to the outbox, in its original place.
        const int index = conversation_.indexOfOutgoing(id);
        if (index < 0 || conversation_.at(index).state != MessageState::Failed)
            return false;
        try {
            store_->setStatus(id, OutgoingStatus::Queued);
        } catch (const StoreError& e) {
            qCWarning(lcText) << "cannot queue" << id << "again:" << e.what();
            return false;
        }
        it = undelivered_.insert(id, {});
    }
    it->since.start(); // patience again from now
    conversation_.setState(id, MessageState::Sending);
    if (!patienceTimer_.isActive())
        patienceTimer_.start();
    wakeup_.retryNow();
    qCDebug(lcText) << "retry now requested for" << id;
    return true;
}

void TextChat::setPeer(const sdk::PeerInfo& peer) {
    const QString name = QString::fromStdString(peer.user);
    {
        std::lock_guard lock(contactMutex_);
        contactName_ = name;
    }
    if (!name.isEmpty()) {
        // Messages that came before the hello are the contact's: store them under its name, so
        // a restart shows it too (not "Contact").
        try {
            store_->nameUnnamedIncoming(name);
            conversation_.nameUnnamedIncoming(name);
        } catch (const StoreError& e) {
            qCWarning(lcText) << "cannot name the contact's earlier messages:" << e.what();
        }
    }
    conversation_.setContact({contactName(), peer.online});
    const bool cameOnline = peer.online && !peerOnline_;
    peerOnline_ = peer.online;
    // Back, or able to receive text now: what waits should not wait out its backoff.
    if (peer.online && (cameOnline || !undelivered_.isEmpty()))
        wakeup_.retryNow();
}

void TextChat::refresh() {
    std::vector<StoredMessage> rows;
    try {
        rows = store_->messagesAfter(shownSeq_);
    } catch (const StoreError& e) {
        qCWarning(lcText) << "cannot read the message store:" << e.what();
        return; // the next refresh catches up
    }
    for (const StoredMessage& row : rows) {
        shownSeq_ = row.seq;
        if (row.event) {
            conversation_.addEvent(row.direction == Direction::Outgoing, row.message.sentAt,
                                   eventText(row), row.seq);
            continue;
        }
        if (row.call) {
            conversation_.addCall(row.message.id, row.direction == Direction::Outgoing,
                                  row.message.sentAt, *row.call, row.seq);
            continue;
        }
        if (row.direction == Direction::Incoming) {
            conversation_.addIncoming(row.message, row.sender,
                                      row.seq); // empty sender: the contact's name
            if (historyShown_)
                emit messageArrived(row.sender.isEmpty() ? contactName() : row.sender,
                                    row.message.body);
            continue;
        }
        const QString sender = row.sender.isEmpty() ? localUserName() : row.sender;
        if (row.status == OutgoingStatus::Delivered) {
            conversation_.addOutgoing(row.message, sender, MessageState::Delivered, row.seq);
            continue;
        }
        if (row.status == OutgoingStatus::Failed) {
            conversation_.addOutgoing(row.message, sender, MessageState::Failed, row.seq);
            conversation_.setState(row.message.id, MessageState::Failed, row.error);
            continue;
        }
        Waiting& waiting = undelivered_[row.message.id];
        waiting.since.start();
        conversation_.addOutgoing(row.message, sender, MessageState::Sending, row.seq);
    }
    if (!undelivered_.isEmpty() && !patienceTimer_.isActive())
        patienceTimer_.start();
}

void TextChat::recordCall(const sdk::CallRecord& record) {
    const QUuid id = QUuid::fromString(QString::fromStdString(record.id));
    const QDateTime startedAt = record.startedMs > 0
                                    ? QDateTime::fromMSecsSinceEpoch(record.startedMs, Qt::UTC)
                                    : QDateTime::currentDateTimeUtc();
    try {
        store_->addCall(id,
                        record.direction == sdk::CallRecord::Direction::Outgoing
                            ? Direction::Outgoing
                            : Direction::Incoming,
                        startedAt, {record.outcome, record.activeMs});
    } catch (const StoreError& e) {
        qCWarning(lcText) << "cannot keep the call in the history:" << e.what();
        return;
    }
    refresh();
}

QString TextChat::eventText(const StoredMessage& row) const {
    if (!wording_ || row.eventRecord.isEmpty())
        return *row.event; // written before records (schema 4), or its poster gave none
    // The row's id is "<plugin id>/<its key>" (recordEvent).
    const qsizetype slash = row.eventKey.indexOf(u'/');
    if (slash <= 0)
        return *row.event;
    sdk::TimelineEvent event;
    event.source = row.eventKey.left(slash).toStdString();
    event.key = row.eventKey.mid(slash + 1).toStdString();
    event.outgoing = row.direction == Direction::Outgoing;
    event.timeMs = row.message.sentAt.toMSecsSinceEpoch();
    event.text = row.event->toStdString();
    if (const auto line = wording_(event, row.eventRecord.toStdString()))
        return QString::fromStdString(*line);
    return *row.event;
}

void TextChat::rewordEvents() {
    std::vector<StoredMessage> rows;
    try {
        rows = store_->eventsUpTo(shownSeq_);
    } catch (const StoreError& e) {
        qCWarning(lcText) << "cannot read the history's lines:" << e.what();
        return;
    }
    for (const StoredMessage& row : rows) {
        const int index = conversation_.indexOfSeq(row.seq);
        if (index < 0 || row.eventRecord.isEmpty())
            continue;
        if (const QString text = eventText(row); conversation_.at(index).event != text)
            conversation_.setEventText(row.seq, text);
    }
}

void TextChat::recordEvent(const sdk::TimelineEvent& event, const std::string& record) {
    const QString key = QString::fromStdString(event.source + "/" + event.key);
    // Worded by the poster just now: in the language of the moment.
    const QString text = QString::fromStdString(event.text);
    std::optional<qint64> seq;
    try {
        seq = store_->setEvent(key, event.outgoing ? Direction::Outgoing : Direction::Incoming,
                               QDateTime::fromMSecsSinceEpoch(event.timeMs, Qt::UTC), text,
                               QString::fromStdString(record));
    } catch (const StoreError& e) {
        qCWarning(lcText) << "cannot keep" << key << "in the history:" << e.what();
        return;
    }
    if (!seq)
        return; // the line already says this
    if (!conversation_.setEventText(*seq, text))
        refresh(); // a new row
}

void TextChat::showDelivered(const QUuid& id) {
    undelivered_.remove(id);
    conversation_.setState(id, MessageState::Delivered);
    if (undelivered_.isEmpty())
        patienceTimer_.stop();
}

void TextChat::showFailed(const QUuid& id, const QString& error) {
    undelivered_.remove(id);
    conversation_.setState(id, MessageState::Failed, error);
    if (undelivered_.isEmpty())
        patienceTimer_.stop();
}

void TextChat::noteFailedAttempt(const QUuid& id, const QString& error) {
    auto it = undelivered_.find(id);
    if (it == undelivered_.end())
        return;
    it->lastError = error;
    const int index = conversation_.indexOfOutgoing(id);
    if (index < 0)
        return;
    if (const MessageState state = conversation_.at(index).state;
        state == MessageState::Retrying || state == MessageState::Sending)
        conversation_.setState(id, state, error);
}

void TextChat::checkPatience() {
    for (auto it = undelivered_.begin(); it != undelivered_.end(); ++it) {
        if (it->since.elapsed() < timing_.patience.count())
            continue;
        const int index = conversation_.indexOfOutgoing(it.key());
        if (index >= 0 && conversation_.at(index).state == MessageState::Sending)
            conversation_.setState(it.key(), MessageState::Retrying, it->lastError);
    }
}

xmlrpc_c::value TextChat::handleSendCall(const xmlrpc_c::paramList& params) {
    const TextMessage message = parseSendParams(params);
    QString sender;
    {
        // Before the contact's hello: the name it had last time (empty if none yet; setPeer()
        // names such messages once the hello comes).
        std::lock_guard lock(contactMutex_);
        sender = contactName_.isEmpty() ? lastKnownName_ : contactName_;
    }
    MessageStore::Insert result;
    QElapsedTimer timer;
    timer.start();
    try {
        // Stored before we answer: a "delivered" receipt means the message is on disk.
        result = store_->addIncoming(message, sender);
    } catch (const StoreError& e) {
        qCWarning(lcText) << "cannot store an incoming message:" << e.what();
        throw sdk::fault(sdk::kFaultUnavailable, std::string(kSendMethod) +
                                                     ": the message could not be stored, "
                                                     "try again later");
    }
    qCDebug(lcText) << "stored incoming" << message.id << "in" << timer.nsecsElapsed() / 1000
                    << "us" << (result == MessageStore::Insert::Duplicate ? "(duplicate)" : "");
    if (result == MessageStore::Insert::Duplicate)
        return makeReceipt(message.id, ReceiptStatus::Duplicate);
    // Queued, never blocking: the GUI thread may be busy, and the sender waits for our answer.
    // The conversation reads the store, so its order is the store's even if two of these
    // refreshes overtake each other.
    QMetaObject::invokeMethod(this, &TextChat::refresh, Qt::QueuedConnection);
    return makeReceipt(message.id, ReceiptStatus::Delivered);
}

void TextChat::runSender(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream,
                         std::function<sdk::PeerInfo()> peer) {
    sdk::Backoff backoff(timing_.firstRetry, timing_.maxRetry);
    while (!stop.stop_requested()) {
        // Taken before looking: an event that comes in while we look or send is not missed.
        const SenderWakeup::Ticket ticket = wakeup_.ticket();
        std::optional<StoredMessage> head;
        DeliveryOutcome outcome;
        try {
            head = store_->outboxHead();
            if (!head) {
                if (wakeup_.waitForWork(stop, ticket) == SenderWakeup::Woken::RetryNow)
                    backoff.reset();
                continue;
            }
            outcome =
                deliverTextMessage(stream.get(), peer ? peer() : sdk::PeerInfo{}, head->message);
            // A call cut short by shutdown is no verdict: the message stays in the outbox.
            if (!outcome.delivered && stop.stop_requested())
                return;
            if (outcome.delivered) {
                // If we die before this, the next start sends it again and the contact answers
                // "duplicate": still shown once.
                store_->markDelivered(head->message.id);
                backoff.reset();
                QMetaObject::invokeMethod(
                    this, [this, id = head->message.id] { showDelivered(id); },
                    Qt::QueuedConnection);
                continue;
            }
            if (outcome.permanent) {
                // Retrying cannot help, and waiting would hold up every later message: set it
                // aside (the user may retry it) and go on with the next.
                qCInfo(lcText) << "message" << head->message.id << "failed:" << outcome.error;
                store_->setStatus(head->message.id, OutgoingStatus::Failed, outcome.error);
                QMetaObject::invokeMethod(
                    this,
                    [this, id = head->message.id, error = outcome.error] { showFailed(id, error); },
                    Qt::QueuedConnection);
                continue;
            }
        } catch (const StoreError& e) {
            qCWarning(lcText) << "the sender cannot use the message store:" << e.what();
            outcome = {false, QString::fromUtf8(e.what())};
        }
        if (head) {
            qCDebug(lcText) << "message" << head->message.id << "not delivered:" << outcome.error;
            QMetaObject::invokeMethod(
                this,
                [this, id = head->message.id, error = outcome.error] {
                    noteFailedAttempt(id, error);
                },
                Qt::QueuedConnection);
        }
        const std::chrono::milliseconds delay = backoff.next();
        switch (wakeup_.waitBackoff(stop, ticket, delay)) {
        case SenderWakeup::Woken::Stopped:
            return;
        case SenderWakeup::Woken::RetryNow:
            backoff.reset();
            break;
        case SenderWakeup::Woken::Work:
        case SenderWakeup::Woken::Timeout:
            break;
        }
    }
}

} // namespace charla::text
