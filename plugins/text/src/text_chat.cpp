#include "text_chat.h"

#include "text_delivery.h"
#include "text_logging.h"

namespace charla::text {

TextChat::TextChat(QString localUser, QObject* parent)
    : QObject(parent), localUser_(std::move(localUser)) {}

QString TextChat::localUserName() const {
    return localUser_.isEmpty() ? QStringLiteral("You") : localUser_;
}

QString TextChat::contactName() const {
    return contactName_.isEmpty() ? QStringLiteral("Contact") : contactName_;
}

std::optional<QUuid> TextChat::send(const QString& body) {
    if (!composeProblem(body).isEmpty())
        return std::nullopt;
    TextMessage message = makeOutgoingMessage(body);
    conversation_.addOutgoing(message, localUserName());
    const QUuid id = message.id;
    outbox_.push(std::move(message));
    return id;
}

bool TextChat::retry(const QUuid& id) {
    const int index = conversation_.indexOfOutgoing(id);
    if (index < 0 || conversation_.at(index).state != MessageState::Failed)
        return false;
    TextMessage message = conversation_.at(index).toTextMessage();
    conversation_.setState(id, MessageState::Sending);
    outbox_.push(std::move(message));
    qCDebug(lcText) << "retrying" << id;
    return true;
}

void TextChat::setPeer(const sdk::PeerInfo& peer) {
    contactName_ = QString::fromStdString(peer.user);
}

xmlrpc_c::value TextChat::handleSendCall(const xmlrpc_c::paramList& params) {
    TextMessage message = parseSendParams(params);
    if (!seen_.insert(message.id))
        return makeReceipt(message.id, ReceiptStatus::Duplicate);
    const QUuid id = message.id;
    // Queued, never blocking: the GUI thread may be busy, and the sender waits for our answer.
    QMetaObject::invokeMethod(
        this, [this, message = std::move(message)] { receive(message); }, Qt::QueuedConnection);
    return makeReceipt(id, ReceiptStatus::Delivered);
}

void TextChat::receive(const TextMessage& message) {
    conversation_.addIncoming(message, contactName());
}

void TextChat::runSender(std::stop_token stop, std::shared_ptr<sdk::PeerStream> stream,
                         std::function<sdk::PeerInfo()> peer) {
    while (std::optional<TextMessage> message = outbox_.take(stop)) {
        const DeliveryOutcome outcome =
            deliverTextMessage(stream.get(), peer ? peer() : sdk::PeerInfo{}, *message);
        // A call cut short by shutdown is no verdict: the conversation is going away with us.
        if (!outcome.delivered && stop.stop_requested())
            return;
        if (!outcome.delivered)
            qCInfo(lcText) << "message" << message->id << "not delivered:" << outcome.error;
        QMetaObject::invokeMethod(
            this,
            [this, id = message->id, outcome] {
                conversation_.setState(
                    id, outcome.delivered ? MessageState::Delivered : MessageState::Failed,
                    outcome.error);
            },
            Qt::QueuedConnection);
    }
}

} // namespace charla::text
