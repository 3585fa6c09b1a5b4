#include "message_store.h"

#include "text_logging.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QVariant>

#include <algorithm>

namespace charla::text {

namespace {

// 1: messages and the outbox index. 2 (issue 16): the read mark (meta) and the full-text index
// (messages_fts, when SQLite has FTS5). A version 1 file is upgraded in place on open.
// 3 (issue 16): calls. 4 (issue 15): plugins' timeline events. 5 (issue 15): what an event's
// line means (event_record), to word it again in the language of the moment.
constexpr int kSchemaVersion = 5;

const QString kReadUpTo = QStringLiteral("read_up_to");
// Searches longer than this are cut (a message body is at most 16 KiB; nobody types a search
// that long, and SQLite refuses LIKE patterns beyond 50 000 bytes).
constexpr int kMaxSearchChars = 1000;

[[noreturn]] void fail(const QString& what, const QSqlError& error) {
    throw StoreError(QStringLiteral("%1: %2").arg(what, error.text()).toStdString());
}

QSqlQuery exec(QSqlDatabase& db, const QString& sql) {
    QSqlQuery query(db);
    if (!query.exec(sql))
        fail(QStringLiteral("message store: '%1' failed").arg(sql), query.lastError());
    return query;
}

// A pragma's answer, with the statement finished (an active one would block a later commit).
QVariant pragma(QSqlDatabase& db, const QString& pragma) {
    QSqlQuery query = exec(db, QStringLiteral("PRAGMA ") + pragma);
    const QVariant value = query.next() ? query.value(0) : QVariant();
    query.finish();
    return value;
}

void execPrepared(QSqlQuery& query, const char* what) {
    if (!query.exec())
        fail(QStringLiteral("message store: %1 failed").arg(QLatin1String(what)),
             query.lastError());
}

// What readRow() reads, in its order.
const QString kColumns = QStringLiteral(
    "seq, direction, id, sent_at, body, sender, status, error, call, call_active_ms, event,"
    " event_record");

StoredMessage readRow(const QSqlQuery& query) {
    StoredMessage m;
    m.seq = query.value(0).toLongLong();
    m.direction = query.value(1).toInt() == 1 ? Direction::Incoming : Direction::Outgoing;
    m.message.id = QUuid::fromString(query.value(2).toString());
    m.message.sentAt = QDateTime::fromString(query.value(3).toString(), Qt::ISODateWithMs).toUTC();
    m.message.body = query.value(4).toString();
    m.sender = query.value(5).toString();
    m.status = OutgoingStatus(query.value(6).toInt());
    m.error = query.value(7).toString();
    if (const QString call = query.value(8).toString(); !call.isEmpty())
        m.call = CallEntry{outcomeFromName(call).value_or(CallOutcome::Completed),
                           query.value(9).toLongLong()};
    if (const QString event = query.value(10).toString(); !event.isEmpty()) {
        m.event = event;
        m.eventKey = query.value(2).toString();
        m.eventRecord = query.value(11).toString();
    }
    return m;
}

// Runs a prepared SELECT of kColumns and reads every row it returns.
std::vector<StoredMessage> readRows(QSqlQuery& query, const char* what) {
    execPrepared(query, what);
    std::vector<StoredMessage> rows;
    while (query.next())
        rows.push_back(readRow(query));
    return rows;
}

// A null QString binds as SQL NULL; the columns are NOT NULL.
QString notNull(const QString& text) {
    return text.isNull() ? QStringLiteral("") : text;
}

QString idText(const QUuid& id) {
    return QString::fromStdString(wireId(id));
}

} // namespace

namespace {

bool tableExists(QSqlDatabase& db, const QString& name) {
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT 1 FROM sqlite_master WHERE name = ?"));
    query.addBindValue(name);
    execPrepared(query, "reading the schema");
    return query.next();
}

// Whether this SQLite has FTS5: Debian's has, a self-built Qt's bundled one may not.
bool hasFts5(QSqlDatabase& db) {
    QSqlQuery probe(db);
    if (!probe.exec(
            QStringLiteral("CREATE VIRTUAL TABLE temp.charla_fts5_probe USING fts5(body)"))) {
        qCInfo(lcText) << "SQLite has no FTS5 (" << probe.lastError().text()
                       << "): searching the history with LIKE";
        return false;
    }
    exec(db, QStringLiteral("DROP TABLE temp.charla_fts5_probe"));
    return true;
}

// The full-text index of the bodies, kept by triggers so that every writer (any thread, any
// statement) updates it in the same transaction. Without FTS5 the triggers are dropped (they
// would make every insert fail) and the index is rebuilt the next time FTS5 is there.
// Returns whether the index can be used. Runs inside the schema transaction.
bool setUpFullTextIndex(QSqlDatabase& db, const QString& path) {
    const bool triggersThere = tableExists(db, QStringLiteral("messages_fts_insert"));
    if (!hasFts5(db)) {
        if (triggersThere) {
            for (const char* trigger : {"insert", "delete", "update"})
                exec(db, QStringLiteral("DROP TRIGGER IF EXISTS messages_fts_%1")
                             .arg(QLatin1String(trigger)));
        }
        return false;
    }
    // External content: the index holds no second copy of the bodies. unicode61 with
    // remove_diacritics 2 finds "café" when "cafe" is typed (and "como" for "cómo").
    exec(db, QStringLiteral("CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(body,"
                            " content='messages', content_rowid='seq',"
                            " tokenize='unicode61 remove_diacritics 2')"));
    if (triggersThere)
        return true;
    exec(db, QStringLiteral("CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
                            " INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);"
                            " END"));
    exec(db, QStringLiteral("CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
                            " INSERT INTO messages_fts (messages_fts, rowid, body)"
                            " VALUES ('delete', old.seq, old.body); END"));
    exec(db, QStringLiteral("CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages"
                            " BEGIN INSERT INTO messages_fts (messages_fts, rowid, body)"
                            " VALUES ('delete', old.seq, old.body);"
                            " INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);"
                            " END"));
    // New index, or triggers dropped while FTS5 was missing: index what is there.
    QElapsedTimer timer;
    timer.start();
    exec(db, QStringLiteral("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')"));
    // Worth a line when there was a history to index (an upgrade), not for every new store.
    if (timer.elapsed() >= 50)
        qCInfo(lcText) << "message store" << path << "indexed for search in" << timer.elapsed()
                       << "ms";
    return true;
}

} // namespace

QString defaultStoreFileName(const QString& localUser) {
    const QString user = QString::fromLatin1(QUrl::toPercentEncoding(localUser.trimmed()));
    return QStringLiteral("text-%1.sqlite").arg(user.isEmpty() ? QStringLiteral("default") : user);
}

MessageStore::MessageStore(QString path) : db_(std::move(path), QStringLiteral("message store")) {
    const QString& storePath = db_.path();
    const QFileInfo info(storePath);
    if (!QDir().mkpath(info.absolutePath()))
        throw StoreError("message store: cannot create the directory " +
                         info.absolutePath().toStdString());
    // SQLite's own words for a foreign or damaged file ("file is not a database") do not tell
    // the user what to do; the file may hold their only history, so it is never replaced.
    if (QFile file(storePath); info.size() > 0 && file.open(QIODevice::ReadOnly) &&
                               !file.read(16).startsWith(QByteArrayLiteral("SQLite format 3")))
        throw StoreError(QStringLiteral("%1 is not a message store (not an SQLite database). It "
                                        "was left as it is: move it away to start a new history.")
                             .arg(storePath)
                             .toStdString());
    QSqlDatabase db = connection();
    // journal_mode is persistent in the file; setting it again is a no-op.
    if (pragma(db, QStringLiteral("journal_mode=WAL"))
            .compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        qCWarning(lcText) << "message store" << storePath << "is not in WAL mode";
    const int fileVersion = db_.schemaVersion(db, kSchemaVersion);
    if (!db.transaction())
        fail(QStringLiteral("message store: cannot begin"), db.lastError());
    exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS messages ("
                            " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " id TEXT NOT NULL,"
                            " direction INTEGER NOT NULL CHECK (direction IN (0, 1)),"
                            " sent_at TEXT NOT NULL,"
                            " body TEXT NOT NULL,"
                            " sender TEXT NOT NULL DEFAULT '',"
                            " status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),"
                            " error TEXT NOT NULL DEFAULT '',"
                            " call TEXT NOT NULL DEFAULT '',"
                            " call_active_ms INTEGER NOT NULL DEFAULT 0,"
                            " event TEXT NOT NULL DEFAULT '',"
                            " event_record TEXT NOT NULL DEFAULT '',"
                            " UNIQUE (direction, id))"));
    if (fileVersion == 1 || fileVersion == 2) {
        // Every row so far is a message: the defaults say so.
        exec(db, QStringLiteral("ALTER TABLE messages ADD COLUMN call TEXT NOT NULL DEFAULT ''"));
        exec(db, QStringLiteral(
                     "ALTER TABLE messages ADD COLUMN call_active_ms INTEGER NOT NULL DEFAULT 0"));
    }
    if (fileVersion >= 1 && fileVersion <= 3)
        exec(db, QStringLiteral("ALTER TABLE messages ADD COLUMN event TEXT NOT NULL DEFAULT ''"));
    // A line written before has no record: it is shown as stored, until its poster posts it again.
    if (fileVersion >= 1 && fileVersion <= 4)
        exec(db, QStringLiteral(
                     "ALTER TABLE messages ADD COLUMN event_record TEXT NOT NULL DEFAULT ''"));
    exec(db, QStringLiteral("CREATE INDEX IF NOT EXISTS outbox ON messages (seq)"
                            " WHERE direction = 0 AND status = 0"));
    exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS meta ("
                            " key TEXT PRIMARY KEY, value INTEGER NOT NULL)"));
    if (fileVersion == 1) {
        // A history written before the read mark existed was all seen then: without this the
        // first start after the upgrade would open at its oldest message.
        exec(db, QStringLiteral("INSERT OR IGNORE INTO meta (key, value) SELECT '%1',"
                                " COALESCE(MAX(seq), 0) FROM messages")
                     .arg(kReadUpTo));
    }
    fts_ = setUpFullTextIndex(db, storePath);
    db_.setSchemaVersion(db, kSchemaVersion);
    if (!db.commit())
        fail(QStringLiteral("message store: cannot create the schema"), db.lastError());
}

MessageStore::~MessageStore() = default;

namespace {

// Saves one message row (stored direction 0: outgoing, 1: incoming), `tail` after its VALUES;
// returns how many rows were added.
int insertMessage(QSqlDatabase db, const TextMessage& message, const QString& sender,
                  Direction direction, const QString& tail, const char* what) {
    QSqlQuery query(db);
    query.prepare(QStringLiteral("INSERT INTO messages (id, direction, sent_at, body, sender) "
                                 "VALUES (?, ?, ?, ?, ?)") +
                  tail);
    query.addBindValue(idText(message.id));
    query.addBindValue(direction == Direction::Incoming ? 1 : 0);
    query.addBindValue(QString::fromStdString(wireTime(message.sentAt)));
    query.addBindValue(notNull(message.body));
    query.addBindValue(notNull(sender));
    execPrepared(query, what);
    return query.numRowsAffected();
}

} // namespace

void MessageStore::addOutgoing(const TextMessage& message, const QString& sender) {
    insertMessage(connection(), message, sender, Direction::Outgoing, {},
                  "saving an outgoing message");
}

void MessageStore::addCall(const QUuid& callId, Direction direction, const QDateTime& startedAt,
                           const CallEntry& call) {
    QSqlQuery query(connection());
    // Delivered (1): never in the outbox. A call ends once; a repeated record changes nothing.
    query.prepare(QStringLiteral("INSERT INTO messages (id, direction, sent_at, body, status, call,"
                                 " call_active_ms) VALUES (?, ?, ?, '', 1, ?, ?)"
                                 " ON CONFLICT (direction, id) DO NOTHING"));
    query.addBindValue(idText(callId));
    query.addBindValue(direction == Direction::Incoming ? 1 : 0);
    query.addBindValue(QString::fromStdString(wireTime(startedAt)));
    query.addBindValue(outcomeName(call.outcome));
    query.addBindValue(call.activeMs);
    execPrepared(query, "saving a call");
}

std::optional<qint64> MessageStore::setEvent(const QString& key, Direction direction,
                                             const QDateTime& at, const QString& text,
                                             const QString& record) {
    QSqlQuery query(connection());
    // Delivered (1) and an empty body, like a call: never in the outbox, never found by search.
    // The WHERE makes a repeat (a plugin posting its lines again after a start) write nothing.
    query.prepare(
        QStringLiteral("INSERT INTO messages (id, direction, sent_at, body, status, event,"
                       " event_record) VALUES (?, ?, ?, '', 1, ?, ?) ON CONFLICT (direction, id)"
                       " DO UPDATE SET event = excluded.event,"
                       " event_record = excluded.event_record"
                       " WHERE event != excluded.event OR event_record != excluded.event_record"
                       " RETURNING seq"));
    query.addBindValue(key);
    query.addBindValue(direction == Direction::Incoming ? 1 : 0);
    query.addBindValue(QString::fromStdString(wireTime(at)));
    query.addBindValue(notNull(text));
    query.addBindValue(notNull(record));
    execPrepared(query, "saving a timeline event");
    std::optional<qint64> seq;
    if (query.next())
        seq = query.value(0).toLongLong();
    query.finish(); // the statement done: its write is committed
    return seq;
}

MessageStore::Insert MessageStore::addIncoming(const TextMessage& message, const QString& sender) {
    // One statement: the dedupe check and the insert are atomic, even against a retry of the
    // same message on another server thread.
    // Only the (direction, id) conflict is ignored: OR IGNORE would also swallow a broken row.
    const int added = insertMessage(connection(), message, sender, Direction::Incoming,
                                    QStringLiteral(" ON CONFLICT (direction, id) DO NOTHING"),
                                    "saving an incoming message");
    return added == 1 ? Insert::Added : Insert::Duplicate;
}

std::vector<StoredMessage> MessageStore::select(const QString& where, qint64 value, int limit) {
    QSqlDatabase db = connection();
    QSqlQuery query(db);
    query.setForwardOnly(true);
    QString sql =
        QStringLiteral("SELECT %1 FROM messages WHERE %2 ORDER BY seq").arg(kColumns, where);
    if (limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(limit);
    query.prepare(sql);
    if (where.contains(u'?'))
        query.addBindValue(value);
    return readRows(query, "reading messages");
}

std::vector<StoredMessage> MessageStore::eventsUpTo(qint64 upToSeq) {
    return select(QStringLiteral("event != '' AND seq <= ?"), upToSeq, 0);
}

std::optional<StoredMessage> MessageStore::outboxHead() {
    std::vector<StoredMessage> rows = select(QStringLiteral("direction = 0 AND status = 0"), 0, 1);
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

std::vector<StoredMessage> MessageStore::outbox() {
    return select(QStringLiteral("direction = 0 AND status = 0"), 0, 0);
}

bool MessageStore::setStatus(const QUuid& id, OutgoingStatus status, const QString& error) {
    QSqlDatabase db = connection();
    QSqlQuery query(db);
    query.prepare(
        QStringLiteral("UPDATE messages SET status = ?, error = ? WHERE direction = 0 AND id = ?"));
    query.addBindValue(int(status));
    query.addBindValue(notNull(status == OutgoingStatus::Failed ? error : QString()));
    query.addBindValue(idText(id));
    execPrepared(query, "updating a message's status");
    return query.numRowsAffected() == 1;
}

std::vector<StoredMessage> MessageStore::messagesAfter(qint64 afterSeq) {
    return select(QStringLiteral("seq > ?"), afterSeq, 0);
}

QString MessageStore::lastContactName() {
    QSqlDatabase db = connection();
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT sender FROM messages WHERE direction = 1 AND sender != '' "
                                 "ORDER BY seq DESC LIMIT 1"));
    execPrepared(query, "reading the contact's name");
    return query.next() ? query.value(0).toString() : QString();
}

int MessageStore::nameUnnamedIncoming(const QString& sender) {
    QSqlDatabase db = connection();
    QSqlQuery query(db);
    query.prepare(
        QStringLiteral("UPDATE messages SET sender = ? WHERE direction = 1 AND sender = ''"));
    query.addBindValue(notNull(sender));
    execPrepared(query, "naming the contact's messages");
    return query.numRowsAffected();
}

qint64 MessageStore::readUpTo() {
    QSqlDatabase db = connection();
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    query.addBindValue(kReadUpTo);
    execPrepared(query, "reading the read mark");
    return query.next() ? query.value(0).toLongLong() : 0;
}

void MessageStore::setReadUpTo(qint64 seq) {
    QSqlDatabase db = connection();
    QSqlQuery query(db);
    // Only forward: what was seen stays seen.
    query.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
                                 " DO UPDATE SET value = MAX(value, excluded.value)"));
    query.addBindValue(kReadUpTo);
    query.addBindValue(seq);
    execPrepared(query, "saving the read mark");
}

namespace {

// Every word of the search as an FTS5 string ("..." with its quotes doubled), each a prefix:
// nothing the user types can be FTS5 syntax (AND, NEAR, *, ^, column filters), so no input is
// a syntax error. Words must all occur, in any order.
QString ftsQuery(const QString& text) {
    QStringList words;
    for (const QString& word :
         text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts))
        words << QStringLiteral("\"%1\"*").arg(QString(word).replace(u'"', QStringLiteral("\"\"")));
    return words.join(u' ');
}

// FTS5 indexes letters and digits only: a search for ":)" or "?!" must look at the text itself.
bool hasWordCharacters(const QString& text) {
    return std::any_of(text.begin(), text.end(), [](QChar c) { return c.isLetterOrNumber(); });
}

QString likePattern(const QString& text) {
    QString escaped = text;
    escaped.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'%', QStringLiteral("\\%"))
        .replace(u'_', QStringLiteral("\\_"));
    return u'%' + escaped + u'%';
}

} // namespace

std::vector<StoredMessage> MessageStore::search(const QString& text, int limit,
                                                SearchMethod method) {
    QString query = text.left(kMaxSearchChars);
    // Control characters are never what someone looks for, and FTS5 ends its query at a NUL
    // ("unterminated string").
    for (QChar& c : query)
        if (c.category() == QChar::Other_Control)
            c = u' ';
    query = query.trimmed();
    if (query.isEmpty() || limit <= 0)
        return {};
    const bool fts = method == SearchMethod::FullText && fts_ && hasWordCharacters(query);
    QSqlDatabase db = connection();
    QSqlQuery select(db);
    select.setForwardOnly(true);
    // Newest first, as the user scrolls back from the bottom. FTS5 walks its rowids (= seq) in
    // descending order itself, so a word in half the history costs no sort.
    const QString matches =
        fts ? QStringLiteral("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?"
                             " ORDER BY rowid DESC LIMIT ?")
            : QStringLiteral("SELECT seq FROM messages WHERE body LIKE ? ESCAPE '\\'"
                             " ORDER BY seq DESC LIMIT ?");
    select.prepare(
        QStringLiteral("SELECT ") + kColumns +
        QStringLiteral(" FROM messages WHERE seq IN (%1) ORDER BY seq DESC").arg(matches));
    select.addBindValue(fts ? ftsQuery(query) : likePattern(query));
    select.addBindValue(limit);
    return readRows(select, "searching messages");
}

} // namespace charla::text
