// The SDK's ABI version. A plugin is refused when its major differs from the host's, or when its
// minor is greater than the host's; a minor bump only adds (new virtuals at the end of interfaces
// the host implements, new exported SDK functions, new optional metadata fields). Plugin's own
// vtable is frozen for major 1: new hooks come through PluginContext (docs/decisions.md).
#pragma once

#define CHARLA_SDK_ABI_MAJOR 1
// 1.1: Channel::registerDatagramHandler, sendDatagram, maxDatagramPayload.
// 1.2: PluginContext::settings, dataDir, postToGui; StructReader (struct_reader.h) and the
//      SettingsPage interface (settings_page.h). Header-only helpers (fault.h, logging.h,
//      backoff.h) need no particular minor.
// 1.3: PluginContext::onCallEnded and CallRecord (call.h).
// 1.4: PluginContext::postTimelineEvent, onTimelineEvent and TimelineEvent (timeline.h).
// 1.5: PluginContext::postTimelineRecord, setTimelineRenderer, onTimelineRecord and
//      renderTimelineRecord: timeline lines worded when shown, in the language of the moment.
#define CHARLA_SDK_ABI_MINOR 5

// The minor a plugin is built for (charla_add_plugin(... ABI_MINOR n)): the library and manifest
// are stamped with it, so a host of that minor loads it, and declarations newer than it are hidden
// (using them fails to compile). Defaults to this SDK's minor.
#ifndef CHARLA_SDK_TARGET_ABI_MINOR
#define CHARLA_SDK_TARGET_ABI_MINOR CHARLA_SDK_ABI_MINOR
#endif
#if CHARLA_SDK_TARGET_ABI_MINOR > CHARLA_SDK_ABI_MINOR || CHARLA_SDK_TARGET_ABI_MINOR < 0
#error "CHARLA_SDK_TARGET_ABI_MINOR must be between 0 and CHARLA_SDK_ABI_MINOR"
#endif

// The Charla wire protocol version announced in host.hello (docs/protocol.md).
#define CHARLA_PROTOCOL_VERSION 1
