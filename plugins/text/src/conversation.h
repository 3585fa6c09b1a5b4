// The conversation as the user sees it: every message sent and received, in the order they
// appeared here (the message store's order, history included), with the delivery state of the
// outgoing ones. Lives on the GUI thread; other threads reach it through queued calls (TextChat).
#pragma once

#include "call_entry.h"
#include "text_message.h"

#include <QHash>
#include <QObject>

#include <vector>

namespace charla::text {

enum class MessageState {
    Sending,   // outgoing, queued or on the wire
    Delivered, // outgoing, the contact acknowledged it
    Retrying,  // outgoing, still not delivered after a while; still being retried, `error` says
               // why the last attempt failed, and the user may ask to retry now
    Failed,    // outgoing, refused for good (retrying cannot help); `error` says why; the user
               // may still retry
    Received,  // incoming
};

// The contact as the conversation shows it right now: its name on messages stored without one,
// and whether our undelivered messages wait for it to come online.
struct ContactState {
    QString name = QStringLiteral("Contact");
    bool online = true;
    bool operator==(const ContactState&) const = default;
};

struct ChatMessage {
    qint64 seq = 0; // the store's row (0: not stored); what search results and the read mark name
    QUuid id;
    QDateTime sentAt; // UTC
    QString body;
    QString sender; // display name; empty: the contact's (ContactState::name)
    bool outgoing = false;
    MessageState state = MessageState::Received;
    QString error;
    std::optional<CallEntry> call; // set: a call that ended (sentAt: when it began), no body
    std::optional<QString> event;  // set: a plugin's timeline line (sdk::TimelineEvent), no body

    // A line of the history (a call, a plugin's event) rather than a message.
    bool isLine() const { return call || event; }

    TextMessage toTextMessage() const { return {id, sentAt, body}; }
};

class Conversation : public QObject {
    Q_OBJECT
public:
    explicit Conversation(QObject* parent = nullptr);

    const std::vector<ChatMessage>& messages() const { return messages_; }
    int size() const { return int(messages_.size()); }
    const ChatMessage& at(int index) const { return messages_.at(std::size_t(index)); }
    // Index of the outgoing message with this id, or -1. Incoming messages are not searched: in a
    // loopback test both sides share one conversation and one id.
    int indexOfOutgoing(const QUuid& id) const;

    void addOutgoing(const TextMessage& message, const QString& sender,
                     MessageState state = MessageState::Sending, qint64 seq = 0);
    void addIncoming(const TextMessage& message, const QString& sender, qint64 seq = 0);
    // A call that ended (`outgoing`: we placed it), begun at `startedAt`.
    void addCall(const QUuid& callId, bool outgoing, const QDateTime& startedAt,
                 const CallEntry& call, qint64 seq = 0);
    // A plugin's timeline line (`outgoing`: the local user did it), stored as `seq`.
    void addEvent(bool outgoing, const QDateTime& at, const QString& text, qint64 seq);
    // Rewrites the timeline line stored as `seq`; false if there is none.
    bool setEventText(qint64 seq, const QString& text);
    // Index of the message stored as `seq`, or -1.
    int indexOfSeq(qint64 seq) const;
    // Updates an outgoing message; false if there is none with this id.
    bool setState(const QUuid& id, MessageState state, const QString& error = {});
    // Gives the contact's messages that were received without a name this one.
    void nameUnnamedIncoming(const QString& sender);

    const ContactState& contact() const { return contact_; }
    void setContact(const ContactState& contact);

signals:
    void messageAdded(int index);
    void messageChanged(int index);
    void contactChanged();

private:
    void append(ChatMessage message);

    std::vector<ChatMessage> messages_;
    QHash<QUuid, int> outgoingIndex_;
    ContactState contact_;
};

} // namespace charla::text
