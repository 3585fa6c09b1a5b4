// Where plugin widgets go. The chat window hosts the Chat slot, the call window (while open) the
// Call slot, the Settings dialog (while open) the Settings slot. Without a GUI there is no host
// and plugins are never asked for widgets.
#pragma once

#include <QString>

class QWidget;

namespace charla::host {

enum class PanelSlot { Chat, Call, Settings };

class PanelHost {
public:
    virtual ~PanelHost() = default;
    virtual QWidget* panelParent() = 0;
    virtual void addPanel(const QString& pluginId, const QString& title, QWidget* panel) = 0;
    // Called before the plugin is destroyed; the plugin manager deletes the widget right after.
    virtual void removePanel(const QString& pluginId, QWidget* panel) = 0;
};

} // namespace charla::host
