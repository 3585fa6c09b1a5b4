// File transfers without a window: the wire handlers (files.offer, files.answer, files.read,
// files.pause, files.cancel, files.done; docs/protocol-files.md), the user's actions, and the two
// workers that move the bytes. The receiver pulls: it asks the sender for the bytes at an offset
// of its choosing, so resuming (after a cut, a SIGKILL, a reboot) is asking from the size of its
// own synced .part, and a contact can never push data the receiver did not ask for.
//
// Threads: handlers run on the host's server threads, the two workers on their own, user actions
// on the engine's action thread (post()). One mutex guards the transfers; it is never held over
// file or network I/O, but it is held over SQLite commits (synchronous=FULL: an fsync), so the
// GUI thread never takes it: it reads a snapshot (transfers(), progress()) that is copied under
// a second mutex held only for the copy. File I/O is bounded (one chunk, at most kMaxChunkBytes)
// wherever it happens.
#pragma once

#include "transfer_store.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/media/rate_meter.h>

#include <QString>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

namespace charla::files {

// The largest chunk files.read serves and asks for (1 MiB: ~1.4 MB of XML on the wire).
inline constexpr int kMaxChunkBytes = 1 << 20;
// The largest file offered or accepted: far beyond any real file, below every limit of the
// integers involved (2^53 for a double on the wire).
inline constexpr qint64 kMaxFileBytes = qint64(1) << 40; // 1 TiB

// Method names (docs/protocol-files.md).
inline constexpr const char* kOfferMethod = "files.offer";
inline constexpr const char* kAnswerMethod = "files.answer";
inline constexpr const char* kReadMethod = "files.read";
inline constexpr const char* kPauseMethod = "files.pause";
inline constexpr const char* kCancelMethod = "files.cancel";
inline constexpr const char* kDoneMethod = "files.done";

struct EngineConfig {
    QString storePath;
    QString downloadDir;         // received files land here (created when needed)
    qint64 autoAcceptBytes = -1; // offers up to this size are accepted at once; -1: never
    qint64 maxFileBytes = kMaxFileBytes;
    // What the receiver asks for per files.read: 128 KiB measured best (bench/files: 1 MiB
    // chunks moved 12 MB/s on loopback and 38 % of a 100 Mbit/s link, 128 KiB 28 MB/s and 73 %).
    int chunkBytes = 128 * 1024;
    // files.read requests outstanding at once (1 or 2, each on its own stream): one call's time
    // (building, sending, parsing the XML; the link's round trip) overlaps the other's.
    int readsInFlight = 2;
    qint64 syncEveryBytes = 8 << 20; // the .part is fsynced and its offset stored this often
};

// The bytes of a files.read answer, checked against the request: {offset: the one asked, data:
// 1..length bytes}. Throws xmlrpc_c::fault (sdk::StructError) naming what is wrong.
std::vector<unsigned char> parseReadAnswer(const xmlrpc_c::value& answer, qint64 offset,
                                           int length);

// What a transfer has moved so far, for the progress line.
struct Progress {
    qint64 bytes = 0;
    qint64 size = 0;
    double bytesPerSecond = 0;
};

class TransferEngine {
public:
    // Opens the store and loads every transfer. Throws StoreError.
    explicit TransferEngine(EngineConfig config);
    ~TransferEngine();
    TransferEngine(const TransferEngine&) = delete;
    TransferEngine& operator=(const TransferEngine&) = delete;

    // Called (on any thread, no lock held) after a transfer changed state or arrived.
    void setListener(std::function<void()> listener);
    void setAutoAcceptBytes(qint64 bytes);
    QString downloadDir() const { return config_.downloadDir; }

    // --- the wire: method handlers (any thread). They throw xmlrpc_c::fault for what is refused,
    // and a refused call changes nothing.
    xmlrpc_c::value handleOffer(const xmlrpc_c::paramList& params);
    xmlrpc_c::value handleAnswer(const xmlrpc_c::paramList& params);
    xmlrpc_c::value handleRead(const xmlrpc_c::paramList& params);
    xmlrpc_c::value handlePause(const xmlrpc_c::paramList& params);
    xmlrpc_c::value handleCancel(const xmlrpc_c::paramList& params);
    xmlrpc_c::value handleDone(const xmlrpc_c::paramList& params);

    // Runs `action` on the engine's action thread, in order. The GUI posts the user's actions
    // here: they take the engine's mutex, which may be held across a SQLite commit (an fsync).
    void post(std::function<void()> action);
    // What send() would refuse `path` for ("" if nothing); no lock, one stat.
    QString checkSendable(const QString& path) const;

    // --- the user (any thread but the GUI's: see post()). send() returns the new transfer's id, or
    // "" with `error` set.
    QString send(const QString& path, QString* error = nullptr);
    bool accept(const QString& id);
    bool decline(const QString& id);
    bool pause(const QString& id, Direction direction);
    bool resume(const QString& id, Direction direction);
    bool cancel(const QString& id, Direction direction);

    // The snapshot (any thread, the GUI's included): never waits on a lock held during I/O.
    std::vector<Transfer> transfers() const;
    std::optional<Transfer> transfer(const QString& id, Direction direction) const;
    Progress progress(const QString& id, Direction direction) const;

    // --- the workers, each with its own stream to the peer.
    // Hashes what the user sends and tells the peer offers, answers, pauses, cancels, results.
    void runControl(std::stop_token stop, sdk::PeerStream& stream);
    // Pulls accepted incoming transfers, one at a time, chunk after chunk; with `second` (and
    // readsInFlight 2) the next chunk is asked on it while the current one is on its way.
    void runReceiver(std::stop_token stop, sdk::PeerStream& stream,
                     sdk::PeerStream* second = nullptr);
    // Wakes both workers (e.g. the contact came online).
    void wake();

private:
    using Key = std::pair<int, QString>;
    static Key key(Direction d, const QString& id) { return {static_cast<int>(d), id}; }
    Transfer* find(Direction d, const QString& id);
    // The user moves one transfer from `from` to `to`: saved with the reason shown (nullopt:
    // kept) and the notice the peer must still hear. False, and nothing changes, when the
    // transfer is not in `from`.
    bool step(Direction d, const QString& id, State from, State to,
              const std::optional<QString>& reason, const QString& notice);
    // The contact pauses or cancels: `change` runs (lock held) on a copy of the transfer with this
    // id in each direction the contact knows it in, and saves what it changes. Returns the
    // answer with the resulting state; a fault when there is no such transfer.
    xmlrpc_c::value contactChanges(const char* method, const QString& id,
                                   const std::function<void(Direction, Transfer)>& change);
    // Stores `t` (lock held), records it in memory, and marks that listeners must hear of it.
    void save(const Transfer& t);
    // Copy the transfers / one transfer's progress into the snapshot (mutex_ held).
    void publishLocked();
    void publishProgressLocked(const Key& k);
    void changed();
    sdk::media::RateMeter& meter(const Key& k);

    bool hashOne(std::stop_token stop, const QString& id);
    enum class Sent { Done, Retry };
    Sent notifyOne(sdk::PeerStream& stream, const Transfer& t);
    // The receiver's threads for two reads in flight (transfer_engine.cpp).
    class ReadThreads;
    // Returns false when the network failed (retry after a pause). `threads`: null for one read
    // in flight (made on the calling thread).
    bool receiveOne(std::stop_token stop, sdk::PeerStream& stream, sdk::PeerStream* second,
                    ReadThreads* threads, const QString& id);
    void failIncoming(const QString& id, const QString& reason, State state = State::Failed);

    EngineConfig config_;
    TransferStore store_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::map<Key, Transfer> transfers_;
    std::map<Key, qint64> progress_; // bytes moved (may run ahead of the synced offset)
    std::map<Key, std::unique_ptr<sdk::media::RateMeter>> meters_;
    std::function<void()> listener_;
    std::mutex listenerMutex_;

    // The snapshot the GUI reads; snapshotMutex_ is only ever held to copy (order: mutex_ first).
    mutable std::mutex snapshotMutex_;
    std::vector<Transfer> shownTransfers_; // by seq
    std::map<Key, std::pair<Progress, std::chrono::steady_clock::time_point>> shownProgress_;

    std::mutex actionsMutex_;
    std::condition_variable_any actionsWake_;
    std::deque<std::function<void()>> actions_;
    std::jthread actionThread_; // last: joined (after running what is queued) before the rest goes
};

} // namespace charla::files
