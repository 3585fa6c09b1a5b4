#include "gui/general_settings_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>

#include <algorithm>

namespace charla::gui {

GeneralSettingsPage::GeneralSettingsPage(const QList<QPair<QString, QString>>& languages,
                                         bool trayAvailable, QWidget* parent)
    : QWidget(parent) {
    setObjectName("generalSettingsPage");
    auto* form = new QFormLayout(this);
    language_ = new QComboBox(this);
    language_->setObjectName("languageCombo");
    language_->addItem(tr("System"), QString::fromLatin1(kSystemLanguage));
    for (const auto& [code, name] : languages)
        language_->addItem(name, code);
    form->addRow(tr("&Language:"), language_);
    restartNote_ = new QLabel(tr("Charla speaks the new language from its next start."), this);
    restartNote_->setObjectName("languageRestartNote");
    restartNote_->setWordWrap(true);
    restartNote_->setProperty("charlaTone", "muted");
    form->addRow(QString(), restartNote_);
    minimiseToTray_ = new QCheckBox(tr("&Minimise to tray on close"), this);
    minimiseToTray_->setObjectName("minimiseToTrayCheck");
    minimiseToTray_->setEnabled(trayAvailable);
    minimiseToTray_->setToolTip(
        trayAvailable ? tr("Closing the window keeps Charla running in the tray; Ctrl+Q quits.")
                      : tr("This desktop has no tray."));
    form->addRow(QString(), minimiseToTray_);
    revert();
}

void GeneralSettingsPage::apply() {
    QSettings settings;
    settings.setValue(kLanguageKey, language_->currentData());
    settings.setValue(kMinimiseToTrayKey, minimiseToTray_->isChecked());
}

void GeneralSettingsPage::revert() {
    const QSettings settings;
    const int index =
        language_->findData(settings.value(kLanguageKey, QString::fromLatin1(kSystemLanguage)));
    language_->setCurrentIndex(std::max(0, index));
    minimiseToTray_->setChecked(settings.value(kMinimiseToTrayKey, false).toBool());
    // Said once the language changes, not before.
    restartNote_->setVisible(false);
    connect(language_, &QComboBox::currentIndexChanged, restartNote_, &QWidget::show,
            Qt::UniqueConnection);
}

} // namespace charla::gui
