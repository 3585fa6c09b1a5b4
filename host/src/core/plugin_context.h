// The host's side of sdk::PluginContext: what one enabled plugin may ask of the host. One per
// running plugin, created by the PluginManager before initialize() and destroyed after the plugin.
#pragma once

#include <charla/sdk/plugin.h>

#include <string>

namespace charla::host {

class PluginManager;
class PluginScope;

class PluginContext : public sdk::PluginContext {
public:
    PluginContext(PluginManager& manager, PluginScope& scope, std::string id);

    sdk::Channel& channel() override;
    std::string pluginId() const override;
    std::string localUser() const override;
    void announce(const sdk::Announcement& announcement) override;
    std::optional<std::string> option(const std::string& key) const override;
    sdk::CallInfo call() const override;

private:
    PluginManager& manager_;
    PluginScope& scope_;
    std::string id_;
};

} // namespace charla::host
