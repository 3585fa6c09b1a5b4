#include "audio_call_panel.h"

#include "audio_engine.h"
#include "audio_status_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace charla::audio {

AudioCallPanel::AudioCallPanel(AudioEngine& engine, QWidget* parent)
    : QWidget(parent), engine_(engine), mute_(new QPushButton(tr("Mute"), this)),
      level_(new QProgressBar(this)), figures_(new QLabel(this)), problem_(new QLabel(this)),
      timer_(new QTimer(this)) {
    mute_->setCheckable(true);
    mute_->setChecked(engine_.muted());
    mute_->setToolTip(tr("Mute the microphone"));
    level_->setRange(-60, 0);
    level_->setTextVisible(false);
    level_->setToolTip(tr("Microphone level"));
    level_->setMaximumHeight(12);
    problem_->setWordWrap(true);
    problem_->setObjectName(QStringLiteral("audioStatus"));
    problem_->setProperty("charlaTone", "warning"); // coloured by the host, for its scheme

    auto* row = new QHBoxLayout;
    row->addWidget(mute_);
    row->addWidget(level_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(figures_);
    layout->addWidget(problem_);

    connect(mute_, &QPushButton::toggled, this, [this](bool muted) {
        engine_.setMuted(muted);
        mute_->setText(muted ? tr("Unmute") : tr("Mute"));
    });
    connect(timer_, &QTimer::timeout, this, &AudioCallPanel::refresh);
    timer_->start(100);
    refresh();
}

void AudioCallPanel::refresh() {
    const AudioStats s = engine_.stats();
    if (mute_->isChecked() != s.muted)
        mute_->setChecked(s.muted); // muted from the other panel
    mute_->setEnabled(engine_.hasInput());
    level_->setValue(static_cast<int>(std::clamp(s.inputLevelDb, -60.0, 0.0)));
    // Whole sentences, not pieces joined: a translation may order them differently.
    const QString codec = QString::fromStdString(s.sendCodec);
    const QString loss = QLocale().toString(s.lossPercent, 'f', 1);
    QString text;
    if (s.playing && !codec.isEmpty())
        text =
            tr("Jitter delay %1 ms · loss %2 % · sending %3").arg(s.jitterDelayMs).arg(loss, codec);
    else if (s.playing)
        text = tr("Jitter delay %1 ms · loss %2 %").arg(s.jitterDelayMs).arg(loss);
    else if (!codec.isEmpty())
        text = tr("Sending %1").arg(codec);
    figures_->setText(text);
    figures_->setVisible(!figures_->text().isEmpty()); // no empty line between the controls
    // The same one sentence as the chat window's status (audio_status_panel.h).
    const QString problem = deviceStatus(engine_);
    problem_->setText(problem);
    problem_->setToolTip(QString::fromStdString(engine_.problem()));
    problem_->setVisible(!problem.isEmpty());
}

} // namespace charla::audio
