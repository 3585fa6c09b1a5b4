// How a message reads on screen; pure functions so that tests can check the wording headless.
#pragma once

#include "conversation.h"

#include <QDate>
#include <QString>

#include <cstddef>
#include <span>
#include <vector>

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

// What a call line says: "Missed call", "Call declined", "Bob declined the call", "Call · 12
// min"...
QString callLabel(const ChatMessage& call, const ContactState& contact = {});
// How long an answered call lasted: "45 s", "12 min", "1 h 05 min".
QString callDuration(qint64 activeMs);

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
    std::size_t olderHidden = 0;        // stored messages before the shown ones: a line says so
    std::size_t newerHidden = 0;        // and after them (the view is back in the history)
};
// The whole conversation: a date line where the (local) day changes, consecutive messages of
// one sender grouped, the "New messages" line.
QString conversationHtml(std::span<const ChatMessage> messages, const ContactState& contact = {},
                         const ConversationLayout& layout = {});

// The part of a long history the view holds. Qt's HTML import grows faster than linearly with the
// document (docs/performance.md: one re-render of 5,000 messages took 2 s, of 20,000 48 s, on
// every message or receipt), so the view holds the newest kShownMessages, reaching back to
// `mustShowSeq` (the first unread, a search result) when it is at most kMaxShownMessages from the
// end; a message further back is shown with the kShownMessages that follow it. Ctrl+F reaches
// everything.
struct ShownRange {
    std::size_t from = 0; // index of the first shown message
    std::size_t to = 0;   // one past the last
};
inline constexpr std::size_t kShownMessages = 400;
inline constexpr std::size_t kMaxShownMessages = 2000;
ShownRange shownRange(const std::vector<ChatMessage>& messages, qint64 mustShowSeq);
// "Today", "Yesterday", or the date in the user's locale ("Saturday, December 5, 2026").
QString dateLabel(const QDate& date, const QDate& today = QDate::currentDate());
// Whether `message` shows under `previous`'s header (never a line of the history, a call or a
// plugin's event, nor a message after one).
bool groupsWith(const ChatMessage& previous, const ChatMessage& message);
// The anchor a stored message begins with ("m<seq>"), and its inverse (0 if none).
QString messageAnchor(qint64 seq);
qint64 anchorSeq(const QString& anchor);

// The link a message not delivered yet offers, and its inverse (a null QUuid if `url` is not one).
QString retryUrl(const QUuid& id);
QUuid retryTarget(const QString& url);

} // namespace charla::text
