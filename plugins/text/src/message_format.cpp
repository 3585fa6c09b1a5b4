#include "message_format.h"

namespace charla::text {

namespace {
const QString kRetryScheme = QStringLiteral("retry:");
}

QString deliveryLabel(const ChatMessage& message) {
    switch (message.state) {
    case MessageState::Sending:
        return QStringLiteral("sending…");
    case MessageState::Delivered:
        return QStringLiteral("✓ delivered");
    case MessageState::Retrying:
        if (message.error.isEmpty())
            return QStringLiteral("not delivered yet — will retry");
        return QStringLiteral("not delivered yet — will retry (last attempt failed: %1)")
            .arg(message.error);
    case MessageState::Failed:
        return QStringLiteral("✗ failed: %1").arg(message.error);
    case MessageState::Received:
        break;
    }
    return {};
}

QString timeLabel(const ChatMessage& message) {
    return message.sentAt.toLocalTime().toString(QStringLiteral("HH:mm"));
}

QString messageHtml(const ChatMessage& message) {
    // Own messages get the accent colour on the sender, so a glance tells who said what.
    const QString senderColor =
        message.outgoing ? QStringLiteral("#1565c0") : QStringLiteral("#2e7d32");
    QString html = QStringLiteral("<p style=\"margin-top:6px; margin-bottom:0px\">"
                                  "<span style=\"color:gray\">%1</span> "
                                  "<b style=\"color:%3\">%2</b></p>")
                       .arg(timeLabel(message), message.sender.toHtmlEscaped(), senderColor);
    // pre-wrap keeps the sender's line breaks and spacing while still wrapping long lines.
    html += QStringLiteral("<p style=\"margin:0px; white-space:pre-wrap\">%1</p>")
                .arg(message.body.toHtmlEscaped());
    if (message.outgoing) {
        const bool troubled =
            message.state == MessageState::Retrying || message.state == MessageState::Failed;
        const QString color = troubled ? QStringLiteral("#b00020") : QStringLiteral("gray");
        QString status = deliveryLabel(message).toHtmlEscaped();
        if (troubled)
            status += QStringLiteral(" &mdash; <a href=\"%1\">%2</a>")
                          .arg(retryUrl(message.id), message.state == MessageState::Failed
                                                         ? QStringLiteral("Retry")
                                                         : QStringLiteral("Retry now"));
        html += QStringLiteral("<p style=\"margin:0px\"><small style=\"color:%1\">%2</small></p>")
                    .arg(color, status);
    }
    return html;
}

QString conversationHtml(const std::vector<ChatMessage>& messages) {
    QString html;
    for (const auto& message : messages)
        html += messageHtml(message);
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
