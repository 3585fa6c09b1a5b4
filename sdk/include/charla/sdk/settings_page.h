// The settings page contract (since ABI 1.2). A page returned by Plugin::createSettingsPage that
// also derives from SettingsPage is told when to commit: the Settings dialog calls apply() on OK
// and Apply, revert() on Cancel. A page that does not derive from it applies as the user edits.
//
//   class MyPage : public QWidget, public charla::sdk::SettingsPage { ... };
//
// The host finds the interface with dynamic_cast (its type info lives in the SDK library), so
// Plugin gains no virtual for it (docs/decisions.md). GUI thread.
#pragma once

#include <charla/sdk/export.h>
#include <charla/sdk/version.h>

#if CHARLA_SDK_TARGET_ABI_MINOR >= 2
namespace charla::sdk {

class CHARLA_SDK_API SettingsPage {
public:
    virtual ~SettingsPage();
    // Store what the page shows (e.g. in PluginContext::settings()) and put it into effect.
    virtual void apply() = 0;
    // Show what is stored again, dropping edits not applied.
    virtual void revert() = 0;
};

} // namespace charla::sdk
#endif
