// The text plugin without its window: receives, sends and keeps the conversation. It lives on
// the GUI thread; each entry point says which thread may call it. Nothing is lost or shown twice:
// the message store (message_store.h) is the truth, the Conversation its view.
//
//   composer -> send() -> store (outbox + history) -> Conversation (Sending) -> wake the sender
//   runSender() on the worker: outbox head -> text.send on the peer -> receipt -> store
//       (delivered) -> Conversation (Delivered). On failure: retried with backoff (kFirstRetry
//       doubling to kMaxRetry; at once when the contact comes online or the user asks), one
//       message at a time, in order. After `patience` the message shows "not delivered yet —
//       will retry" while the retries go on. A message that can never go (the contact refuses
//       it as such, or it cannot be encoded) is set aside as Failed and the queue moves on.
//   peer -> handleSendCall() on a server thread -> store (dedupe by id; an acknowledgement means
//       the message is on disk) -> queued -> Conversation (Received)
//   start: the Conversation is filled from the store (history), and the sender resumes the outbox.
#pragma once

#include "conversation.h"
#include "message_store.h"
#include "sender_wakeup.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/peer_info.h>
#include <charla/sdk/timeline.h>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>

namespace charla::text {

struct SenderTiming {
    std::chrono::milliseconds firstRetry{500}; // after the first failed attempt
    std::chrono::milliseconds maxRetry{10000}; // the backoff doubles up to this
    std::chrono::milliseconds patience{10000}; // undelivered this long: "not delivered yet"
};

// Words a plugin's timeline line from its record, in the language of the moment (the poster's
// renderer, sdk::PluginContext::renderTimelineRecord); nullopt: show the line as stored.
using EventWording = std::function<std::optional<std::string>(const sdk::TimelineEvent& event,
                                                              const std::string& record)>;

class TextChat : public QObject {
    Q_OBJECT
public:
    // Opens the store at `storePath` and shows its history, plugins' lines worded by `wording`
    // (none: as stored). Throws StoreError.
    TextChat(QString localUser, const QString& storePath, SenderTiming timing = {},
             EventWording wording = {}, QObject* parent = nullptr);
    ~TextChat() override;

    Conversation& conversation() { return conversation_; }
    const Conversation& conversation() const { return conversation_; }
    MessageStore& store() { return *store_; }
    // Our name on our own messages, and the contact's (the name it had last time until it
    // introduces itself, "Contact" if it never did).
    QString localUserName() const;
    QString contactName() const; // any thread

    // --- GUI thread ---
    // Stores a message from the local user in the outbox, shows it as Sending and wakes the
    // sender. Returns its id, or nullopt (nothing queued) if composeProblem(body) objects or the
    // store cannot be written (sendError() says why).
    std::optional<QUuid> send(const QString& body);
    QString sendError() const { return sendError_; }
    // Asks the sender to try an undelivered message now (the head of the outbox goes first), or
    // puts a failed one back in the outbox.
    bool retry(const QUuid& id);
    // The contact's name; a contact that comes online has the sender retry at once.
    void setPeer(const sdk::PeerInfo& peer);
    // Shows what the store has and the Conversation does not yet.
    void refresh();
    // GUI thread. Keeps a call that ended in the history and shows it (a store that cannot be
    // written is logged: the call is over either way).
    void recordCall(const sdk::CallRecord& record);
    // GUI thread. Keeps a plugin's timeline line in the history and shows it, or rewrites the
    // line it posted before under the same key (a store that cannot be written is logged).
    // `record`: what the line means, in the poster's terms (SDK 1.5; empty if it did not say).
    void recordEvent(const sdk::TimelineEvent& event, const std::string& record = {});
    // Words the plugins' lines shown so far again: once every plugin enabled at startup can word
    // its own (one enabled after this one could not when the history was first shown).
    void rewordEvents();
    // The first message from the contact the user has not seen yet (its seq; 0 if none).
    qint64 firstUnreadSeq() const;
    // The user has seen every message up to `seq`. Saved in the store a moment later (a burst
    // of arrivals is one write) and when the chat closes.
    void markRead(qint64 seq);
    // Searches the whole history (MessageStore::search); empty if the store cannot be read.
    std::vector<StoredMessage> search(const QString& text);

signals:
    // A message from the contact arrived while the chat was open (not the history it opened
    // with): the plugin tells the user (sdk::PluginContext::notifyUser).
    void messageArrived(const QString& sender, const QString& body);

public:
    // --- any thread ---
    // The text.send handler: validates (throws xmlrpc_c::fault), stores with dedupe (fault 503
    // if the store cannot be written: the sender will retry), queues a refresh of the
    // conversation and returns the receipt.
    xmlrpc_c::value handleSendCall(const xmlrpc_c::paramList& params);

    // --- the sender worker ---
    // Delivers the outbox, in order, until `stop` is requested. `peer` reads the latest
    // knowledge about the contact (Channel::peer()).
    void runSender(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream,
                   std::function<sdk::PeerInfo()> peer);

private:
    void showDelivered(const QUuid& id);                           // GUI thread
    void showFailed(const QUuid& id, const QString& error);        // GUI thread
    void noteFailedAttempt(const QUuid& id, const QString& error); // GUI thread
    void checkPatience();                                          // GUI thread

    struct Waiting {
        QElapsedTimer since; // when this process started trying (or the user asked to retry)
        QString lastError;
    };

    // The line a stored timeline row shows now: worded from its record, else as stored.
    QString eventText(const StoredMessage& row) const;

    SenderTiming timing_;
    EventWording wording_;
    QString localUser_;
    std::unique_ptr<MessageStore> store_;
    Conversation conversation_;
    qint64 shownSeq_ = 0;               // GUI thread: the store's last row in the conversation
    QHash<QUuid, Waiting> undelivered_; // GUI thread
    QTimer patienceTimer_;
    qint64 readUpTo_ = 0;      // GUI thread: the user has seen every message up to this seq
    qint64 savedReadUpTo_ = 0; // what the store holds
    QTimer saveReadMark_;
    void saveReadMark();
    QString sendError_;
    bool peerOnline_ = false; // GUI thread
    SenderWakeup wakeup_;
    mutable std::mutex contactMutex_;
    QString contactName_;       // from the contact's hello
    bool historyShown_ = false; // after the first refresh: later incoming rows are news
    QString lastKnownName_;     // the store's, for messages before the hello
};

} // namespace charla::text
