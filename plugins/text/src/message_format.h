// How a message reads on screen; pure functions so that tests can check the wording headless.
#pragma once

#include "conversation.h"

#include <QDate>
#include <QString>

class QUrl;

namespace charla::text {

// "sending…", "✓ delivered", "not delivered yet — will retry", "✗ failed: <reason>"; while the
// contact is offline an undelivered message reads "Queued — <name> is offline". Empty for
// received messages. Why the last attempt failed (the transport's words) is in
// deliveryDetail(), for a tooltip and the log, not in the label.
QString deliveryLabel(const ChatMessage& message, const ContactState& contact = {});
QString deliveryDetail(const ChatMessage& message);
// Local time of sending, "HH:mm".
QString timeLabel(const ChatMessage& message);
// One message as rich text, beginning with an anchor named messageAnchor(seq) for a stored one.
// A message not delivered yet carries a "Retry now" link to retryUrl(id), a failed one a "Retry"
// link. Messages stored without a sender show the contact's name. Without the header (a message
// grouped under the one before) the sender and time line is left out; the time stays as the
// body's tooltip.
QString messageHtml(const ChatMessage& message, const ContactState& contact = {},
                    bool withHeader = true);

// A message's body as rich text: escaped, line breaks kept, and every http:// or https:// URL a
// link to itself. Nothing else becomes a link or markup, whatever the text says.
QString bodyHtml(const QString& body);
// Whether a link in the conversation may be opened in the browser (http and https only).
bool isWebLink(const QUrl& url);

struct ConversationLayout {
    // Messages from one sender within this long of each other are one group: one header line.
    static constexpr qint64 kGroupSeconds = 5 * 60;
    qint64 firstUnreadSeq = 0;          // a "New messages" line goes before this message (0: none)
    QDate today = QDate::currentDate(); // for "Today" and "Yesterday"
};
// The whole conversation: a date line where the (local) day changes, consecutive messages of
// one sender grouped, the "New messages" line.
QString conversationHtml(const std::vector<ChatMessage>& messages, const ContactState& contact = {},
                         const ConversationLayout& layout = {});
// "Today", "Yesterday", or the date in the user's locale ("Saturday, December 5, 2026").
QString dateLabel(const QDate& date, const QDate& today = QDate::currentDate());
// Whether `message` shows under `previous`'s header.
bool groupsWith(const ChatMessage& previous, const ChatMessage& message);
// The anchor a stored message begins with ("m<seq>"), and its inverse (0 if none).
QString messageAnchor(qint64 seq);
qint64 anchorSeq(const QString& anchor);

// The link a message not delivered yet offers, and its inverse (a null QUuid if `url` is not one).
QString retryUrl(const QUuid& id);
QUuid retryTarget(const QString& url);

} // namespace charla::text
