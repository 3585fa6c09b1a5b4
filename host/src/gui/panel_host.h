// Where plugin widgets go. The chat window hosts the Chat slot, the call window (while open) the
// Call slot, the Settings dialog (while open) the Settings slot. PluginPanels (gui/plugin_panels.h)
// fills them; without a GUI there is none and plugins are never asked for widgets.
#pragma once

#include <QString>

class QWidget;

namespace charla::gui {

enum class PanelSlot { Chat, Call, Settings };

class PanelHost {
public:
    virtual ~PanelHost() = default;
    virtual QWidget* panelParent() = 0;
    virtual void addPanel(const QString& pluginId, const QString& title, QWidget* panel) = 0;
    // Called before the plugin is destroyed; PluginPanels deletes the widget right after.
    virtual void removePanel(const QString& pluginId, QWidget* panel) = 0;
};

} // namespace charla::gui
