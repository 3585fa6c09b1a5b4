#include "gui/safety_number_dialog.h"

#include "gui/tones.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace charla::gui {

SafetyNumberDialog::SafetyNumberDialog(const QString& contactName, const QString& number,
                                       bool verified, QWidget* parent)
    : QDialog(parent) {
    setObjectName("safetyNumberDialog");
    setWindowTitle(tr("Safety number with %1").arg(contactName));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Compare this number with the one %1's Charla shows, by voice or in person. If they "
           "are the same, no one sits between you.")
            .arg(contactName.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    // Three lines of four groups: short enough to read aloud a line at a time.
    const QStringList groups = number.split(' ', Qt::SkipEmptyParts);
    QStringList lines;
    for (int i = 0; i < groups.size(); i += 4)
        lines << groups.mid(i, 4).join(QStringLiteral("  "));
    auto* digits = new QLabel(lines.join('\n'), this);
    digits->setObjectName("safetyNumberLabel");
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setStyleHint(QFont::Monospace); // digits in columns: easier to follow aloud
    mono.setFixedPitch(true);
    mono.setPointSizeF(font().pointSizeF() * 2);
    mono.setBold(true);
    digits->setFont(mono);
    digits->setAlignment(Qt::AlignCenter);
    digits->setTextInteractionFlags(Qt::TextSelectableByMouse);
    digits->setMargin(16);
    digits->setProperty("charlaTone", "panel");
    layout->addWidget(digits);

    status_ = new QLabel(this);
    status_->setObjectName("verifiedStatusLabel");
    layout->addWidget(status_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    markVerified_ = buttons->addButton(tr("Mark as verified"), QDialogButtonBox::ActionRole);
    markVerified_->setObjectName("markVerifiedButton");
    connect(markVerified_, &QPushButton::clicked, this, &SafetyNumberDialog::markVerifiedRequested);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setVerified(verified);
}

void SafetyNumberDialog::setVerified(bool verified) {
    status_->setText(verified ? tr("✔ Verified: you compared this number.")
                              : tr("Not verified yet."));
    setTone(status_, verified ? "ok" : nullptr);
    markVerified_->setVisible(!verified);
}

} // namespace charla::gui
