// The persistent side of text chat: one SQLite file (through Qt SQL) that holds the conversation
// history and the outbox, so that nothing is lost or shown twice across crashes and restarts.
//
//   messages(seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- local order: when it was sent/received here
//            id TEXT, direction INTEGER,               -- UNIQUE(direction, id): the dedupe key
//            sent_at TEXT, body TEXT, sender TEXT,     -- as on the wire; sender's display name
//            status INTEGER, error TEXT,               -- outgoing: queued, delivered or failed
//            call TEXT, call_active_ms INTEGER,        -- a call's outcome ('' for a message)
//            event TEXT,                               -- a plugin's timeline line ('' if none)
//            event_record TEXT)                        -- what it means, in the poster's terms
//
//   meta(key TEXT PRIMARY KEY, value INTEGER)       -- "read_up_to": the last seq the user saw
//   messages_fts                                    -- FTS5 index of body (rowid = seq), kept by
//                                                      triggers; absent if SQLite lacks FTS5
//
// Schema versions (PRAGMA user_version): 1 had messages only; 2 adds meta and messages_fts; 3
// adds call and call_active_ms; 4 adds event; 5 adds event_record. Opening an older file upgrades
// it in place, keeping every row (a version 1 history counts as read).
//
// A call that ended is a row of its own: its call id, direction and start time (sent_at), an
// empty body (so no search finds it), delivered (so it never enters the outbox), and `call` set.
// A plugin's timeline event (sdk::TimelineEvent, "📎 photo.png · 2.3 MB — received") is one too:
// id "<plugin id>/<key>", the line in `event`; posted again, the row's line is rewritten in place.
// `event_record` is the poster's own account of what the line means (SDK 1.5): the line is worded
// from it by the poster each time it is shown, `event` (as worded when posted) when it cannot be.
//
// The outbox is the outgoing rows with status queued, in seq order. History is every row in seq
// order: the order things happened on this machine, never the other machine's clock.
//
// Durability: WAL journal with synchronous=FULL. Every write is one autocommit statement, so a
// SIGKILL at any moment leaves either the whole row or none of it; FULL also fsyncs the WAL on
// each commit, so what we acknowledged survives an OS crash or power loss too (NORMAL would
// survive a SIGKILL but not those). The cost is one fsync per message (see tests/text).
//
// Threads: every thread that calls the store gets its own connection, opened on first use and
// closed when that thread ends (sdk::store::SqliteConnections). All methods may be called from
// any thread; SQLite serialises the writers (busy timeout kBusyTimeoutMs).
#pragma once

#include "call_entry.h"
#include "text_message.h"

#include <charla/sdk/store/sqlite_connections.h>

#include <QString>

#include <optional>
#include <stdexcept>
#include <vector>

namespace charla::text {

enum class Direction { Outgoing = 0, Incoming = 1 };
// An outgoing message's fate. Failed: refused for good (see DeliveryOutcome::permanent) until
// the user retries it.
enum class OutgoingStatus { Queued = 0, Delivered = 1, Failed = 2 };

struct StoredMessage {
    qint64 seq = 0;
    Direction direction = Direction::Outgoing;
    TextMessage message;
    QString sender; // display name when stored; empty if the contact had not introduced itself
    OutgoingStatus status = OutgoingStatus::Queued; // outgoing only
    QString error;                                  // why it failed
    std::optional<CallEntry> call;                  // set: a call, not a message
    std::optional<QString> event;                   // set: a plugin's timeline line
    QString eventKey;                               // its id: "<plugin id>/<the plugin's key>"
    QString eventRecord; // what the line means, in its poster's terms ('' if not said)
};

// How search() looks: FullText uses the FTS5 index (LIKE when there is none, or when the search
// has no letter or digit, which FTS5 does not index); Like always scans the bodies.
enum class SearchMethod { FullText, Like };

class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class MessageStore {
public:
    // A writer waits at most this long for another connection's write before giving up.
    static constexpr int kBusyTimeoutMs = sdk::store::SqliteConnections<StoreError>::kBusyTimeoutMs;

    // Opens (creating the file and its directory if needed) and checks the schema on the calling
    // thread. Throws StoreError with a readable reason.
    explicit MessageStore(QString path);
    ~MessageStore();
    MessageStore(const MessageStore&) = delete;
    MessageStore& operator=(const MessageStore&) = delete;

    const QString& path() const { return db_.path(); }

    // All of these throw StoreError when the database cannot be read or written.
    // A new message of the local user, undelivered: the outbox's new tail.
    void addOutgoing(const TextMessage& message, const QString& sender);
    enum class Insert { Added, Duplicate };
    // A message from the contact; Duplicate (and nothing written) if this id came before.
    Insert addIncoming(const TextMessage& message, const QString& sender);
    // A call that ended, started (began to ring) at `startedAt`.
    void addCall(const QUuid& callId, Direction direction, const QDateTime& startedAt,
                 const CallEntry& call);
    // A plugin's timeline line under `key` ("<plugin id>/<its key>"): added at `at`, or its text
    // and record rewritten where it is. Returns the row's seq when something changed, nullopt
    // when the row already said exactly this (nothing is written).
    std::optional<qint64> setEvent(const QString& key, Direction direction, const QDateTime& at,
                                   const QString& text, const QString& record = {});
    // The oldest undelivered outgoing message: the one the sender must deliver next.
    std::optional<StoredMessage> outboxHead();
    std::vector<StoredMessage> outbox();
    // Sets an outgoing message's status (and the reason, for Failed); false if there is none.
    // Queued again puts a failed message back in the outbox, in its original place.
    bool setStatus(const QUuid& id, OutgoingStatus status, const QString& error = {});
    bool markDelivered(const QUuid& id) { return setStatus(id, OutgoingStatus::Delivered); }
    // Every message with seq > `afterSeq`, in seq order (afterSeq 0: the whole history).
    std::vector<StoredMessage> messagesAfter(qint64 afterSeq);
    // The plugins' timeline lines with seq <= `upToSeq`, in seq order.
    std::vector<StoredMessage> eventsUpTo(qint64 upToSeq);
    // The name on the newest incoming message that has one (empty if none): who the contact was
    // last time, before it introduces itself again.
    QString lastContactName();
    // Names the incoming messages stored before the contact introduced itself; returns how many.
    int nameUnnamedIncoming(const QString& sender);

    // The last seq the user has seen (0: none); setReadUpTo() only moves it forward.
    qint64 readUpTo();
    void setReadUpTo(qint64 seq);

    // The newest `limit` messages that contain `text` (at most its first 1000 characters), newest
    // first. FullText: every word of `text` as a word prefix, accents and case ignored ("cafe"
    // finds "Café"); Like: `text` as a substring, ASCII case ignored. Any input is just text:
    // quotes, FTS5 operators and LIKE wildcards match themselves or nothing, never an error.
    std::vector<StoredMessage> search(const QString& text, int limit = 500,
                                      SearchMethod method = SearchMethod::FullText);
    // Whether this store has the FTS5 index (decided on open).
    bool hasFullTextIndex() const { return fts_; }

private:
    QSqlDatabase connection() { return db_.connection(); }
    std::vector<StoredMessage> select(const QString& where, qint64 value, int limit);

    sdk::store::SqliteConnections<StoreError> db_;
    bool fts_ = false;
};

// "text-<user>.sqlite", the user name percent-encoded so that any name is one safe file name.
QString defaultStoreFileName(const QString& localUser);

} // namespace charla::text
