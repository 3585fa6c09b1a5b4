// Where plugin widgets go. The chat window implements it; without a GUI there is none and
// plugins are never asked for a panel.
#pragma once

#include <QString>

class QWidget;

namespace charla::host {

class PanelHost {
  public:
    virtual ~PanelHost() = default;
    virtual QWidget* panelParent() = 0;
    virtual void addPanel(const QString& pluginId, const QString& title, QWidget* panel) = 0;
    // Called before the plugin is destroyed; the host deletes the widget right after.
    virtual void removePanel(const QString& pluginId, QWidget* panel) = 0;
};

} // namespace charla::host
