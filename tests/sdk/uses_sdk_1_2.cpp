// Uses what SDK 1.2 added. Compiled twice by tests/sdk/CMakeLists.txt: targeting 1.2 it must
// compile; targeting 1.1 (CHARLA_SDK_TARGET_ABI_MINOR=1, what charla_add_plugin(... ABI_MINOR 1)
// defines) it must not, because the SDK hides what is newer than the target.
#include <charla/sdk/plugin.h>
#include <charla/sdk/struct_reader.h>

#include <QSettings>

void usesSdk12(charla::sdk::PluginContext& context, const xmlrpc_c::value& value) {
    context.postToGui([] {});
    context.settings()->value("key");
    charla::sdk::StructReader(value, "x.y").string("z");
}
