// How a message reads on screen; pure functions so that tests can check the wording headless.
#pragma once

#include "conversation.h"

#include <QString>

namespace charla::text {

// "sending…", "✓ delivered", "not delivered yet — will retry", "✗ failed: <reason>"; while the
// contact is offline an undelivered message reads "Queued — <name> is offline". Empty for
// received messages. Why the last attempt failed (the transport's words) is in
// deliveryDetail(), for a tooltip and the log, not in the label.
QString deliveryLabel(const ChatMessage& message, const ContactState& contact = {});
QString deliveryDetail(const ChatMessage& message);
// Local time of sending, "HH:mm".
QString timeLabel(const ChatMessage& message);
// One message as rich text. A message not delivered yet carries a "Retry now" link to
// retryUrl(id), a failed one a "Retry" link.
// Messages stored without a sender show the contact's name.
QString messageHtml(const ChatMessage& message, const ContactState& contact = {});
QString conversationHtml(const std::vector<ChatMessage>& messages,
                         const ContactState& contact = {});

// The link a message not delivered yet offers, and its inverse (a null QUuid if `url` is not one).
QString retryUrl(const QUuid& id);
QUuid retryTarget(const QString& url);

} // namespace charla::text
