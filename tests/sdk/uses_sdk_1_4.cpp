// Uses what SDK 1.4 added. Compiled twice by tests/sdk/CMakeLists.txt: targeting 1.4 it must
// compile; targeting 1.3 it must not, because the SDK hides what is newer than the target.
#include <charla/sdk/plugin.h>

void usesSdk14(charla::sdk::PluginContext& context) {
    charla::sdk::TimelineEvent event;
    event.key = "k";
    event.text = "a line";
    context.postTimelineEvent(event);
    context.onTimelineEvent([](const charla::sdk::TimelineEvent& e) { (void)e.source; });
}
