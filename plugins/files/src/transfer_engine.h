// File transfers without a window: the wire handlers (files.offer, files.answer, files.read,
// files.pause, files.cancel, files.done; docs/protocol-files.md), the user's actions, and the two
// workers that move the bytes. The receiver pulls: it asks the sender for the bytes at an offset
// of its choosing, so resuming (after a cut, a SIGKILL, a reboot) is asking from the size of its
// own synced .part, and a contact can never push data the receiver did not ask for.
//
// Threads: handlers run on the host's server threads, user actions on the GUI thread, the two
// workers on their own; one mutex guards the transfers and is never held over file or network
// I/O. File I/O is bounded (one chunk, at most kMaxChunkBytes) wherever it happens.
#pragma once

#include "transfer_store.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/media/rate_meter.h>

#include <QString>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
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

    // --- the user (any thread). send() returns the new transfer's id, or "" with `error` set.
    QString send(const QString& path, QString* error = nullptr);
    bool accept(const QString& id);
    bool decline(const QString& id);
    bool pause(const QString& id, Direction direction);
    bool resume(const QString& id, Direction direction);
    bool cancel(const QString& id, Direction direction);

    std::vector<Transfer> transfers() const;
    std::optional<Transfer> transfer(const QString& id, Direction direction) const;
    Progress progress(const QString& id, Direction direction) const;

    // --- the workers, each with its own stream to the peer.
    // Hashes what the user sends and tells the peer offers, answers, pauses, cancels, results.
    void runControl(std::stop_token stop, sdk::PeerStream& stream);
    // Pulls accepted incoming transfers, one at a time, chunk after chunk.
    void runReceiver(std::stop_token stop, sdk::PeerStream& stream);
    // Wakes both workers (e.g. the contact came online).
    void wake();

private:
    using Key = std::pair<int, QString>;
    static Key key(Direction d, const QString& id) { return {static_cast<int>(d), id}; }
    Transfer* find(Direction d, const QString& id);
    // Stores `t` (lock held), records it in memory, and marks that listeners must hear of it.
    void save(const Transfer& t);
    void changed();
    sdk::media::RateMeter& meter(const Key& k);

    bool hashOne(std::stop_token stop, const QString& id);
    enum class Sent { Done, Retry };
    Sent notifyOne(sdk::PeerStream& stream, const Transfer& t);
    // Returns false when the network failed (retry after a pause).
    bool receiveOne(std::stop_token stop, sdk::PeerStream& stream, const QString& id);
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
};

} // namespace charla::files
