#include "conversation.h"

#include <algorithm>

namespace charla::text {

Conversation::Conversation(QObject* parent) : QObject(parent) {}

int Conversation::indexOfOutgoing(const QUuid& id) const {
    return outgoingIndex_.value(id, -1);
}

void Conversation::addOutgoing(const TextMessage& message, const QString& sender,
                               MessageState state, qint64 seq) {
    outgoingIndex_.insert(message.id, size());
    append({seq, message.id, message.sentAt, message.body, sender, true, state, {}, {}, {}});
}

void Conversation::addIncoming(const TextMessage& message, const QString& sender, qint64 seq) {
    append({seq,
            message.id,
            message.sentAt,
            message.body,
            sender,
            false,
            MessageState::Received,
            {},
            {},
            {}});
}

void Conversation::addCall(const QUuid& callId, bool outgoing, const QDateTime& startedAt,
                           const CallEntry& call, qint64 seq) {
    append({seq, callId, startedAt, {}, {}, outgoing, MessageState::Delivered, {}, call, {}});
}

void Conversation::addEvent(bool outgoing, const QDateTime& at, const QString& text, qint64 seq) {
    ChatMessage line;
    line.seq = seq;
    line.sentAt = at;
    line.outgoing = outgoing;
    line.state = MessageState::Delivered;
    line.event = text;
    append(std::move(line));
}

bool Conversation::setEventText(qint64 seq, const QString& text) {
    const int index = indexOfSeq(seq);
    if (index < 0 || !messages_[std::size_t(index)].event)
        return false;
    messages_[std::size_t(index)].event = text;
    emit messageChanged(index);
    return true;
}

int Conversation::indexOfSeq(qint64 seq) const {
    // Stored messages are appended in seq order.
    const auto it = std::lower_bound(
        messages_.begin(), messages_.end(), seq,
        [](const ChatMessage& message, qint64 value) { return message.seq < value; });
    return it != messages_.end() && it->seq == seq ? int(it - messages_.begin()) : -1;
}

bool Conversation::setState(const QUuid& id, MessageState state, const QString& error) {
    const int index = indexOfOutgoing(id);
    if (index < 0)
        return false;
    ChatMessage& message = messages_[std::size_t(index)];
    // Sending keeps the last attempt's error too (shown as a tooltip while it waits).
    const bool hasError = state != MessageState::Delivered && state != MessageState::Received;
    const QString newError = hasError ? error : QString();
    if (message.state == state && message.error == newError)
        return true; // nothing to redraw
    message.state = state;
    message.error = newError;
    emit messageChanged(index);
    return true;
}

void Conversation::nameUnnamedIncoming(const QString& sender) {
    for (std::size_t i = 0; i < messages_.size(); ++i)
        if (!messages_[i].outgoing && messages_[i].sender.isEmpty()) {
            messages_[i].sender = sender;
            emit messageChanged(int(i));
        }
}

void Conversation::setContact(const ContactState& contact) {
    if (contact == contact_)
        return;
    contact_ = contact;
    emit contactChanged();
}

void Conversation::append(ChatMessage message) {
    messages_.push_back(std::move(message));
    emit messageAdded(size() - 1);
}

} // namespace charla::text
