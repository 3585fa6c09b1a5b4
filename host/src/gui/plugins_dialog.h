// Every plugin found, with its state and the reason for a refusal or failure; the checkboxes
// enable and disable plugins at runtime.
#pragma once

#include <QDialog>

class QLabel;
class QTableWidget;

namespace charla::host {
class PluginManager;
enum class PluginState;
} // namespace charla::host

namespace charla::gui {

class PluginsDialog : public QDialog {
    Q_OBJECT
public:
    explicit PluginsDialog(host::PluginManager& plugins, QWidget* parent = nullptr);

signals:
    void pluginToggled(const QString& id, bool enabled);

private:
    static QString stateText(host::PluginState state);
    void rebuild();

    host::PluginManager& plugins_;
    QTableWidget* table_ = nullptr;
    QLabel* error_ = nullptr;
    bool rebuilding_ = false;
};

} // namespace charla::gui
