#include "audio_status_panel.h"

#include "audio_engine.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>

namespace charla::audio {

QString deviceStatus(const AudioEngine& engine) {
    if (!engine.hasInput() && !engine.hasOutput())
        return AudioStatusPanel::tr(
            "No microphone or speaker found: calls have no sound on this computer.");
    if (!engine.hasInput())
        return AudioStatusPanel::tr("No microphone found: in calls you can listen but not speak.");
    if (!engine.hasOutput())
        return AudioStatusPanel::tr("No speaker found: in calls you can speak but not hear.");
    // A device that failed while in use ("the speaker failed (...)").
    return QString::fromStdString(engine.problem());
}

AudioStatusPanel::AudioStatusPanel(AudioEngine& engine, QWidget* parent)
    : QFrame(parent), engine_(engine), text_(new QLabel(this)), dismiss_(new QToolButton(this)) {
    setObjectName(QStringLiteral("audioStatusPanel"));
    text_->setObjectName(QStringLiteral("audioStatus"));
    text_->setWordWrap(true);
    dismiss_->setObjectName(QStringLiteral("audioStatusDismiss"));
    dismiss_->setText(QStringLiteral("×"));
    dismiss_->setAutoRaise(true);
    dismiss_->setToolTip(tr("Hide this message"));
    dismiss_->setAccessibleName(tr("Hide the sound device message"));
    // Coloured by the host for the desktop's scheme (a light box in a dark window glared).
    setProperty("charlaTone", "panel");
    text_->setProperty("charlaTone", "muted");
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 2, 2, 2);
    layout->addWidget(text_, 1);
    layout->addWidget(dismiss_, 0, Qt::AlignTop);
    connect(dismiss_, &QToolButton::clicked, this, [this] {
        dismissed_ = text_->text();
        hide();
    });
    auto* timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &AudioStatusPanel::refresh);
    timer->start(1000);
    refresh();
}

void AudioStatusPanel::refresh() {
    const QString status = deviceStatus(engine_);
    text_->setText(status);
    // The engine's own words (e.g. which device was asked for) for those who want them.
    text_->setToolTip(QString::fromStdString(engine_.problem()));
    setVisible(!status.isEmpty() && status != dismissed_);
}

} // namespace charla::audio
