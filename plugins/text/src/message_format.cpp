#include "message_format.h"

#include <QCoreApplication>

namespace charla::text {

namespace {
const QString kRetryScheme = QStringLiteral("retry:");

QString tr(const char* text) {
    return QCoreApplication::translate("charla::text::MessageFormat", text);
}

bool waitsForTheContact(const ChatMessage& message, const ContactState& contact) {
    return !contact.online &&
           (message.state == MessageState::Sending || message.state == MessageState::Retrying);
}

} // namespace

QString deliveryLabel(const ChatMessage& message, const ContactState& contact) {
    if (waitsForTheContact(message, contact))
        return tr("Queued — %1 is offline").arg(contact.name);
    switch (message.state) {
    case MessageState::Sending:
        return tr("sending…");
    case MessageState::Delivered:
        return tr("✓ delivered");
    case MessageState::Retrying:
        return tr("not delivered yet — will retry");
    case MessageState::Failed:
        return tr("✗ failed: %1").arg(message.error);
    case MessageState::Received:
        break;
    }
    return {};
}

QString deliveryDetail(const ChatMessage& message) {
    if (message.error.isEmpty() || message.state == MessageState::Failed)
        return {};
    return tr("Last attempt failed: %1").arg(message.error);
}

QString timeLabel(const ChatMessage& message) {
    return message.sentAt.toLocalTime().toString(QStringLiteral("HH:mm"));
}

QString messageHtml(const ChatMessage& message, const ContactState& contact) {
    const QString sender =
        message.sender.isEmpty() && !message.outgoing ? contact.name : message.sender;
    // Own messages get the accent colour on the sender, so a glance tells who said what.
    const QString senderColor =
        message.outgoing ? QStringLiteral("#1565c0") : QStringLiteral("#2e7d32");
    QString html = QStringLiteral("<p style=\"margin-top:6px; margin-bottom:0px\">"
                                  "<span style=\"color:gray\">%1</span> "
                                  "<b style=\"color:%3\">%2</b></p>")
                       .arg(timeLabel(message), sender.toHtmlEscaped(), senderColor);
    // pre-wrap keeps the sender's line breaks and spacing while still wrapping long lines.
    html += QStringLiteral("<p style=\"margin:0px; white-space:pre-wrap\">%1</p>")
                .arg(message.body.toHtmlEscaped());
    if (message.outgoing) {
        // Waiting for an offline contact is normal, not trouble: it goes when they are back.
        const bool waiting = waitsForTheContact(message, contact);
        const bool troubled = !waiting && (message.state == MessageState::Retrying ||
                                           message.state == MessageState::Failed);
        const QString color = troubled ? QStringLiteral("#b00020") : QStringLiteral("gray");
        QString status = deliveryLabel(message, contact).toHtmlEscaped();
        if (troubled)
            status +=
                QStringLiteral(" &mdash; <a href=\"%1\">%2</a>")
                    .arg(retryUrl(message.id),
                         message.state == MessageState::Failed ? tr("Retry") : tr("Retry now"));
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

QString conversationHtml(const std::vector<ChatMessage>& messages, const ContactState& contact) {
    QString html;
    for (const auto& message : messages)
        html += messageHtml(message, contact);
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
