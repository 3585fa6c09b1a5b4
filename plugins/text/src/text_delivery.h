// Delivering one message to the contact: the capability check, the call and the receipt.
// Runs on the sender worker; blocks for at most the timeout (or until the host interrupts it).
#pragma once

#include "text_message.h"

#include <charla/sdk/channel.h>
#include <charla/sdk/peer_info.h>

#include <chrono>

namespace charla::text {

inline constexpr std::chrono::milliseconds kSendTimeout{5000};

struct DeliveryOutcome {
    bool delivered = false;
    QString error; // why not, when !delivered
    // Retrying cannot help: this message cannot be encoded, or the contact refused it as such
    // (bad parameters, too large, unparsable). Anything else (unreachable, timeout, busy) may.
    bool permanent = false;
};

// `stream` may be null (no connection could be opened); `peer` is the latest knowledge about the
// contact: a contact that introduced itself without a text plugin is not called at all.
DeliveryOutcome deliverTextMessage(sdk::PeerStream* stream, const sdk::PeerInfo& peer,
                                   const TextMessage& message,
                                   std::chrono::milliseconds timeout = kSendTimeout);

} // namespace charla::text
