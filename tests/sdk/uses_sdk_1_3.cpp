// Uses what SDK 1.3 added. Compiled twice by tests/sdk/CMakeLists.txt: targeting 1.3 it must
// compile; targeting 1.2 it must not, because the SDK hides what is newer than the target.
#include <charla/sdk/plugin.h>

void usesSdk13(charla::sdk::PluginContext& context) {
    context.onCallEnded([](const charla::sdk::CallRecord& record) { (void)record.activeMs; });
}
