// Settings > General: the host's own settings, language and closing to the tray. Like a plugin's
// page it implements sdk::SettingsPage: OK and Apply save, Cancel forgets the edits.
#pragma once

#include <charla/sdk/settings_page.h>

#include <QList>
#include <QPair>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;

namespace charla::gui {

class GeneralSettingsPage : public QWidget, public sdk::SettingsPage {
    Q_OBJECT
public:
    // `languages`: the shipped ones, {code, name in that language}. `trayAvailable`: whether the
    // desktop has a tray to close to (the check box is disabled, and says why, without one).
    GeneralSettingsPage(const QList<QPair<QString, QString>>& languages, bool trayAvailable,
                        QWidget* parent = nullptr);

    void apply() override;
    void revert() override;

    // QSettings keys. Language: "system" (the desktop's), or a shipped language's code.
    static constexpr char kLanguageKey[] = "ui/language";
    static constexpr char kSystemLanguage[] = "system";
    // Closing the chat window hides it to the tray instead of quitting (off by default).
    static constexpr char kMinimiseToTrayKey[] = "ui/minimiseToTray";

private:
    QComboBox* language_ = nullptr;
    QCheckBox* minimiseToTray_ = nullptr;
    QLabel* restartNote_ = nullptr;
};

} // namespace charla::gui
