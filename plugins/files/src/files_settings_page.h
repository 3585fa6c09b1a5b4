// The Settings dialog's "Files" page: accept offers automatically up to N MB. Commits on OK/Apply.
#pragma once

#include <charla/sdk/plugin.h>
#include <charla/sdk/settings_page.h>

#include <QWidget>

#include <functional>

class QSpinBox;
class QLabel;

namespace charla::files {

inline constexpr const char* kAutoAcceptKey = "auto_accept_mb";

class FilesSettingsPage : public QWidget, public sdk::SettingsPage {
    Q_OBJECT
public:
    FilesSettingsPage(sdk::PluginContext& context, std::function<void()> applied,
                      QWidget* parent = nullptr);
    void apply() override;
    void revert() override;

private:
    sdk::PluginContext& context_;
    std::function<void()> applied_;
    QSpinBox* autoAccept_;
};

} // namespace charla::files
