// Uses what SDK 1.5 added. Compiled twice by tests/sdk/CMakeLists.txt: targeting 1.5 it must
// compile; targeting 1.4 it must not, because the SDK hides what is newer than the target.
#include <charla/sdk/plugin.h>

void usesSdk15(charla::sdk::PluginContext& context) {
    charla::sdk::TimelineEvent event;
    event.key = "k";
    event.text = "a line";
    context.postTimelineRecord(event, R"({"fate":"done"})");
    context.setTimelineRenderer([](const charla::sdk::TimelineEvent& e, const std::string& record) {
        return e.text + record;
    });
    context.onTimelineRecord([](const charla::sdk::TimelineEvent&, const std::string&) {});
    (void)context.renderTimelineRecord(event, "{}");
}
