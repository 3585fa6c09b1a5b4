// The text plugin without its window: receives, sends and keeps the conversation. It lives on
// the GUI thread; each entry point says which thread may call it.
//
//   composer -> send() -> Conversation (Sending) + Outbox -> runSender() on the worker
//            -> text.send on the peer -> result queued back -> Conversation (Delivered/Failed)
//   peer -> handleSendCall() on a server thread -> dedupe -> queued -> Conversation (Received)
#pragma once

#include "conversation.h"
#include "outbox.h"
#include "seen_message_ids.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/peer_info.h>

#include <QObject>

#include <functional>
#include <memory>
#include <optional>
#include <stop_token>

namespace charla::text {

class TextChat : public QObject {
    Q_OBJECT
public:
    explicit TextChat(QString localUser, QObject* parent = nullptr);

    Conversation& conversation() { return conversation_; }
    const Conversation& conversation() const { return conversation_; }
    // Our name on our own messages, and the contact's ("Contact" until it introduces itself).
    QString localUserName() const;
    QString contactName() const;

    // --- GUI thread ---
    // Queues a message from the local user and shows it as Sending. Returns its id, or nullopt
    // (nothing queued) if composeProblem(body) objects.
    std::optional<QUuid> send(const QString& body);
    // Queues a failed outgoing message again, with the same id so the receiver can dedupe.
    bool retry(const QUuid& id);
    void setPeer(const sdk::PeerInfo& peer);

    // --- any thread ---
    // The text.send handler: validates (throws xmlrpc_c::fault), dedupes, queues the message to
    // the GUI thread and returns the receipt at once.
    xmlrpc_c::value handleSendCall(const xmlrpc_c::paramList& params);
    std::size_t queuedCount() const { return outbox_.size(); }

    // --- the sender worker ---
    // Sends queued messages one by one until `stop` is requested. `peer` reads the latest
    // knowledge about the contact (Channel::peer()).
    void runSender(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream,
                   std::function<sdk::PeerInfo()> peer);

private:
    void receive(const TextMessage& message); // GUI thread

    Conversation conversation_;
    Outbox outbox_;
    SeenMessageIds seen_;
    QString localUser_;
    QString contactName_; // GUI thread only
};

} // namespace charla::text
