#include "gui/settings_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>

namespace charla::gui {

SettingsDialog::SettingsDialog(QWidget* parent) : QDialog(parent) {
    setObjectName("settingsDialog");
    setWindowTitle(tr("Settings"));
    auto* layout = new QVBoxLayout(this);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("settingsTabs");
    layout->addWidget(tabs_, 1);
    placeholder_ = new QLabel(tr("No enabled plugin has settings."), this);
    placeholder_->setAlignment(Qt::AlignCenter);
    layout->addWidget(placeholder_, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    updatePlaceholder();
    resize(520, 420);
}

QWidget* SettingsDialog::panelParent() {
    return tabs_;
}

void SettingsDialog::addPanel(const QString& pluginId, const QString& title, QWidget* panel) {
    tabs_->addTab(panel, title);
    pages_[pluginId] = panel;
    updatePlaceholder();
}

void SettingsDialog::removePanel(const QString& pluginId, QWidget* panel) {
    tabs_->removeTab(tabs_->indexOf(panel));
    pages_.remove(pluginId);
    updatePlaceholder();
}

void SettingsDialog::updatePlaceholder() {
    tabs_->setVisible(!pages_.isEmpty());
    placeholder_->setVisible(pages_.isEmpty());
}

} // namespace charla::gui
