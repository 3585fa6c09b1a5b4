// A line a plugin adds to the conversation's history (PluginContext::postTimelineEvent, SDK 1.4):
// "📎 photo.png · 2.3 MB — received" between the messages, in the order things happened, kept
// across restarts by the plugin that keeps the history (the text plugin).
#pragma once

#include <cstdint>
#include <string>

namespace charla::sdk {

struct TimelineEvent {
    // The posting plugin's own name for what the line is about (a transfer's id): 1-128 bytes.
    // Posting the same key again rewrites that line where it is ("offered" becomes "received").
    std::string key;
    bool outgoing = true; // the local user did it (sent the file), not the contact
    // When it happened, ms since the Unix epoch (UTC); 0: now. A rewrite keeps the first time.
    std::int64_t timeMs = 0;
    // The line as the user reads it: plain text (never markup), in the user's language, UTF-8,
    // 1-1024 bytes, no control characters.
    std::string text;
    // Who posted it: set by the host (the plugin's id); what a plugin puts here is ignored.
    std::string source;
};

} // namespace charla::sdk
