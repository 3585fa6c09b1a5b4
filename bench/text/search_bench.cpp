// Search time over a long history: a message store (the plugin's MessageStore, schema and all)
// filled with N messages (default 100,000) of pseudo-random words with a Zipf-like frequency,
// then the same queries through the FTS5 index and through LIKE, interleaved query by query so
// that both see the same machine load. Prints fill time, file size and p50/p95/max per method
// and per kind of query (a common word, a rare one, two words, a prefix, no match).
// Usage: charla_text_search_bench [messages, default 100000] [queries per kind, default 60]
#include "message_store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace charla::text;

namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

// Words of 3-10 letters, some with Spanish accents; word i's frequency ~ 1/(i+1).
std::vector<QString> vocabulary(std::mt19937& rng, int size) {
    static const QString letters = QStringLiteral("abcdefghijklmnopqrstuvwxyzáéíóúñ");
    std::uniform_int_distribution<int> length(3, 10);
    std::uniform_int_distribution<int> letter(0, int(letters.size()) - 1);
    std::vector<QString> words;
    while (int(words.size()) < size) {
        QString word;
        for (int n = length(rng); n > 0; --n)
            word += letters[letter(rng)];
        words.push_back(word);
    }
    return words;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int count = argc > 1 ? std::atoi(argv[1]) : 100000;
    const int perKind = argc > 2 ? std::atoi(argv[2]) : 60;
    QTemporaryDir dir;
    if (!dir.isValid())
        return 1;
    const QString path = dir.filePath(QStringLiteral("bench.sqlite"));
    std::mt19937 rng(20261205);
    const std::vector<QString> words = vocabulary(rng, 20000);
    // Zipf by inverse transform over the cumulative 1/(i+1) weights.
    std::vector<double> cumulative(words.size());
    double sum = 0;
    for (std::size_t i = 0; i < words.size(); ++i)
        cumulative[i] = (sum += 1.0 / double(i + 1));
    std::uniform_real_distribution<double> pick(0, sum);
    auto word = [&] {
        return words[std::size_t(std::lower_bound(cumulative.begin(), cumulative.end(), pick(rng)) -
                                 cumulative.begin())];
    };

    MessageStore store(path); // the real schema: messages, meta, the FTS5 index and its triggers
    std::printf("SQLite FTS5: %s\n", store.hasFullTextIndex() ? "yes" : "no (LIKE only)");
    {
        // One transaction for the fill (the store's own inserts fsync each message); the
        // triggers index every row as the store's inserts do.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), "fill");
        db.setDatabaseName(path);
        if (!db.open() || !db.transaction())
            return 1;
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral("INSERT INTO messages (id, direction, sent_at, body, sender)"
                                      " VALUES (?, ?, ?, ?, ?)"));
        std::uniform_int_distribution<int> length(3, 25);
        QDateTime at = QDateTime::currentDateTimeUtc().addDays(-400);
        QElapsedTimer fill;
        fill.start();
        for (int i = 0; i < count; ++i) {
            QStringList body;
            for (int n = length(rng); n > 0; --n)
                body << word();
            at = at.addSecs(300);
            insert.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
            insert.addBindValue(i % 2);
            insert.addBindValue(at.toString(Qt::ISODateWithMs));
            insert.addBindValue(body.join(u' '));
            insert.addBindValue(i % 2 ? QStringLiteral("Bob") : QStringLiteral("Alice"));
            if (!insert.exec()) {
                std::fprintf(stderr, "insert: %s\n", qPrintable(insert.lastError().text()));
                return 1;
            }
        }
        if (!db.commit())
            return 1;
        std::printf("filled %d messages in %.1f s, file %.1f MB\n", count,
                    double(fill.elapsed()) / 1000.0,
                    double(QFileInfo(path).size() + QFileInfo(path + "-wal").size()) / 1e6);
    }
    QSqlDatabase::removeDatabase("fill");

    // The kinds of query a user types.
    std::uniform_int_distribution<int> common(0, 20), middle(200, 2000), rare(5000, 19999);
    std::map<std::string, std::vector<QString>> queries;
    for (int i = 0; i < perKind; ++i) {
        queries["common word"].push_back(words[std::size_t(common(rng))]);
        queries["rare word"].push_back(words[std::size_t(rare(rng))]);
        queries["two words"].push_back(words[std::size_t(middle(rng))] + u' ' +
                                       words[std::size_t(common(rng))]);
        queries["prefix (3 letters)"].push_back(words[std::size_t(middle(rng))].left(3));
        queries["no match"].push_back(QStringLiteral("zzqx%1").arg(i));
    }
    std::map<std::string, std::vector<double>> fts, like;
    std::map<std::string, std::size_t> ftsHits, likeHits;
    for (const auto& [kind, list] : queries) {
        for (const QString& query : list) {
            for (const auto method : {SearchMethod::FullText, SearchMethod::Like}) {
                const auto start = Clock::now();
                const std::size_t hits = store.search(query, 500, method).size();
                const double ms =
                    std::chrono::duration<double, std::milli>(Clock::now() - start).count();
                (method == SearchMethod::FullText ? fts : like)[kind].push_back(ms);
                (method == SearchMethod::FullText ? ftsHits : likeHits)[kind] += hits;
            }
        }
    }
    std::printf("\n%-20s %-6s %9s %9s %9s %12s\n", "query", "method", "p50 ms", "p95 ms", "max ms",
                "mean hits");
    std::vector<double> allFts, allLike;
    for (const auto& [kind, list] : queries) {
        for (const auto& [name, times, hits] :
             {std::tuple{"FTS5", fts[kind], ftsHits[kind]}, {"LIKE", like[kind], likeHits[kind]}}) {
            std::printf("%-20s %-6s %9.2f %9.2f %9.2f %12.1f\n", kind.c_str(), name,
                        percentile(times, 0.5), percentile(times, 0.95),
                        *std::max_element(times.begin(), times.end()),
                        double(hits) / double(list.size()));
        }
        allFts.insert(allFts.end(), fts[kind].begin(), fts[kind].end());
        allLike.insert(allLike.end(), like[kind].begin(), like[kind].end());
    }
    std::printf("%-20s %-6s %9.2f %9.2f %9.2f\n", "all", "FTS5", percentile(allFts, 0.5),
                percentile(allFts, 0.95), *std::max_element(allFts.begin(), allFts.end()));
    std::printf("%-20s %-6s %9.2f %9.2f %9.2f\n", "all", "LIKE", percentile(allLike, 0.5),
                percentile(allLike, 0.95), *std::max_element(allLike.begin(), allLike.end()));
    std::printf("LIKE/FTS5 p50 ratio: %.1f\n", percentile(allLike, 0.5) / percentile(allFts, 0.5));
    return 0;
}
