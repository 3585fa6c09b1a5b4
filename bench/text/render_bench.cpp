// What one re-render of the conversation costs as the history grows: the panel rebuilds its
// document on every change (a message added, a receipt), so this is the GUI thread's work per
// event. Times conversationHtml() and QTextDocument::setHtml() plus its layout, for histories of N
// messages (p50 of 3 runs each), in the same run: the whole history (what the panel rendered
// before it held only a part) and the part shownRange() gives (what it renders now).
// Usage: charla_text_render_bench [N...] (default 500 2000 5000)
#include "message_format.h"

#include <QAbstractTextDocumentLayout>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QTextDocument>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

using namespace charla::text;

namespace {

struct Times {
    double html = 0;     // conversationHtml(), p50 ms
    double document = 0; // setHtml() and the layout at 520 px, p50 ms
};

Times measure(std::span<const ChatMessage> messages) {
    std::vector<double> html, document;
    for (int run = 0; run < 3; ++run) {
        QElapsedTimer timer;
        timer.start();
        const QString text = conversationHtml(messages);
        html.push_back(double(timer.nsecsElapsed()) / 1e6);
        timer.restart();
        QTextDocument doc;
        doc.setTextWidth(520);
        doc.setHtml(text);
        doc.documentLayout()->documentSize();
        document.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(html.begin(), html.end());
    std::sort(document.begin(), document.end());
    return {html[1], document[1]};
}

} // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QGuiApplication app(argc, argv);
    std::printf("%10s %14s %18s %10s %14s %18s\n", "messages", "html p50 ms", "setHtml+layout ms",
                "shown", "html p50 ms", "setHtml+layout ms");
    std::vector<int> counts;
    for (int i = 1; i < argc; ++i)
        counts.push_back(std::atoi(argv[i]));
    if (counts.empty())
        counts = {500, 2000, 5000};
    for (const int count : counts) {
        std::vector<ChatMessage> messages;
        QDateTime at = QDateTime::currentDateTimeUtc().addDays(-30);
        for (int i = 0; i < count; ++i) {
            at = at.addSecs(i % 7 == 0 ? 3600 : 60);
            ChatMessage m;
            m.seq = i + 1;
            m.id = QUuid::createUuid();
            m.sentAt = at;
            m.body =
                QStringLiteral("message %1 with a few words, see https://example.org/%1").arg(i);
            m.outgoing = i % 3 == 0;
            m.sender = m.outgoing ? QStringLiteral("Alice") : QStringLiteral("Bob");
            m.state = m.outgoing ? MessageState::Delivered : MessageState::Received;
            messages.push_back(m);
        }
        const ShownRange shown = shownRange(messages, 0);
        const auto all = std::span<const ChatMessage>(messages);
        const Times whole = measure(all);
        const Times part = measure(all.subspan(shown.from, shown.to - shown.from));
        std::printf("%10d %14.1f %18.1f %10zu %14.1f %18.1f\n", count, whole.html, whole.document,
                    shown.to - shown.from, part.html, part.document);
    }
    return 0;
}
