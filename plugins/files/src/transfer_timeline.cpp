#include "transfer_timeline.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace charla::files {
namespace {

// A file's name as one line of plain text: control characters (a line break in a local file's
// name) become spaces, and a very long name is cut in the middle.
QString oneLine(QString name) {
    for (QChar& c : name)
        if (c.category() == QChar::Other_Control)
            c = u' ';
    constexpr int kMaxNameChars = 120;
    if (name.size() > kMaxNameChars)
        name = name.left(kMaxNameChars / 2) + QStringLiteral("…") + name.right(kMaxNameChars / 2);
    return name;
}

} // namespace

QString bytesText(qint64 bytes) {
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

namespace {

// A transfer's fate as its record says it: the words the line ends with, in the record's terms.
// Stored words, not State's numbers: a record in the history outlives this version's enum.
constexpr const char* kOffered = "offered";
constexpr const char* kDone = "done";
constexpr const char* kDeclined = "declined";
constexpr const char* kCancelled = "cancelled";
constexpr const char* kFailed = "failed";

const char* fateName(State state) {
    switch (state) {
    case State::Done:
        return kDone;
    case State::Declined:
        return kDeclined;
    case State::Cancelled:
        return kCancelled;
    case State::Failed:
        return kFailed;
    default: // on its way: the panel shows the progress
        return kOffered;
    }
}

} // namespace

std::string TransferTimeline::record(const Transfer& t) {
    QJsonObject o{{QStringLiteral("fate"), QLatin1String(fateName(t.state))},
                  {QStringLiteral("name"), t.name},
                  {QStringLiteral("size"), double(t.size)}};
    if (t.state == State::Failed)
        o.insert(QStringLiteral("reason"), t.reason);
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

std::optional<QString> TransferTimeline::render(const std::string& record, bool outgoing) {
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(record));
    const QJsonObject o = doc.object();
    const QString fate = o.value(QStringLiteral("fate")).toString();
    const QJsonValue nameValue = o.value(QStringLiteral("name"));
    const QJsonValue sizeValue = o.value(QStringLiteral("size"));
    if (!doc.isObject() || !nameValue.isString() || !sizeValue.isDouble())
        return std::nullopt;
    const QString name = oneLine(nameValue.toString());
    const QString size = bytesText(qint64(sizeValue.toDouble()));
    QString line;
    if (fate == QLatin1String(kDone))
        line = outgoing ? tr("📎 %1 · %2 — sent").arg(name, size)
                        : tr("📎 %1 · %2 — received").arg(name, size);
    else if (fate == QLatin1String(kDeclined))
        line = tr("📎 %1 · %2 — declined").arg(name, size);
    else if (fate == QLatin1String(kCancelled))
        line = tr("📎 %1 · %2 — cancelled").arg(name, size);
    else if (fate == QLatin1String(kFailed))
        line = tr("📎 %1 · %2 — failed: %3")
                   .arg(name, size, oneLine(o.value(QStringLiteral("reason")).toString()));
    else if (fate == QLatin1String(kOffered))
        line = tr("📎 %1 · %2 — offered").arg(name, size);
    else
        return std::nullopt; // a fate of a later version's
    return line.left(kMaxLineChars);
}

std::vector<TransferTimeline::Post>
TransferTimeline::changes(const std::vector<Transfer>& transfers) {
    std::vector<Post> posts;
    for (const Transfer& t : transfers) {
        const bool incoming = t.direction == Direction::Incoming;
        const QString key = (incoming ? QStringLiteral("in/") : QStringLiteral("out/")) + t.id;
        std::string meaning = record(t);
        auto it = posted_.find(key);
        if (it != posted_.end() && it.value() == meaning)
            continue;
        posted_.insert(key, meaning);
        Post post;
        post.event.key = key.toStdString();
        post.event.outgoing = !incoming;
        post.event.timeMs = t.createdMs;
        // Through the record: the line posted now and the one worded from it later are one.
        post.event.text = render(meaning, !incoming).value_or(QString()).toStdString();
        post.record = std::move(meaning);
        posts.push_back(std::move(post));
    }
    return posts;
}

} // namespace charla::files
