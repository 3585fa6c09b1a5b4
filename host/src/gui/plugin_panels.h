// The plugins' widgets: follows the PluginManager's lifecycle (pluginStarting/pluginStopping), asks
// each enabled plugin's sdk::Plugin for its chat panel, call panel and settings page, and places
// them in the windows that host those slots (PanelHost) while the windows are open. A panel is
// deleted before its plugin is destroyed; a factory that throws fails the plugin.
#pragma once

#include "gui/panel_host.h"

#include <QObject>
#include <QPointer>
#include <QWidget>

#include <map>

namespace charla::sdk {
class Plugin;
}

namespace charla::host {
class PluginManager;
}

namespace charla::gui {

class PluginPanels : public QObject {
    Q_OBJECT
public:
    explicit PluginPanels(host::PluginManager& plugins, QObject* parent = nullptr);
    // Deletes every panel; the hosts still installed must be alive.
    ~PluginPanels() override;

    // Installs (or with nullptr removes) the host of a slot. Installing creates the slot's panels
    // of every enabled plugin; removing deletes them.
    void setHost(PanelSlot slot, PanelHost* host);

private:
    void pluginStarting(const QString& id, sdk::Plugin* plugin);
    void pluginStopping(const QString& id);
    // Asks the plugin for its widget of `slot` and gives it to the slot's host; throws what the
    // plugin's factory throws.
    void createPanel(const QString& id, sdk::Plugin& plugin, PanelSlot slot);
    void deletePanel(const QString& id, PanelSlot slot);

    host::PluginManager& plugins_;
    std::map<PanelSlot, PanelHost*> hosts_;
    std::map<QString, std::map<PanelSlot, QPointer<QWidget>>> panels_; // by plugin id
};

} // namespace charla::gui
