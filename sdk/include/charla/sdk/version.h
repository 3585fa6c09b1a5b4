// The SDK's ABI version. A plugin is refused when its major differs from the host's; a minor bump
// only adds (new virtuals at the end of an interface, new optional metadata fields).
#pragma once

#define CHARLA_SDK_ABI_MAJOR 1
// 1.1: Channel::registerDatagramHandler, sendDatagram, maxDatagramPayload.
#define CHARLA_SDK_ABI_MINOR 1

// The Charla wire protocol version announced in host.hello (docs/protocol.md).
#define CHARLA_PROTOCOL_VERSION 1
