// Whether a string a plugin hands the host can travel to the contact inside an XML-RPC document
// and arrive unchanged. A value that cannot must be refused where it enters (PluginContext::
// announce), with a reason the plugin author can act on, instead of breaking host.hello for both
// sides later.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace charla::host {

// Why `text` cannot be sent, or nullopt when it can: it must be valid UTF-8 and hold only
// characters XML 1.0 allows (no C0 control but tab and line feed, no U+FFFE/U+FFFF; a carriage
// return is refused too, as XML turns it into a line feed). Emoji and every other character
// outside the Basic Multilingual Plane are fine.
std::optional<std::string> whyUnsendable(std::string_view text);

} // namespace charla::host
