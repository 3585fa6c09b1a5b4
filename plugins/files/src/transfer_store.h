// The persistent side of file transfers: one SQLite file (through Qt SQL) holding every transfer
// in both directions, so that offers, progress and finished files survive a SIGKILL, a restart
// and a reboot, and so that the conversation can show them as history.
//
//   transfers(seq INTEGER PRIMARY KEY AUTOINCREMENT,     -- local order (history)
//             id TEXT, direction INTEGER,                 -- UNIQUE(direction, id)
//             name TEXT, size INTEGER, sha256 TEXT, mime TEXT,   -- as offered (sanitized name
//                                                         --   on the receiving side)
//             path TEXT,    -- sender: the source file; receiver: the .part, then the final file
//             offset INTEGER, -- receiver: bytes of the .part known written and synced
//             state INTEGER, reason TEXT,                 -- State, and why (failed, paused)
//             notify TEXT,  -- a message the peer must still be told ("offer", "answer", ...)
//             created_ms INTEGER)
//
// Schema versions (PRAGMA user_version): 1. A file of 0 is new, or from before the version was
// written (the same tables); one written by a newer Charla is refused.
//
// Durability: WAL, synchronous=FULL, one autocommit statement per change. Threads: every thread
// gets its own connection, closed when it ends (sdk::store::SqliteConnections).
#pragma once

#include <charla/sdk/store/sqlite_connections.h>

#include <QString>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

namespace charla::files {

enum class Direction { Outgoing = 0, Incoming = 1 };

// A transfer's life. Sender: Hashing -> Offering (not yet told) -> Offered -> Transferring ->
// Done; receiver: Offered -> Transferring -> Done. Paused, Declined, Cancelled and Failed from
// either side (Paused goes back to Transferring).
enum class State {
    Hashing = 0,
    Offering = 1,
    Offered = 2,
    Transferring = 3,
    Paused = 4,
    Done = 5,
    Declined = 6,
    Cancelled = 7,
    Failed = 8,
};

const char* stateName(State state);
// Over for good: nothing is sent or received for it any more.
inline bool isFinal(State s) {
    return s == State::Done || s == State::Declined || s == State::Cancelled || s == State::Failed;
}

struct Transfer {
    qint64 seq = 0;
    QString id;
    Direction direction = Direction::Outgoing;
    QString name;
    qint64 size = 0;
    QString sha256; // lower-case hex
    QString mime;
    QString path;
    qint64 offset = 0;
    State state = State::Offered;
    QString reason;
    QString notify;
    qint64 createdMs = 0;
};

class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class TransferStore {
public:
    // Opens (creating the file and its directory) on the calling thread. Throws StoreError.
    explicit TransferStore(QString path);
    ~TransferStore();
    TransferStore(const TransferStore&) = delete;
    TransferStore& operator=(const TransferStore&) = delete;

    const QString& path() const { return db_.path(); }

    // A new row; false if (direction, id) exists (nothing changes). Sets t.seq. Throws StoreError.
    bool insert(Transfer& t);
    // Writes every column but seq/id/direction. Throws StoreError.
    void update(const Transfer& t);
    // Every transfer in history order. Throws StoreError.
    std::vector<Transfer> all();

private:
    sdk::store::SqliteConnections<StoreError> db_;
};

} // namespace charla::files
