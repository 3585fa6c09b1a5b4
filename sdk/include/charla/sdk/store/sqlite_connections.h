// A plugin's SQLite file through Qt SQL, from any thread (header-only: compiles into the plugin,
// adds nothing to the ABI; link Qt6::Sql). The text and files plugins keep their stores with it.
//
// Qt SQL connections belong to the thread that opened them, so every thread gets its own: opened
// on first use under a name unique to this object and thread, with a busy timeout (SQLite
// serialises the writers) and synchronous=FULL (a commit is on disk, not only in the WAL, when
// it returns: what was acknowledged survives an OS crash). A thread's connections close when it
// ends; the thread that destroys the object closes its own in the destructor.
//
// Schema versions live in the file (PRAGMA user_version): schemaVersion() reads it and refuses a
// file written by a newer version of the plugin; the plugin creates or upgrades its tables in a
// transaction and then calls setSchemaVersion().
//
// Every failure throws `Error` (the plugin's own exception type, constructible from a
// std::string) with a readable reason. The statements themselves are the plugin's.
#pragma once

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QThread>
#include <QUuid>
#include <QVariant>

#include <string>
#include <vector>

namespace charla::sdk::store {

namespace detail {

// The connections this thread opened, closed when the thread ends. Handler threads come and go
// with the contact's connections; this keeps them from leaving open connections behind.
struct ThreadConnections {
    std::vector<QString> names;

    ~ThreadConnections() {
        for (const QString& name : names)
            close(name);
    }
    static void close(const QString& name) {
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        } // no QSqlDatabase may be alive when the connection is removed
        QSqlDatabase::removeDatabase(name);
    }
    void forget(const QString& name) { std::erase(names, name); }
};

inline thread_local ThreadConnections threadConnections;

} // namespace detail

template <typename Error> class SqliteConnections {
public:
    static constexpr int kBusyTimeoutMs = 3000; // a writer waits this long for another's write

    // `what` names the store in errors ("message store"). Opens nothing yet.
    SqliteConnections(QString path, QString what)
        : path_(std::move(path)), what_(std::move(what)),
          prefix_(QStringLiteral("charla-store-%1-")
                      .arg(QUuid::createUuid().toString(QUuid::WithoutBraces))) {}
    ~SqliteConnections() {
        const QString name = threadName();
        if (QSqlDatabase::contains(name)) {
            detail::ThreadConnections::close(name);
            detail::threadConnections.forget(name);
        }
    }
    SqliteConnections(const SqliteConnections&) = delete;
    SqliteConnections& operator=(const SqliteConnections&) = delete;

    const QString& path() const { return path_; }

    // This thread's connection, opened on first use.
    QSqlDatabase connection() {
        const QString name = threadName();
        if (QSqlDatabase::contains(name))
            return QSqlDatabase::database(name, false);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        detail::threadConnections.names.push_back(name);
        db.setDatabaseName(path_);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
        if (!db.open())
            fail(QStringLiteral("cannot open %1").arg(path_), db.lastError());
        pragma(db, QStringLiteral("synchronous=FULL")); // per connection
        return db;
    }

    // The file's schema version (0: a new file); refuses one newer than `known`.
    int schemaVersion(QSqlDatabase& db, int known) const {
        const int version = pragma(db, QStringLiteral("user_version")).toInt();
        if (version > known)
            throw Error(QStringLiteral("%1 %2 was written by a newer Charla (schema %3, this one "
                                       "knows %4)")
                            .arg(what_, path_)
                            .arg(version)
                            .arg(known)
                            .toStdString());
        return version;
    }
    // Inside the transaction that made the tables of `version`.
    void setSchemaVersion(QSqlDatabase& db, int version) const {
        pragma(db, QStringLiteral("user_version = %1").arg(version));
    }

private:
    [[noreturn]] void fail(const QString& what, const QSqlError& error) const {
        throw Error(QStringLiteral("%1: %2: %3").arg(what_, what, error.text()).toStdString());
    }
    // A pragma's answer, with the statement finished (an active one would block a later commit).
    QVariant pragma(QSqlDatabase& db, const QString& pragma) const {
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("PRAGMA ") + pragma))
            fail(QStringLiteral("PRAGMA %1 failed").arg(pragma), query.lastError());
        const QVariant value = query.next() ? query.value(0) : QVariant();
        query.finish();
        return value;
    }

    QString threadName() const {
        return prefix_ + QString::number(quintptr(QThread::currentThreadId()));
    }

    QString path_;
    QString what_;
    QString prefix_; // unique per object, even across copies of this code in several plugins
};

} // namespace charla::sdk::store
