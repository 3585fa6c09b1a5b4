#include "text_delivery.h"

#include "text_logging.h"

namespace charla::text {

DeliveryOutcome deliverTextMessage(sdk::PeerStream* stream, const sdk::PeerInfo& peer,
                                   const TextMessage& message, std::chrono::milliseconds timeout) {
    // Before any hello we know nothing, so we try; afterwards the contact's manifest is the truth.
    if (peer.introduced && !peer.receives("text", "text"))
        return {false, QStringLiteral("the contact has text chat disabled")};
    if (!stream)
        return {false, QStringLiteral("no connection to the contact")};
    xmlrpc_c::paramList params;
    try {
        params.add(toXmlRpc(message));
    } catch (const std::exception& e) {
        // xmlrpc-c refuses some text (e.g. characters outside the BMP): it never will send it.
        qCWarning(lcText) << "cannot encode message" << message.id << ":" << e.what();
        return {false, QString::fromStdString(e.what()), true};
    }
    try {
        parseReceipt(stream->call(kSendMethod, params, timeout), message.id);
        return {true, {}};
    } catch (const sdk::PeerCallError& e) {
        qCDebug(lcText) << "text.send failed:" << e.what();
        const bool refused =
            e.kind() == sdk::PeerCallError::Kind::Fault &&
            (e.faultCode() == sdk::kFaultBadParams || e.faultCode() == sdk::kFaultTooLarge ||
             e.faultCode() == sdk::kFaultParse);
        return {false, QString::fromStdString(e.what()), refused};
    } catch (const std::exception& e) {
        qCWarning(lcText) << "text.send got a bad answer:" << e.what();
        return {false, QString::fromStdString(e.what())};
    }
}

} // namespace charla::text
