#include "transfer_engine.h"

#include "file_digest.h"
#include "file_names.h"
#include "files_logging.h"

#include <charla/sdk/background_thread.h>
#include <charla/sdk/backoff.h>
#include <charla/sdk/fault.h>
#include <charla/sdk/struct_reader.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMimeDatabase>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStorageInfo>
#include <QUuid>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <future>
#include <unistd.h>

namespace charla::files {
namespace {

using Struct = std::map<std::string, xmlrpc_c::value>;
using sdk::StructReader;

constexpr auto kCallTimeout = std::chrono::seconds(30);
const QString kPausedByContact = QStringLiteral("paused by the contact");

xmlrpc_c::value str(const QString& s) {
    return xmlrpc_c::value_string(s.toStdString());
}

xmlrpc_c::value statusResult(const QString& status, State state) {
    return xmlrpc_c::value_struct(
        Struct{{"status", str(status)}, {"state", xmlrpc_c::value_string(stateName(state))}});
}

// Ids are the sender's: UUIDs from Charla, any 1-64 letters, digits, '-' and '_' from others.
QString readId(const StructReader& r) {
    const std::string id = r.string("id", 64);
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    const QString q = QString::fromStdString(id);
    if (!valid.match(q).hasMatch())
        r.fail("id", "must be 1-64 letters, digits, '-' or '_'");
    return q;
}

// Sizes and offsets beyond 2^31 travel as i8 or as a double (Python's xmlrpc.client cannot send
// i8); either must be a whole number in 0..max.
qint64 readCount(const StructReader& r, const std::string& name, qint64 max) {
    const double v = r.number(name);
    if (!(v >= 0) || v != std::floor(v) || v > static_cast<double>(max))
        r.fail(name, QStringLiteral("is %1, expected a whole number 0..%2")
                         .arg(v, 0, 'g', 17)
                         .arg(max)
                         .toStdString());
    return static_cast<qint64>(v);
}

[[noreturn]] void noSuchTransfer(const char* method, const QString& id) {
    throw sdk::fault(sdk::kFaultNoSuchCall,
                     QStringLiteral("%1: no transfer %2 here").arg(method, id).toStdString());
}

// A call that failed because the contact, or its Files plugin, is not there just now: unreached,
// or the method unknown (the plugin disabled, or still starting). Asked again later; any other
// fault is the contact's answer.
bool contactNotThereNow(const sdk::PeerCallError& e) {
    return e.kind() != sdk::PeerCallError::Kind::Fault || e.faultCode() == sdk::kFaultUnknownMethod;
}

// Transfer threads run at a lower CPU priority (charla/sdk/background_thread.h).
void backgroundThread(const char* which) {
    if (const int error = sdk::runThisThreadInBackground())
        qCWarning(lcFiles) << "the" << which
                           << "thread keeps its CPU priority:" << std::strerror(error);
}

// Moves `from` to `to` unless `to` exists (partial data never takes a final name, and a file
// that appeared meanwhile is never overwritten).
bool renameNoReplace(const QString& from, const QString& to) {
    const QByteArray a = QFile::encodeName(from), b = QFile::encodeName(to);
    if (::renameat2(AT_FDCWD, a.constData(), AT_FDCWD, b.constData(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno == EINVAL || errno == ENOSYS) // a filesystem without RENAME_NOREPLACE
        return !QFileInfo::exists(to) && QFile::rename(from, to);
    return false;
}

} // namespace

// Two threads for the receiver's two reads in flight, one per stream (a stream is used from one
// thread), made once for the receiver's life: before, every read started a thread of its own
// (std::async). Each takes one call at a time; the receiver never queues more than one on each.
class TransferEngine::ReadThreads {
public:
    std::future<xmlrpc_c::value> call(int which, std::function<xmlrpc_c::value()> call) {
        return threads_[which]->submit(std::move(call));
    }

private:
    class CallThread {
    public:
        std::future<xmlrpc_c::value> submit(std::function<xmlrpc_c::value()> call) {
            std::packaged_task<xmlrpc_c::value()> task(std::move(call));
            auto answer = task.get_future();
            {
                std::lock_guard lock(mutex_);
                tasks_.push_back(std::move(task));
            }
            wake_.notify_one();
            return answer;
        }

    private:
        void run(std::stop_token stop) {
            for (;;) {
                std::packaged_task<xmlrpc_c::value()> task;
                {
                    std::unique_lock lock(mutex_);
                    if (!wake_.wait(lock, stop, [&] { return !tasks_.empty(); }))
                        return; // what is still queued is dropped: its future says broken_promise
                    task = std::move(tasks_.front());
                    tasks_.pop_front();
                }
                task(); // an exception goes to the future
            }
        }

        std::mutex mutex_;
        std::condition_variable_any wake_;
        std::deque<std::packaged_task<xmlrpc_c::value()>> tasks_;
        std::jthread thread_{[this](std::stop_token stop) { run(stop); }}; // last: joined first
    };
    std::unique_ptr<CallThread> threads_[2] = {std::make_unique<CallThread>(),
                                               std::make_unique<CallThread>()};
};

std::vector<unsigned char> parseReadAnswer(const xmlrpc_c::value& result, qint64 offset,
                                           int length) {
    const StructReader answer(result, kReadMethod);
    if (readCount(answer, "offset", kMaxFileBytes) != offset)
        answer.fail("offset", "is not the offset asked for");
    auto data = answer.bytes("data", static_cast<std::size_t>(std::max(length, 0)));
    if (data.empty())
        answer.fail("data", "is empty");
    return data;
}

TransferEngine::TransferEngine(EngineConfig config)
    : config_(std::move(config)), store_(config_.storePath) {
    for (Transfer& t : store_.all()) {
        const Key k = key(t.direction, t.id);
        progress_[k] = t.offset;
        transfers_.emplace(k, std::move(t));
    }
    std::lock_guard lock(mutex_);
    publishLocked();
    for (const auto& [k, t] : transfers_)
        publishProgressLocked(k);
    actionThread_ = std::jthread([this](std::stop_token stop) {
        for (;;) {
            std::function<void()> action;
            {
                std::unique_lock lock(actionsMutex_);
                // Stop only once the queue is empty: a user's cancel is never dropped.
                actionsWake_.wait(lock, stop, [this] { return !actions_.empty(); });
                if (actions_.empty())
                    return;
                action = std::move(actions_.front());
                actions_.pop_front();
            }
            try {
                action();
            } catch (const std::exception& e) {
                qCWarning(lcFiles) << "user action failed:" << e.what();
            }
        }
    });
}

void TransferEngine::post(std::function<void()> action) {
    {
        std::lock_guard lock(actionsMutex_);
        actions_.push_back(std::move(action));
    }
    actionsWake_.notify_all();
}

void TransferEngine::publishLocked() {
    std::vector<Transfer> out;
    out.reserve(transfers_.size());
    for (const auto& [k, t] : transfers_)
        out.push_back(t);
    std::sort(out.begin(), out.end(),
              [](const Transfer& a, const Transfer& b) { return a.seq < b.seq; });
    std::lock_guard lock(snapshotMutex_);
    shownTransfers_.swap(out);
}

void TransferEngine::publishProgressLocked(const Key& k) {
    Progress p;
    if (auto it = progress_.find(k); it != progress_.end())
        p.bytes = it->second;
    if (auto m = meters_.find(k); m != meters_.end())
        p.bytesPerSecond = m->second->rates().bytesPerSecond;
    std::lock_guard lock(snapshotMutex_);
    shownProgress_[k] = {p, std::chrono::steady_clock::now()};
}

TransferEngine::~TransferEngine() = default;

void TransferEngine::setListener(std::function<void()> listener) {
    std::lock_guard lock(listenerMutex_);
    listener_ = std::move(listener);
}

void TransferEngine::setAutoAcceptBytes(qint64 bytes) {
    std::lock_guard lock(mutex_);
    config_.autoAcceptBytes = bytes;
}

void TransferEngine::changed() {
    wake_.notify_all();
    std::function<void()> listener;
    {
        std::lock_guard lock(listenerMutex_);
        listener = listener_;
    }
    if (listener)
        listener();
}

void TransferEngine::wake() {
    wake_.notify_all();
}

Transfer* TransferEngine::find(Direction d, const QString& id) {
    auto it = transfers_.find(key(d, id));
    return it == transfers_.end() ? nullptr : &it->second;
}

void TransferEngine::save(const Transfer& t) {
    store_.update(t);
    transfers_[key(t.direction, t.id)] = t;
    publishLocked();
}

sdk::media::RateMeter& TransferEngine::meter(const Key& k) {
    auto& m = meters_[k];
    if (!m)
        m = std::make_unique<sdk::media::RateMeter>(std::chrono::seconds(3));
    return *m;
}

// --- the wire ----------------------------------------------------------------------------------

xmlrpc_c::value TransferEngine::handleOffer(const xmlrpc_c::paramList& params) {
    const auto r = StructReader::onlyParam(params, kOfferMethod);
    Transfer t;
    t.direction = Direction::Incoming;
    t.id = readId(r);
    const QString offeredName = QString::fromStdString(r.string("name", 1024));
    if (offeredName.trimmed().isEmpty())
        r.fail("name", "is empty");
    t.name = sanitizeFileName(offeredName);
    t.size = readCount(r, "size", config_.maxFileBytes);
    t.sha256 = QString::fromStdString(r.string("sha256", 64)).toLower();
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    if (!hex.match(t.sha256).hasMatch())
        r.fail("sha256", "must be 64 hexadecimal digits");
    t.mime = QString::fromStdString(r.optionalString("mime", 255).value_or(""));
    static const QRegularExpression mime(
        QStringLiteral("^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$"));
    if (!mime.match(t.mime).hasMatch())
        t.mime = QStringLiteral("application/octet-stream");

    // Will it fit? Refused now rather than failing at 99 %.
    QDir().mkpath(config_.downloadDir);
    const QStorageInfo storage(config_.downloadDir);
    if (storage.isValid() && storage.bytesAvailable() >= 0 && t.size > storage.bytesAvailable())
        throw sdk::fault(sdk::kFaultTooLarge,
                         QStringLiteral("files.offer: %1 bytes do not fit, %2 bytes are free here")
                             .arg(t.size)
                             .arg(storage.bytesAvailable())
                             .toStdString());

    {
        std::lock_guard lock(mutex_);
        if (const Transfer* existing = find(Direction::Incoming, t.id)) {
            // The same offer again (its answer was lost): fine. Another file under that id: no.
            if (existing->size != t.size || existing->sha256 != t.sha256)
                throw sdk::fault(sdk::kFaultDuplicate,
                                 QStringLiteral("files.offer: transfer %1 exists with another "
                                                "file")
                                     .arg(t.id)
                                     .toStdString());
            return statusResult(QStringLiteral("duplicate"), existing->state);
        }
        const bool automatic = config_.autoAcceptBytes >= 0 && t.size <= config_.autoAcceptBytes;
        t.state = automatic ? State::Transferring : State::Offered;
        t.notify = automatic ? QStringLiteral("answer") : QString();
        if (!store_.insert(t))
            throw sdk::fault(sdk::kFaultDuplicate, "files.offer: transfer exists");
        transfers_[key(t.direction, t.id)] = t;
        progress_[key(t.direction, t.id)] = 0;
        publishLocked();
        publishProgressLocked(key(t.direction, t.id));
        qCInfo(lcFiles).noquote() << "offer" << t.id << t.name << t.size << "bytes"
                                  << (automatic ? "(accepted automatically)" : "");
    }
    changed();
    return statusResult(QStringLiteral("offered"), t.state);
}

xmlrpc_c::value TransferEngine::handleAnswer(const xmlrpc_c::paramList& params) {
    const auto r = StructReader::onlyParam(params, kAnswerMethod);
    const QString id = readId(r);
    const bool accepted = r.boolean("accept");
    State state;
    {
        std::lock_guard lock(mutex_);
        Transfer* t = find(Direction::Outgoing, id);
        if (!t || t->state == State::Hashing)
            noSuchTransfer(kAnswerMethod, id);
        if (t->state == State::Offering || t->state == State::Offered) {
            Transfer u = *t;
            u.state = accepted ? State::Transferring : State::Declined;
            u.reason = accepted ? QString() : QStringLiteral("declined by the contact");
            if (u.notify == QLatin1String("offer"))
                u.notify.clear();
            save(u);
            qCInfo(lcFiles).noquote() << "transfer" << id << (accepted ? "accepted" : "declined");
        }
        state = find(Direction::Outgoing, id)->state;
    }
    changed();
    return statusResult(QStringLiteral("ok"), state);
}

xmlrpc_c::value TransferEngine::handleRead(const xmlrpc_c::paramList& params) {
    const auto r = StructReader::onlyParam(params, kReadMethod);
    const QString id = readId(r);
    const qint64 offset = readCount(r, "offset", config_.maxFileBytes);
    const int length = r.integer("length", 1, kMaxChunkBytes);
    Transfer t;
    bool accepted = false;
    {
        std::lock_guard lock(mutex_);
        Transfer* found = find(Direction::Outgoing, id);
        // Offering: the offer reached the receiver (it knows the id) and its answer to our call
        // is not back yet; a receiver that accepts automatically reads at once.
        if (!found || found->state == State::Hashing)
            noSuchTransfer(kReadMethod, id);
        switch (found->state) {
        case State::Declined:
        case State::Cancelled:
        case State::Failed:
            throw sdk::fault(sdk::kFaultNoSuchCall, QStringLiteral("files.read: transfer %1 is %2")
                                                        .arg(id, stateName(found->state))
                                                        .toStdString());
        case State::Paused:
            // Paused by the receiver, who now reads again: its resume notice may still be on
            // the way (it travels on the other stream). Paused here, by our user: refused.
            if (found->reason == kPausedByContact)
                break;
            throw sdk::fault(
                sdk::kFaultUnavailable,
                QStringLiteral("files.read: transfer %1 is paused").arg(id).toStdString());
        default:
            break;
        }
        if (offset > found->size)
            throw sdk::fault(sdk::kFaultBadParams,
                             QStringLiteral("files.read: offset %1 is past the end (%2 bytes)")
                                 .arg(offset)
                                 .arg(found->size)
                                 .toStdString());
        // Reading is accepting (the answer may still be on its way, or lost), and resuming what
        // the receiver paused.
        if (found->state == State::Offering || found->state == State::Offered ||
            found->state == State::Paused) {
            Transfer u = *found;
            u.state = State::Transferring;
            u.reason.clear();
            save(u);
            accepted = true;
        }
        t = *found;
    }
    if (accepted)
        changed();

    // One bounded read, outside the lock.
    QFile file(t.path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered) || file.size() != t.size) {
        const QString reason =
            file.isOpen() ? QStringLiteral("the file changed since it was offered")
                          : QStringLiteral("the file cannot be read: ") + file.errorString();
        {
            std::lock_guard lock(mutex_);
            if (Transfer* found = find(Direction::Outgoing, id); found && !isFinal(found->state)) {
                Transfer u = *found;
                u.state = State::Failed;
                u.reason = reason;
                u.notify = QStringLiteral("cancel");
                save(u);
            }
        }
        qCWarning(lcFiles).noquote() << "transfer" << id << "failed:" << reason;
        changed();
        throw sdk::fault(sdk::kFaultNoSuchCall,
                         QStringLiteral("files.read: %1").arg(reason).toStdString());
    }
    const qint64 want = std::min<qint64>(length, t.size - offset);
    std::string data(static_cast<std::size_t>(want), '\0');
    const ssize_t got = want > 0 ? ::pread(file.handle(), data.data(), data.size(), offset) : 0;
    if (got != want)
        throw sdk::fault(sdk::kFaultUnavailable,
                         QStringLiteral("files.read: reading the file failed (%1)")
                             .arg(QString::fromLocal8Bit(std::strerror(errno)))
                             .toStdString());
    {
        std::lock_guard lock(mutex_);
        const Key k = key(Direction::Outgoing, id);
        progress_[k] = std::max(progress_[k], offset + want);
        meter(k).record(static_cast<std::size_t>(want));
        publishProgressLocked(k);
    }
    return xmlrpc_c::value_struct(
        Struct{{"offset", xmlrpc_c::value_i8(offset)},
               {"data",
                xmlrpc_c::value_bytestring(std::vector<unsigned char>(data.begin(), data.end()))}});
}

xmlrpc_c::value TransferEngine::handlePause(const xmlrpc_c::paramList& params) {
    const auto r = StructReader::onlyParam(params, kPauseMethod);
    const QString id = readId(r);
    const bool paused = r.boolean("paused");
    return contactChanges(kPauseMethod, id, [&](Direction, Transfer u) {
        if (paused && u.state == State::Transferring) {
            u.state = State::Paused;
            u.reason = kPausedByContact;
            save(u);
        } else if (!paused && u.state == State::Paused) {
            u.state = State::Transferring;
            u.reason.clear();
            save(u);
        }
    });
}

xmlrpc_c::value
TransferEngine::contactChanges(const char* method, const QString& id,
                               const std::function<void(Direction, Transfer)>& change) {
    std::optional<State> state;
    {
        std::lock_guard lock(mutex_);
        // The id is the sender's: ours for what we send, the contact's for what it sends.
        for (Direction d : {Direction::Incoming, Direction::Outgoing}) {
            const Transfer* t = find(d, id);
            if (!t || t->state == State::Hashing) // not offered yet: unknown to the contact
                continue;
            change(d, *t);
            state = find(d, id)->state;
        }
    }
    if (!state)
        noSuchTransfer(method, id);
    changed();
    return statusResult(QStringLiteral("ok"), *state);
}

xmlrpc_c::value TransferEngine::handleCancel(const xmlrpc_c::paramList& params) {
    const auto r = StructReader::onlyParam(params, kCancelMethod);
    const QString id = readId(r);
    const QString why = QString::fromStdString(r.optionalString("reason", 1024).value_or(""));
    return contactChanges(kCancelMethod, id, [&](Direction d, Transfer u) {
        if (isFinal(u.state))
            return;
        u.state = State::Cancelled;
        u.reason = why.isEmpty() ? QStringLiteral("cancelled by the contact")
                                 : QStringLiteral("cancelled by the contact: ") + why;
        u.notify.clear();
        if (d == Direction::Incoming && !u.path.isEmpty()) {
            QFile::remove(u.path); // the .part: never shown as a file
            u.path.clear();
        }
        save(u);
        qCInfo(lcFiles).noquote() << "transfer" << id << u.reason;
    });
}

xmlrpc_c::value TransferEngine::handleDone(const xmlrpc_c::paramList& params) {
    const auto r = StructReader::onlyParam(params, kDoneMethod);
    const QString id = readId(r);
    const std::string status = r.string("status", 16);
    if (status != "received" && status != "failed")
        r.fail("status", "must be \"received\" or \"failed\"");
    const QString why = QString::fromStdString(r.optionalString("reason", 1024).value_or(""));
    State state;
    {
        std::lock_guard lock(mutex_);
        Transfer* t = find(Direction::Outgoing, id);
        if (!t || t->state == State::Hashing || t->state == State::Offering)
            noSuchTransfer(kDoneMethod, id);
        if (!isFinal(t->state)) {
            Transfer u = *t;
            if (status == "received") {
                u.state = State::Done;
                u.offset = u.size;
                progress_[key(u.direction, id)] = u.size;
                publishProgressLocked(key(u.direction, id));
            } else {
                u.state = State::Failed;
                u.reason = QStringLiteral("the contact could not keep it: ") +
                           (why.isEmpty() ? QStringLiteral("no reason given") : why);
            }
            save(u);
            qCInfo(lcFiles).noquote() << "transfer" << id << "reported" << status.c_str();
        }
        state = find(Direction::Outgoing, id)->state;
    }
    changed();
    return statusResult(QStringLiteral("ok"), state);
}

// --- the user ----------------------------------------------------------------------------------

QString TransferEngine::checkSendable(const QString& path) const {
    const QFileInfo info(path);
    QString problem;
    if (!info.exists())
        problem = QStringLiteral("%1 does not exist").arg(path);
    else if (!info.isFile())
        problem = QStringLiteral("%1 is not a file").arg(path);
    else if (!info.isReadable())
        problem = QStringLiteral("%1 cannot be read").arg(path);
    else if (info.size() > config_.maxFileBytes)
        problem = QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(config_.maxFileBytes);
    return problem;
}

QString TransferEngine::send(const QString& path, QString* error) {
    const QFileInfo info(path);
    const QString problem = checkSendable(path);
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return {};
    }
    Transfer t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.direction = Direction::Outgoing;
    t.name = info.fileName();
    t.size = info.size();
    t.mime = QMimeDatabase().mimeTypeForFile(info).name();
    t.path = info.absoluteFilePath();
    t.state = State::Hashing;
    {
        std::lock_guard lock(mutex_);
        store_.insert(t);
        transfers_[key(t.direction, t.id)] = t;
        publishLocked();
    }
    qCInfo(lcFiles).noquote() << "sending" << t.path << "as" << t.id;
    changed();
    return t.id;
}

bool TransferEngine::step(Direction d, const QString& id, State from, State to,
                          const std::optional<QString>& reason, const QString& notice) {
    {
        std::lock_guard lock(mutex_);
        Transfer* t = find(d, id);
        if (!t || t->state != from)
            return false;
        Transfer u = *t;
        u.state = to;
        if (reason)
            u.reason = *reason;
        u.notify = notice;
        save(u);
    }
    changed();
    return true;
}

bool TransferEngine::accept(const QString& id) {
    return step(Direction::Incoming, id, State::Offered, State::Transferring, std::nullopt,
                QStringLiteral("answer"));
}

bool TransferEngine::decline(const QString& id) {
    return step(Direction::Incoming, id, State::Offered, State::Declined,
                QStringLiteral("declined"), QStringLiteral("answer"));
}

bool TransferEngine::pause(const QString& id, Direction direction) {
    return step(direction, id, State::Transferring, State::Paused, QStringLiteral("paused"),
                QStringLiteral("pause"));
}

bool TransferEngine::resume(const QString& id, Direction direction) {
    return step(direction, id, State::Paused, State::Transferring, QString(),
                QStringLiteral("resume"));
}

bool TransferEngine::cancel(const QString& id, Direction direction) {
    {
        std::lock_guard lock(mutex_);
        Transfer* t = find(direction, id);
        if (!t || isFinal(t->state))
            return false;
        Transfer u = *t;
        // Never told of it: nothing to tell.
        const bool told = u.state != State::Hashing && u.state != State::Offering;
        u.state = State::Cancelled;
        u.reason = QStringLiteral("cancelled");
        u.notify = told ? QStringLiteral("cancel") : QString();
        if (direction == Direction::Incoming && !u.path.isEmpty()) {
            QFile::remove(u.path);
            u.path.clear();
        }
        save(u);
    }
    changed();
    return true;
}

std::vector<Transfer> TransferEngine::transfers() const {
    std::lock_guard lock(snapshotMutex_);
    return shownTransfers_;
}

std::optional<Transfer> TransferEngine::transfer(const QString& id, Direction direction) const {
    std::lock_guard lock(snapshotMutex_);
    for (const Transfer& t : shownTransfers_)
        if (t.id == id && t.direction == direction)
            return t;
    return std::nullopt;
}

Progress TransferEngine::progress(const QString& id, Direction direction) const {
    const std::optional<Transfer> t = transfer(id, direction);
    Progress p;
    if (!t)
        return p;
    p.size = t->size;
    std::lock_guard lock(snapshotMutex_);
    if (auto it = shownProgress_.find(key(direction, id)); it != shownProgress_.end()) {
        p.bytes = it->second.first.bytes;
        // The rate of the last chunk moved; nothing moved for 3 s (the meter's window): none.
        if (std::chrono::steady_clock::now() - it->second.second < std::chrono::seconds(3))
            p.bytesPerSecond = it->second.first.bytesPerSecond;
    }
    if (t->state == State::Done)
        p.bytes = p.size;
    return p;
}

// --- the control worker ------------------------------------------------------------------------

bool TransferEngine::hashOne(std::stop_token stop, const QString& id) {
    QString path;
    {
        std::lock_guard lock(mutex_);
        const Transfer* t = find(Direction::Outgoing, id);
        if (!t)
            return false;
        path = t->path;
    }
    QFile file(path);
    FileDigest hash;
    qint64 size = 0;
    QString problem;
    if (!file.open(QIODevice::ReadOnly)) {
        problem = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    } else {
        QByteArray buffer(kMaxChunkBytes, Qt::Uninitialized);
        for (;;) {
            if (stop.stop_requested())
                return false; // hashed again on the next start
            const qint64 n = file.read(buffer.data(), buffer.size());
            if (n < 0) {
                problem = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
                break;
            }
            if (n == 0)
                break;
            hash.add(buffer.constData(), static_cast<std::size_t>(n));
            size += n;
        }
    }
    {
        std::lock_guard lock(mutex_);
        Transfer* t = find(Direction::Outgoing, id);
        if (!t || t->state != State::Hashing)
            return true; // cancelled meanwhile
        Transfer u = *t;
        if (problem.isEmpty()) {
            u.size = size; // what was hashed is what is offered
            u.sha256 = hash.hex();
            u.state = State::Offering;
            u.notify = QStringLiteral("offer");
        } else {
            u.state = State::Failed;
            u.reason = problem;
        }
        save(u);
    }
    changed();
    return true;
}

TransferEngine::Sent TransferEngine::notifyOne(sdk::PeerStream& stream, const Transfer& t) {
    Struct args{{"id", str(t.id)}};
    const char* method = nullptr;
    if (t.notify == QLatin1String("offer")) {
        method = kOfferMethod;
        args["name"] = str(t.name);
        args["size"] = xmlrpc_c::value_i8(t.size);
        args["sha256"] = str(t.sha256);
        args["mime"] = str(t.mime);
    } else if (t.notify == QLatin1String("answer")) {
        method = kAnswerMethod;
        args["accept"] = xmlrpc_c::value_boolean(t.state != State::Declined);
    } else if (t.notify == QLatin1String("pause") || t.notify == QLatin1String("resume")) {
        method = kPauseMethod;
        args["paused"] = xmlrpc_c::value_boolean(t.notify == QLatin1String("pause"));
    } else if (t.notify == QLatin1String("cancel")) {
        method = kCancelMethod;
        if (!t.reason.isEmpty())
            args["reason"] = str(t.reason);
    } else if (t.notify == QLatin1String("done")) {
        method = kDoneMethod;
        args["status"] =
            str(t.state == State::Done ? QStringLiteral("received") : QStringLiteral("failed"));
        args["reason"] = str(t.reason);
    }
    QString outcome; // set when the peer answered: the notice is done either way
    State refusedState = t.state;
    if (method) {
        xmlrpc_c::paramList params;
        params.add(xmlrpc_c::value_struct(args));
        try {
            stream.call(method, params, kCallTimeout);
        } catch (const sdk::PeerCallError& e) {
            if (contactNotThereNow(e)) // the notice waits for it
                return Sent::Retry;
            outcome = QString::fromStdString(e.what());
            qCWarning(lcFiles).noquote() << method << t.id << "refused:" << outcome;
            if (t.notify == QLatin1String("offer"))
                refusedState = State::Failed;
        }
    }
    {
        std::lock_guard lock(mutex_);
        Transfer* cur = find(t.direction, t.id);
        if (!cur || cur->notify != t.notify)
            return Sent::Done; // superseded meanwhile: the newer notice goes next
        Transfer u = *cur;
        u.notify.clear();
        if (t.notify == QLatin1String("offer")) {
            if (refusedState == State::Failed) {
                u.state = State::Failed;
                u.reason = QStringLiteral("the contact refused it: ") + outcome;
            } else if (u.state == State::Offering) {
                u.state = State::Offered;
            }
        }
        save(u);
    }
    changed();
    return Sent::Done;
}

void TransferEngine::runControl(std::stop_token stop, sdk::PeerStream& stream) {
    backgroundThread("control"); // hashing a large file is seconds of CPU
    sdk::Backoff backoff(std::chrono::milliseconds(200), std::chrono::seconds(5));
    while (!stop.stop_requested()) {
        std::optional<Transfer> next;
        QString hashId;
        {
            std::unique_lock lock(mutex_);
            auto pick = [&] {
                next.reset();
                hashId.clear();
                std::vector<const Transfer*> order;
                for (const auto& [k, t] : transfers_)
                    order.push_back(&t);
                std::sort(order.begin(), order.end(),
                          [](const Transfer* a, const Transfer* b) { return a->seq < b->seq; });
                for (const Transfer* t : order) {
                    if (t->state == State::Hashing) {
                        hashId = t->id;
                        return true;
                    }
                    if (!t->notify.isEmpty()) {
                        next = *t;
                        return true;
                    }
                }
                return false;
            };
            if (!wake_.wait(lock, stop, pick))
                return;
        }
        if (!hashId.isEmpty()) {
            hashOne(stop, hashId);
            continue;
        }
        try {
            if (notifyOne(stream, *next) == Sent::Done) {
                backoff.reset();
                continue;
            }
        } catch (const StoreError& e) {
            qCWarning(lcFiles) << e.what();
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, stop, backoff.next(), [] { return false; });
    }
}

// --- the receiver worker -----------------------------------------------------------------------

void TransferEngine::failIncoming(const QString& id, const QString& reason, State state) {
    {
        std::lock_guard lock(mutex_);
        Transfer* t = find(Direction::Incoming, id);
        if (!t || isFinal(t->state))
            return;
        Transfer u = *t;
        u.state = state;
        u.reason = reason;
        if (state == State::Failed) {
            if (!u.path.isEmpty())
                QFile::remove(u.path);
            u.path.clear();
            u.notify = QStringLiteral("done");
        } else if (state == State::Paused) {
            u.notify = QStringLiteral("pause");
        }
        save(u);
    }
    qCWarning(lcFiles).noquote() << "transfer" << id << stateName(state) << "-" << reason;
    changed();
}

bool TransferEngine::receiveOne(std::stop_token stop, sdk::PeerStream& stream,
                                sdk::PeerStream* second, ReadThreads* threads, const QString& id) {
    Transfer t;
    {
        std::lock_guard lock(mutex_);
        const Transfer* found = find(Direction::Incoming, id);
        if (!found || found->state != State::Transferring)
            return true;
        t = *found;
        if (t.path.isEmpty()) {
            // The .part carries the id: two offers of one name never share it.
            t.path =
                QDir(config_.downloadDir)
                    .filePath(t.name + QLatin1Char('.') + t.id.left(8) + QStringLiteral(".part"));
            save(t);
        }
    }
    if (!QDir().mkpath(config_.downloadDir)) {
        failIncoming(id, QStringLiteral("cannot create %1").arg(config_.downloadDir),
                     State::Paused);
        return true;
    }
    QFile part(t.path);
    if (!part.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
        failIncoming(id, QStringLiteral("cannot write %1: %2").arg(t.path, part.errorString()),
                     State::Paused);
        return true;
    }
    // Resume from what is known synced; anything past it may be garbage after a power loss.
    qint64 offset = std::min(t.offset, part.size());
    if (offset > 0)
        qCInfo(lcFiles).noquote() << "resuming" << id << "at" << offset << "of" << t.size
                                  << "(the .part held" << part.size() << "bytes)";
    if (part.size() != offset)
        part.resize(offset);
    FileDigest hash;
    {
        // The hash of what is already there, re-read in bounded pieces.
        QByteArray buffer(kMaxChunkBytes, Qt::Uninitialized);
        qint64 at = 0;
        while (at < offset) {
            if (stop.stop_requested())
                return true;
            const qint64 want = std::min<qint64>(buffer.size(), offset - at);
            const ssize_t n = ::pread(part.handle(), buffer.data(), want, at);
            if (n <= 0) {
                offset = at; // unreadable tail: fetch it again
                part.resize(offset);
                break;
            }
            hash.add(buffer.constData(), static_cast<std::size_t>(n));
            at += n;
        }
    }
    const Key k = key(Direction::Incoming, id);
    qint64 synced = offset;
    auto persist = [&](qint64 at) {
        ::fdatasync(part.handle());
        std::lock_guard lock(mutex_);
        Transfer* cur = find(Direction::Incoming, id);
        if (!cur || isFinal(cur->state))
            return;
        Transfer u = *cur;
        u.offset = at;
        save(u);
        synced = at;
    };
    {
        std::lock_guard lock(mutex_);
        progress_[k] = offset;
        publishProgressLocked(k);
    }
    struct Pending {
        qint64 offset;
        int length;
        sdk::PeerStream* stream;
        std::future<xmlrpc_c::value> answer;
    };
    const int inFlight = second && threads ? std::clamp(config_.readsInFlight, 1, 2) : 1;
    std::deque<Pending> pending;
    // Waits for what is in flight and drops it (asking again later is harmless): a stream's next
    // call must not overlap this one. A deferred read (one in flight) was never asked: not run.
    auto dropPending = [&pending] {
        for (Pending& p : pending)
            if (p.answer.wait_for(std::chrono::seconds(0)) != std::future_status::deferred)
                p.answer.wait();
        pending.clear();
    };
    const auto dropPendingOnReturn = qScopeGuard(dropPending);
    qint64 asked = offset;
    while (offset < t.size) {
        bool stopped = false;
        if (stop.stop_requested()) {
            persist(offset);
            return true;
        }
        {
            std::lock_guard lock(mutex_);
            const Transfer* cur = find(Direction::Incoming, id);
            if (!cur || cur->state != State::Transferring) {
                stopped = true;
            }
        }
        if (stopped) { // paused or cancelled meanwhile: keep what is synced
            if (QFileInfo::exists(t.path))
                persist(offset);
            return true;
        }
        // Reads in flight, in offset order, each on a stream of its own; the bytes are written
        // strictly in order (the front one), so `offset` and the synced offset only ever cover
        // bytes written without a gap. What is still in flight when this returns is waited for
        // (dropPending) and dropped: asking again later is harmless.
        while (static_cast<int>(pending.size()) < inFlight && asked < t.size) {
            sdk::PeerStream* s = &stream;
            if (!pending.empty() && pending.back().stream == &stream)
                s = second;
            const int len = static_cast<int>(std::min<qint64>(config_.chunkBytes, t.size - asked));
            auto read = [s, id, at = asked, len] {
                xmlrpc_c::paramList params;
                params.add(xmlrpc_c::value_struct(Struct{{"id", str(id)},
                                                         {"offset", xmlrpc_c::value_i8(at)},
                                                         {"length", xmlrpc_c::value_int(len)}}));
                return s->call(kReadMethod, params, kCallTimeout);
            };
            // One in flight: asked right here, on this thread, in get(); two: each stream's
            // reads on that stream's thread.
            pending.push_back({asked, len, s,
                               inFlight > 1 ? threads->call(s == &stream ? 0 : 1, std::move(read))
                                            : std::async(std::launch::deferred, std::move(read))});
            asked += len;
        }
        const int length = pending.front().length;
        const qint64 frontOffset = pending.front().offset; // == offset (see below)
        xmlrpc_c::value result;
        try {
            auto front = std::move(pending.front());
            pending.pop_front();
            result = front.answer.get();
        } catch (const sdk::PeerCallError& e) {
            // What is here stays, and the same bytes are asked again later.
            if (contactNotThereNow(e)) {
                qCInfo(lcFiles).noquote() << "reading" << id << "at" << offset
                                          << "failed, asking again soon:" << e.what();
                persist(offset);
                return false;
            }
            if (e.faultCode() == sdk::kFaultUnavailable) {
                std::lock_guard lock(mutex_);
                if (Transfer* cur = find(Direction::Incoming, id);
                    cur && cur->state == State::Transferring) {
                    Transfer u = *cur;
                    u.state = State::Paused;
                    u.reason = kPausedByContact;
                    u.offset = offset;
                    save(u);
                }
                part.close();
                changed();
                return true;
            }
            failIncoming(id, QStringLiteral("the contact refused to send it: ") + e.what());
            return true;
        }
        // The answer must be exactly what was asked for: bytes at `offset`, not more, not none.
        std::vector<unsigned char> data;
        try {
            data = parseReadAnswer(result, frontOffset, length);
        } catch (const xmlrpc_c::fault& f) {
            failIncoming(id, QStringLiteral("the contact sent a malformed chunk: ") +
                                 QString::fromStdString(f.getDescription()));
            return true;
        }
        const ssize_t written = ::pwrite(part.handle(), data.data(), data.size(), offset);
        if (written != static_cast<ssize_t>(data.size())) {
            const int error = written < 0 ? errno : ENOSPC; // a short write: the disk is full
            part.resize(offset); // nothing half-written stays in the .part
            persist(offset);
            if (error == ENOSPC || error == EDQUOT)
                failIncoming(id, QStringLiteral("disk full"), State::Paused);
            else
                failIncoming(id,
                             QStringLiteral("cannot write: %1")
                                 .arg(QString::fromLocal8Bit(std::strerror(error))),
                             State::Paused);
            return true;
        }
        hash.add(data.data(), data.size());
        offset += static_cast<qint64>(data.size());
        {
            std::lock_guard lock(mutex_);
            progress_[k] = offset;
            meter(k).record(data.size());
            publishProgressLocked(k);
        }
        // Fewer bytes than asked before the end (a sender may): what was asked after them is at
        // the wrong offset; drop it (waiting for it) and ask again from here.
        if (static_cast<int>(data.size()) != length) {
            dropPending();
            asked = offset;
        }
        if (offset - synced >= config_.syncEveryBytes)
            persist(offset);
    }
    persist(offset);
    part.close();

    // Whole: check it, then give it its name.
    const QString got = hash.hex();
    if (got != t.sha256) {
        failIncoming(id, QStringLiteral("the file arrived damaged (SHA-256 mismatch); nothing "
                                        "was kept"));
        return true;
    }
    const QDir dir(config_.downloadDir);
    QString final;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        final = uniquePath(dir, t.name);
        if (renameNoReplace(t.path, final))
            break;
        if (!QFileInfo::exists(final)) { // not a collision: the rename itself fails
            failIncoming(id, QStringLiteral("cannot rename %1 to %2").arg(t.path, final),
                         State::Paused);
            return true;
        }
    }
    {
        std::lock_guard lock(mutex_);
        Transfer* cur = find(Direction::Incoming, id);
        if (cur) {
            Transfer u = *cur;
            u.state = State::Done;
            u.offset = t.size;
            u.path = final;
            u.reason.clear();
            u.notify = QStringLiteral("done");
            save(u);
        }
    }
    qCInfo(lcFiles).noquote() << "received" << id << "as" << final;
    changed();
    return true;
}

void TransferEngine::runReceiver(std::stop_token stop, sdk::PeerStream& stream,
                                 sdk::PeerStream* second) {
    backgroundThread("receiver"); // before the read threads start: they inherit it
    sdk::Backoff backoff(std::chrono::milliseconds(200), std::chrono::seconds(5));
    std::optional<ReadThreads> threads;
    if (second && config_.readsInFlight > 1)
        threads.emplace();
    while (!stop.stop_requested()) {
        QString id;
        {
            std::unique_lock lock(mutex_);
            auto pick = [&] {
                qint64 best = -1;
                for (const auto& [k, t] : transfers_)
                    if (t.direction == Direction::Incoming && t.state == State::Transferring &&
                        (best < 0 || t.seq < best)) {
                        best = t.seq;
                        id = t.id;
                    }
                return best >= 0;
            };
            if (!wake_.wait(lock, stop, pick))
                return;
        }
        bool ok = true;
        try {
            ok = receiveOne(stop, stream, second, threads ? &*threads : nullptr, id);
        } catch (const StoreError& e) {
            qCWarning(lcFiles) << e.what();
            ok = false;
        }
        if (ok) {
            backoff.reset();
            continue;
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, stop, backoff.next(), [] { return false; });
    }
}

} // namespace charla::files
