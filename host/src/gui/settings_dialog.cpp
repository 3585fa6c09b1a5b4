#include "gui/settings_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
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
    // Pages that implement sdk::SettingsPage commit on OK/Apply and drop edits on Cancel; the
    // others apply as the user edits, where OK and Cancel just close.
    auto* buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        forEachContractPage([](sdk::SettingsPage& page) { page.apply(); });
        accept();
    });
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this,
            [this] { forEachContractPage([](sdk::SettingsPage& page) { page.apply(); }); });
    connect(buttons, &QDialogButtonBox::rejected, this, [this] {
        forEachContractPage([](sdk::SettingsPage& page) { page.revert(); });
        reject();
    });
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

void SettingsDialog::forEachContractPage(const std::function<void(sdk::SettingsPage&)>& call) {
    for (QWidget* page : std::as_const(pages_))
        // The interface's type info lives in the SDK library, so this works across plugins.
        if (auto* contract = dynamic_cast<sdk::SettingsPage*>(page))
            call(*contract);
}

void SettingsDialog::updatePlaceholder() {
    tabs_->setVisible(!pages_.isEmpty());
    placeholder_->setVisible(pages_.isEmpty());
}

} // namespace charla::gui
