#include "message_format.h"

#include <QCoreApplication>
#include <QLocale>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cstdlib>

namespace charla::text {

namespace {
const QString kRetryScheme = QStringLiteral("retry:");

// The context these free functions translate in: lupdate files the strings under it too (a
// plain tr() helper here was filed under "charla::text" and never matched at run time).
struct MessageFormat {
    Q_DECLARE_TR_FUNCTIONS(charla::text::MessageFormat)
};

bool waitsForTheContact(const ChatMessage& message, const ContactState& contact) {
    return !contact.online &&
           (message.state == MessageState::Sending || message.state == MessageState::Retrying);
}

} // namespace

QString deliveryLabel(const ChatMessage& message, const ContactState& contact) {
    if (waitsForTheContact(message, contact))
        return MessageFormat::tr("Queued — %1 is offline").arg(contact.name);
    switch (message.state) {
    case MessageState::Sending:
        return MessageFormat::tr("sending…");
    case MessageState::Delivered:
        return MessageFormat::tr("✓ delivered");
    case MessageState::Retrying:
        return MessageFormat::tr("not delivered yet — will retry");
    case MessageState::Failed:
        return MessageFormat::tr("✗ failed: %1").arg(message.error);
    case MessageState::Received:
        break;
    }
    return {};
}

QString deliveryDetail(const ChatMessage& message) {
    if (message.error.isEmpty() || message.state == MessageState::Failed)
        return {};
    return MessageFormat::tr("Last attempt failed: %1").arg(message.error);
}

QString timeLabel(const ChatMessage& message) {
    return message.sentAt.toLocalTime().toString(QStringLiteral("HH:mm"));
}

QString messageAnchor(qint64 seq) {
    return QStringLiteral("m%1").arg(seq);
}

qint64 anchorSeq(const QString& anchor) {
    if (!anchor.startsWith(u'm'))
        return 0;
    bool ok = false;
    const qint64 seq = QStringView(anchor).mid(1).toLongLong(&ok);
    return ok ? seq : 0;
}

bool isWebLink(const QUrl& url) {
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == u"http" || scheme == u"https") && !url.host().isEmpty();
}

QString bodyHtml(const QString& body) {
    // A URL ends at white space or at a character that cannot be in one unescaped; `"`, `<` and
    // `>` end it too, so the link's text never holds markup.
    static const QRegularExpression urlPattern(QStringLiteral("(?<![\\w@])https?://[^\\s<>\"]+"),
                                               QRegularExpression::CaseInsensitiveOption);
    QString html;
    qsizetype done = 0;
    for (auto it = urlPattern.globalMatch(body); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        QString text = match.captured();
        // Sentence punctuation after a URL is not part of it; a closing bracket is only when
        // the URL opened one ("(see https://x.org/a_(b))").
        while (!text.isEmpty()) {
            const QChar last = text.back();
            const bool unbalanced = (last == u')' && text.count(u'(') < text.count(u')')) ||
                                    (last == u']' && text.count(u'[') < text.count(u']'));
            if (!unbalanced && !QStringLiteral(".,;:!?'").contains(last))
                break;
            text.chop(1);
        }
        const QUrl url(text, QUrl::StrictMode);
        if (!isWebLink(url))
            continue;
        html += body.mid(done, match.capturedStart() - done).toHtmlEscaped();
        html += QStringLiteral("<a href=\"%1\">%2</a>")
                    .arg(QString::fromUtf8(url.toEncoded()).toHtmlEscaped(), text.toHtmlEscaped());
        done = match.capturedStart() + text.size();
    }
    html += body.mid(done).toHtmlEscaped();
    return html;
}

QString messageHtml(const ChatMessage& message, const ContactState& contact, bool withHeader) {
    const QString sender =
        message.sender.isEmpty() && !message.outgoing ? contact.name : message.sender;
    // Named for search results and the read mark (messageAnchor); Qt attaches an empty anchor
    // to the text that follows it.
    const QString anchor =
        message.seq > 0 ? QStringLiteral("<a name=\"%1\"></a>").arg(messageAnchor(message.seq))
                        : QString();
    QString html;
    if (withHeader) {
        // Own messages get the accent colour on the sender, so a glance tells who said what.
        const QString senderColor =
            message.outgoing ? QStringLiteral("#1565c0") : QStringLiteral("#2e7d32");
        html += QStringLiteral("<p style=\"margin-top:6px; margin-bottom:0px\">%4"
                               "<span style=\"color:gray\">%1</span> "
                               "<b style=\"color:%3\">%2</b></p>")
                    .arg(timeLabel(message), sender.toHtmlEscaped(), senderColor, anchor);
    }
    // pre-wrap keeps the sender's line breaks and spacing while still wrapping long lines.
    html += QStringLiteral("<p style=\"margin:0px; white-space:pre-wrap\">%1"
                           "<span title=\"%2\">%3</span></p>")
                .arg(withHeader ? QString() : anchor, timeLabel(message), bodyHtml(message.body));
    if (message.outgoing) {
        // Waiting for an offline contact is normal, not trouble: it goes when they are back.
        const bool waiting = waitsForTheContact(message, contact);
        const bool troubled = !waiting && (message.state == MessageState::Retrying ||
                                           message.state == MessageState::Failed);
        const QString color = troubled ? QStringLiteral("#b00020") : QStringLiteral("gray");
        QString status = deliveryLabel(message, contact).toHtmlEscaped();
        if (troubled)
            status += QStringLiteral(" &mdash; <a href=\"%1\">%2</a>")
                          .arg(retryUrl(message.id), message.state == MessageState::Failed
                                                         ? MessageFormat::tr("Retry")
                                                         : MessageFormat::tr("Retry now"));
        // The transport's words (e.g. "text.send: cannot reach ...") as the status's tooltip.
        const QString detail = deliveryDetail(message);
        const QString title = detail.isEmpty()
                                  ? QString()
                                  : QStringLiteral(" title=\"%1\"").arg(detail.toHtmlEscaped());
        html += QStringLiteral("<p style=\"margin:0px\"><small style=\"color:%1\"%3>%2</small></p>")
                    .arg(color, status, title);
    }
    return html;
}

QString callDuration(qint64 activeMs) {
    const qint64 seconds = std::max<qint64>(0, (activeMs + 500) / 1000);
    if (seconds < 60)
        return MessageFormat::tr("%1 s").arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes < 60)
        return MessageFormat::tr("%1 min").arg(minutes);
    return MessageFormat::tr("%1 h %2 min")
        .arg(minutes / 60)
        .arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

QString callLabel(const ChatMessage& call, const ContactState& contact) {
    if (!call.call)
        return {};
    switch (call.call->outcome) {
    case CallOutcome::Completed:
        return MessageFormat::tr("Call · %1").arg(callDuration(call.call->activeMs));
    case CallOutcome::Missed:
        return MessageFormat::tr("Missed call");
    case CallOutcome::Declined:
        return MessageFormat::tr("Call declined");
    case CallOutcome::DeclinedByContact:
        return MessageFormat::tr("%1 declined the call").arg(contact.name);
    case CallOutcome::Cancelled:
        return MessageFormat::tr("Call cancelled");
    case CallOutcome::NoAnswer:
        return MessageFormat::tr("No answer");
    case CallOutcome::Failed:
        return MessageFormat::tr("Call failed");
    }
    return MessageFormat::tr("Call");
}

namespace {

// A call as one centred line with its time: red when it was missed.
QString callHtml(const ChatMessage& call, const ContactState& contact) {
    const QString anchor = call.seq > 0
                               ? QStringLiteral("<a name=\"%1\"></a>").arg(messageAnchor(call.seq))
                               : QString();
    const bool missed = call.call->outcome == CallOutcome::Missed;
    const QString arrow = call.outgoing ? QStringLiteral("↗") : QStringLiteral("↙");
    return QStringLiteral("<p align=\"center\" style=\"margin-top:6px; margin-bottom:6px; "
                          "color:%1\">%2<small>☎ %3 %4 · %5</small></p>")
        .arg(missed ? QStringLiteral("#c62828") : QStringLiteral("gray"), anchor, arrow,
             callLabel(call, contact).toHtmlEscaped(), timeLabel(call));
}

// A plugin's timeline line, centred like a call: its own words, escaped, with the time.
QString eventHtml(const ChatMessage& line) {
    const QString anchor = line.seq > 0
                               ? QStringLiteral("<a name=\"%1\"></a>").arg(messageAnchor(line.seq))
                               : QString();
    const QString arrow = line.outgoing ? QStringLiteral("↗") : QStringLiteral("↙");
    return QStringLiteral("<p align=\"center\" style=\"margin-top:6px; margin-bottom:6px; "
                          "color:gray\">%1<small>%2 %3 · %4</small></p>")
        .arg(anchor, arrow, line.event->toHtmlEscaped(), timeLabel(line));
}

} // namespace

QString dateLabel(const QDate& date, const QDate& today) {
    if (date == today)
        return MessageFormat::tr("Today");
    if (date == today.addDays(-1))
        return MessageFormat::tr("Yesterday");
    return QLocale().toString(date, QLocale::LongFormat);
}

bool groupsWith(const ChatMessage& previous, const ChatMessage& message) {
    return !previous.isLine() && !message.isLine() && previous.outgoing == message.outgoing &&
           previous.sender == message.sender &&
           previous.sentAt.toLocalTime().date() == message.sentAt.toLocalTime().date() &&
           std::abs(previous.sentAt.secsTo(message.sentAt)) <= ConversationLayout::kGroupSeconds;
}

ShownRange shownRange(const std::vector<ChatMessage>& messages, qint64 mustShowSeq) {
    const std::size_t size = messages.size();
    ShownRange range{size > kShownMessages ? size - kShownMessages : 0, size};
    if (mustShowSeq <= 0)
        return range;
    // Stored messages are in seq order; unstored ones (seq 0) are never what must show.
    const auto it = std::find_if(messages.begin(), messages.end(),
                                 [&](const ChatMessage& m) { return m.seq == mustShowSeq; });
    if (it == messages.end())
        return range;
    const auto index = static_cast<std::size_t>(it - messages.begin());
    if (index >= range.from)
        return range;
    if (size - index <= kMaxShownMessages)
        return {index, size};
    return {index, std::min(size, index + kShownMessages)};
}

QString conversationHtml(std::span<const ChatMessage> messages, const ContactState& contact,
                         const ConversationLayout& layout) {
    QString html;
    auto note = [](const QString& text) {
        return QStringLiteral("<p align=\"center\" style=\"margin-top:8px; margin-bottom:8px; "
                              "color:gray\"><small><i>%1</i></small></p>")
            .arg(text.toHtmlEscaped());
    };
    if (layout.olderHidden > 0)
        html += note(
            MessageFormat::tr("%n older message(s) not shown: Ctrl+F searches the whole history",
                              nullptr, layout.olderHidden));
    const ChatMessage* previous = nullptr;
    for (const auto& message : messages) {
        const QDate day = message.sentAt.toLocalTime().date();
        bool header = !previous || !groupsWith(*previous, message);
        // By the local order of the messages: a contact's clock running behind may bring a day
        // back, and then its line too.
        if (!previous || previous->sentAt.toLocalTime().date() != day) {
            html += QStringLiteral("<p align=\"center\" style=\"margin-top:12px; "
                                   "margin-bottom:2px; color:gray\"><small><b>%1</b></small></p>")
                        .arg(dateLabel(day, layout.today).toHtmlEscaped());
            header = true;
        }
        if (layout.firstUnreadSeq > 0 && message.seq == layout.firstUnreadSeq) {
            html += QStringLiteral("<p align=\"center\" style=\"margin-top:8px; margin-bottom:0px; "
                                   "color:#c62828\"><small>%1</small></p>")
                        .arg(MessageFormat::tr("— New messages —"));
            header = true;
        }
        html += message.call    ? callHtml(message, contact)
                : message.event ? eventHtml(message)
                                : messageHtml(message, contact, header);
        previous = &message;
    }
    if (layout.newerHidden > 0)
        html += note(MessageFormat::tr("%n newer message(s) below: “Jump to latest” shows them",
                                       nullptr, layout.newerHidden));
    return html;
}

QString retryUrl(const QUuid& id) {
    return kRetryScheme + id.toString(QUuid::WithoutBraces);
}

QUuid retryTarget(const QString& url) {
    if (!url.startsWith(kRetryScheme))
        return {};
    return QUuid::fromString(QStringView(url).mid(kRetryScheme.size()));
}

} // namespace charla::text
