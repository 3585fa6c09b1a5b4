#include "files_settings_page.h"

#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

namespace charla::files {

FilesSettingsPage::FilesSettingsPage(sdk::PluginContext& context, std::function<void()> applied,
                                     QWidget* parent)
    : QWidget(parent), context_(context), applied_(std::move(applied)) {
    setObjectName(QStringLiteral("filesSettingsPage"));
    auto* form = new QFormLayout(this);
    autoAccept_ = new QSpinBox(this);
    autoAccept_->setObjectName(QStringLiteral("autoAcceptMb"));
    autoAccept_->setRange(0, 1024 * 1024);
    autoAccept_->setSuffix(QStringLiteral(" MB"));
    autoAccept_->setSpecialValueText(tr("never (always ask)"));
    form->addRow(tr("Accept files automatically up to"), autoAccept_);
    auto* note = new QLabel(tr("Larger files wait for Accept or Decline. Files are checked "
                               "(SHA-256) before they appear under their name."),
                            this);
    note->setWordWrap(true);
    form->addRow(note);
    revert();
}

void FilesSettingsPage::apply() {
    auto settings = context_.settings();
    if (settings->value(kAutoAcceptKey, 0).toInt() == autoAccept_->value())
        return;
    settings->setValue(kAutoAcceptKey, autoAccept_->value());
    settings->sync();
    if (applied_)
        applied_();
}

void FilesSettingsPage::revert() {
    autoAccept_->setValue(context_.settings()->value(kAutoAcceptKey, 0).toInt());
}

} // namespace charla::files
