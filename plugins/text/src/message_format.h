// How a message reads on screen; pure functions so that tests can check the wording headless.
#pragma once

#include "conversation.h"

#include <QString>

namespace charla::text {

// "sending…", "✓ delivered", "not delivered yet — will retry (last attempt failed: <reason>)",
// "✗ failed: <reason>"; empty for received messages.
QString deliveryLabel(const ChatMessage& message);
// Local time of sending, "HH:mm".
QString timeLabel(const ChatMessage& message);
// One message as rich text. A message not delivered yet carries a "Retry now" link to
// retryUrl(id), a failed one a "Retry" link.
QString messageHtml(const ChatMessage& message);
QString conversationHtml(const std::vector<ChatMessage>& messages);

// The link a message not delivered yet offers, and its inverse (a null QUuid if `url` is not one).
QString retryUrl(const QUuid& id);
QUuid retryTarget(const QString& url);

} // namespace charla::text
