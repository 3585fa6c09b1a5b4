#include "transfer_timeline.h"

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

QString TransferTimeline::lineText(const Transfer& t) {
    const bool incoming = t.direction == Direction::Incoming;
    const QString name = oneLine(t.name), size = bytesText(t.size);
    QString line;
    switch (t.state) {
    case State::Done:
        line = incoming ? tr("📎 %1 · %2 — received").arg(name, size)
                        : tr("📎 %1 · %2 — sent").arg(name, size);
        break;
    case State::Declined:
        line = tr("📎 %1 · %2 — declined").arg(name, size);
        break;
    case State::Cancelled:
        line = tr("📎 %1 · %2 — cancelled").arg(name, size);
        break;
    case State::Failed:
        line = tr("📎 %1 · %2 — failed: %3").arg(name, size, oneLine(t.reason));
        break;
    default: // on its way: the panel shows the progress
        line = tr("📎 %1 · %2 — offered").arg(name, size);
        break;
    }
    return line.left(kMaxLineChars);
}

std::vector<sdk::TimelineEvent> TransferTimeline::changes(const std::vector<Transfer>& transfers) {
    std::vector<sdk::TimelineEvent> events;
    for (const Transfer& t : transfers) {
        const bool incoming = t.direction == Direction::Incoming;
        const QString key = (incoming ? QStringLiteral("in/") : QStringLiteral("out/")) + t.id;
        const QString text = lineText(t);
        auto it = posted_.find(key);
        if (it != posted_.end() && it.value() == text)
            continue;
        posted_.insert(key, text);
        sdk::TimelineEvent event;
        event.key = key.toStdString();
        event.outgoing = !incoming;
        event.timeMs = t.createdMs;
        event.text = text.toStdString();
        events.push_back(std::move(event));
    }
    return events;
}

} // namespace charla::files
