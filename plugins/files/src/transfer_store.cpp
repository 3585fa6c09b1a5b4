#include "transfer_store.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <vector>

namespace charla::files {
namespace {

// 1: transfers (issue 15).
constexpr int kSchemaVersion = 1;

[[noreturn]] void fail(const QString& what, const QSqlError& error) {
    throw StoreError(
        QStringLiteral("transfer store: %1: %2").arg(what, error.text()).toStdString());
}

void exec(QSqlDatabase& db, const QString& sql) {
    QSqlQuery query(db);
    if (!query.exec(sql))
        fail(sql, query.lastError());
}

// A null QString binds as NULL, which the NOT NULL columns refuse (and INSERT OR IGNORE would
// drop the row silently): text columns always get a string.
QString text(const QString& s) {
    return s.isNull() ? QStringLiteral("") : s;
}

// Every column a statement names but seq and created_ms: insert() and update() bind the same.
void bindColumns(QSqlQuery& q, const Transfer& t) {
    q.bindValue(QStringLiteral(":id"), t.id);
    q.bindValue(QStringLiteral(":direction"), static_cast<int>(t.direction));
    q.bindValue(QStringLiteral(":name"), text(t.name));
    q.bindValue(QStringLiteral(":size"), t.size);
    q.bindValue(QStringLiteral(":sha256"), text(t.sha256));
    q.bindValue(QStringLiteral(":mime"), text(t.mime));
    q.bindValue(QStringLiteral(":path"), text(t.path));
    q.bindValue(QStringLiteral(":offset"), t.offset);
    q.bindValue(QStringLiteral(":state"), static_cast<int>(t.state));
    q.bindValue(QStringLiteral(":reason"), text(t.reason));
    q.bindValue(QStringLiteral(":notify"), text(t.notify));
}

} // namespace

const char* stateName(State state) {
    switch (state) {
    case State::Hashing:
        return "hashing";
    case State::Offering:
        return "offering";
    case State::Offered:
        return "offered";
    case State::Transferring:
        return "transferring";
    case State::Paused:
        return "paused";
    case State::Done:
        return "done";
    case State::Declined:
        return "declined";
    case State::Cancelled:
        return "cancelled";
    case State::Failed:
        return "failed";
    }
    return "?";
}

TransferStore::TransferStore(QString path)
    : db_(std::move(path), QStringLiteral("transfer store")) {
    if (!QDir().mkpath(QFileInfo(db_.path()).absolutePath()))
        throw StoreError(
            QStringLiteral("cannot create the directory of %1").arg(db_.path()).toStdString());
    QSqlDatabase d = db_.connection();
    exec(d, QStringLiteral("PRAGMA journal_mode=WAL"));
    db_.schemaVersion(d, kSchemaVersion);
    exec(d, QStringLiteral("CREATE TABLE IF NOT EXISTS transfers ("
                           " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " id TEXT NOT NULL,"
                           " direction INTEGER NOT NULL CHECK (direction IN (0, 1)),"
                           " name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
                           " mime TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '',"
                           " offset INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL,"
                           " reason TEXT NOT NULL DEFAULT '', notify TEXT NOT NULL DEFAULT '',"
                           " created_ms INTEGER NOT NULL,"
                           " UNIQUE (direction, id))"));
    db_.setSchemaVersion(d, kSchemaVersion);
}

TransferStore::~TransferStore() = default;

bool TransferStore::insert(Transfer& t) {
    QSqlDatabase d = db_.connection();
    QSqlQuery q(d);
    q.prepare(QStringLiteral("INSERT OR IGNORE INTO transfers (id, direction, name, size, sha256,"
                             " mime, path, offset, state, reason, notify, created_ms) VALUES"
                             " (:id, :direction, :name, :size, :sha256, :mime, :path, :offset,"
                             " :state, :reason, :notify, :created)"));
    bindColumns(q, t);
    if (t.createdMs == 0)
        t.createdMs = QDateTime::currentMSecsSinceEpoch();
    q.bindValue(QStringLiteral(":created"), t.createdMs);
    if (!q.exec())
        fail(QStringLiteral("cannot insert transfer %1").arg(t.id), q.lastError());
    if (q.numRowsAffected() != 1)
        return false;
    t.seq = q.lastInsertId().toLongLong();
    return true;
}

void TransferStore::update(const Transfer& t) {
    QSqlDatabase d = db_.connection();
    QSqlQuery q(d);
    q.prepare(QStringLiteral("UPDATE transfers SET name = :name, size = :size, sha256 = :sha256,"
                             " mime = :mime, path = :path, offset = :offset, state = :state,"
                             " reason = :reason, notify = :notify"
                             " WHERE id = :id AND direction = :direction"));
    bindColumns(q, t);
    if (!q.exec())
        fail(QStringLiteral("cannot update transfer %1").arg(t.id), q.lastError());
}

std::vector<Transfer> TransferStore::all() {
    QSqlDatabase d = db_.connection();
    QSqlQuery q(d);
    if (!q.exec(QStringLiteral("SELECT seq, id, direction, name, size, sha256, mime, path, offset,"
                               " state, reason, notify, created_ms FROM transfers ORDER BY seq")))
        fail(QStringLiteral("cannot read the transfers"), q.lastError());
    std::vector<Transfer> out;
    while (q.next()) {
        Transfer t;
        t.seq = q.value(0).toLongLong();
        t.id = q.value(1).toString();
        t.direction = q.value(2).toInt() == 1 ? Direction::Incoming : Direction::Outgoing;
        t.name = q.value(3).toString();
        t.size = q.value(4).toLongLong();
        t.sha256 = q.value(5).toString();
        t.mime = q.value(6).toString();
        t.path = q.value(7).toString();
        t.offset = q.value(8).toLongLong();
        const int state = q.value(9).toInt();
        t.state = (state >= 0 && state <= 8) ? static_cast<State>(state) : State::Failed;
        t.reason = q.value(10).toString();
        t.notify = q.value(11).toString();
        t.createdMs = q.value(12).toLongLong();
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace charla::files
