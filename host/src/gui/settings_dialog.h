// Settings: one tab per enabled plugin that contributes a settings page (devices, quality...).
// The host has no settings of its own beyond what the login window remembers. OK/Apply/Cancel
// reach the pages that implement sdk::SettingsPage (settings_page.h).
#pragma once

#include "gui/panel_host.h"

#include <charla/sdk/settings_page.h>

#include <QDialog>
#include <QMap>

#include <functional>

class QLabel;
class QTabWidget;

namespace charla::gui {

class SettingsDialog : public QDialog, public PanelHost {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);

    QWidget* panelParent() override;
    void addPanel(const QString& pluginId, const QString& title, QWidget* panel) override;
    void removePanel(const QString& pluginId, QWidget* panel) override;

private:
    void forEachContractPage(const std::function<void(sdk::SettingsPage&)>& call);
    void updatePlaceholder();

    QTabWidget* tabs_ = nullptr;
    QLabel* placeholder_ = nullptr;
    QMap<QString, QWidget*> pages_;
};

} // namespace charla::gui
