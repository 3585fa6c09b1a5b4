#include "video_call_panel.h"

#include "video_view.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

namespace charla::video {

namespace {

QString direction(const sdk::media::Rates& r) {
    return QStringLiteral("%1 fps, %2 ms, %3 kbps")
        .arg(r.itemsPerSecond, 0, 'f', 0)
        .arg(r.meanLatencyMs, 0, 'f', 0)
        .arg(r.kbps(), 0, 'f', 0);
}

} // namespace

VideoCallPanel::VideoCallPanel(VideoEngine& engine, bool selfViewVisible, Callbacks callbacks,
                               QWidget* parent)
    : QWidget(parent), engine_(engine), callbacks_(std::move(callbacks)) {
    remote_ = new VideoView(this);
    remote_->setObjectName(QStringLiteral("remoteVideo"));
    remote_->setMinimumSize(320, 180);
    remote_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    remote_->setPaintedCallback([this](double ts) { engine_.recordPainted(ts); });
    remote_->installEventFilter(this);
    self_ = new VideoView(remote_);
    self_->setObjectName(QStringLiteral("selfVideo"));
    self_->setPlaceholder(tr("Camera off"));
    self_->setVisible(selfViewVisible);

    cameraButton_ = new QToolButton(this);
    cameraButton_->setObjectName(QStringLiteral("cameraButton"));
    cameraButton_->setCheckable(true);
    cameraButton_->setChecked(engine_.controls().cameraOn());
    connect(cameraButton_, &QToolButton::toggled, this, [this](bool on) {
        engine_.setCameraOn(on);
        updateCameraButton();
        if (callbacks_.cameraToggled)
            callbacks_.cameraToggled(on);
    });
    selfViewButton_ = new QToolButton(this);
    selfViewButton_->setText(tr("Self-view"));
    selfViewButton_->setCheckable(true);
    selfViewButton_->setChecked(selfViewVisible);
    connect(selfViewButton_, &QToolButton::toggled, this, [this](bool visible) {
        self_->setVisible(visible && engine_.canSend());
        if (callbacks_.selfViewToggled)
            callbacks_.selfViewToggled(visible);
    });
    screenButton_ = new QToolButton(this);
    screenButton_->setObjectName(QStringLiteral("screenButton"));
    screenButton_->setText(tr("Share screen"));
    screenButton_->setCheckable(true);
    screenButton_->setEnabled(static_cast<bool>(callbacks_.screenShareToggled));
    connect(screenButton_, &QToolButton::toggled, this, [this](bool on) {
        const QString error = callbacks_.screenShareToggled(on);
        if (!error.isEmpty()) {
            const QSignalBlocker quiet(screenButton_);
            screenButton_->setChecked(!on);
            screenButton_->setToolTip(error);
            QToolTip::showText(screenButton_->mapToGlobal(QPoint(0, 0)), error, screenButton_);
        } else {
            screenButton_->setToolTip(on ? tr("The contact sees your screen")
                                         : tr("Show your screen instead of the camera"));
        }
        screenButton_->setText(screenButton_->isChecked() ? tr("Stop sharing")
                                                          : tr("Share screen"));
        refresh();
    });
    stats_ = new QLabel(this);
    stats_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* controls = new QHBoxLayout;
    controls->addWidget(cameraButton_);
    controls->addWidget(selfViewButton_);
    controls->addWidget(screenButton_);
    controls->addWidget(stats_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(remote_, 1);
    layout->addLayout(controls);

    updateCameraButton();
    listener_ = engine_.addFrameListener([this] {
        if (!refreshPending_.exchange(true))
            QMetaObject::invokeMethod(
                this,
                [this] {
                    refreshPending_ = false;
                    refreshPictures();
                },
                Qt::QueuedConnection);
    });
    auto* timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &VideoCallPanel::refreshStats);
    timer->start(500);
    refresh();
}

VideoCallPanel::~VideoCallPanel() {
    engine_.removeFrameListener(listener_);
}

void VideoCallPanel::refresh() {
    refreshPictures();
    refreshStats();
}

void VideoCallPanel::refreshPictures() {
    if (auto picture = engine_.remotePicture()) {
        if (picture->seq != remote_->pictureSeq())
            remote_->setPicture(*picture);
    } else {
        remote_->clearPicture();
    }
    if (auto picture = engine_.localPicture(); picture && engine_.controls().cameraOn()) {
        if (picture->seq != self_->pictureSeq())
            self_->setPicture(*picture);
    } else {
        self_->clearPicture();
    }
}

void VideoCallPanel::refreshStats() {
    const VideoCounters c = engine_.counters();
    QString out = direction(c.out);
    if (c.codecOut == "vp8" && c.targetKbps > 0) // the rate the link allows now (rate_controller)
        out = tr("%1 (target %2 kbps)").arg(out).arg(c.targetKbps);
    stats_->setText(tr("In: %1   Out: %2").arg(direction(c.in), out));
    // Ringing, or the moment before the engine sees an accepted call: the window's status line
    // says which; "No call" over the picture contradicted it.
    if (!engine_.controls().callActive())
        remote_->setPlaceholder(QString());
    else if (engine_.controls().peerCamera() == PeerCamera::Off)
        remote_->setPlaceholder(tr("The contact turned the camera off"));
    else if (engine_.controls().peerCamera() == PeerCamera::Missing)
        remote_->setPlaceholder(tr("The contact has no working camera"));
    else
        remote_->setPlaceholder(tr("Waiting for the contact's video..."));
    self_->setPlaceholder(!engine_.canSend()               ? tr("No camera")
                          : !engine_.controls().cameraOn() ? tr("Camera off")
                          : !engine_.sourceWorking()       ? tr("Camera lost, retrying...")
                                                           : tr("Starting camera..."));
    updateCameraButton();
}

void VideoCallPanel::updateCameraButton() {
    const bool can = engine_.canSend();
    cameraButton_->setEnabled(can);
    // The button says what a click does; its checked state shows that the camera is on.
    cameraButton_->setText(!can                         ? tr("No camera")
                           : cameraButton_->isChecked() ? tr("Turn camera off")
                                                        : tr("Turn camera on"));
    cameraButton_->setToolTip(!can                         ? tr("No camera could be opened")
                              : cameraButton_->isChecked() ? tr("Your camera is on")
                                                           : tr("Your camera is off"));
    // Without a camera there is no self-view: a "No camera" box would only cover the
    // contact's picture (the button already says it).
    selfViewButton_->setEnabled(can);
    self_->setVisible(can && selfViewButton_->isChecked());
}

bool VideoCallPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == remote_ && event->type() == QEvent::Resize)
        placeSelfView();
    return QWidget::eventFilter(watched, event);
}

void VideoCallPanel::placeSelfView() {
    const int w = std::max(80, remote_->width() / 4);
    const int h = w * 3 / 4;
    const int margin = 8;
    self_->setGeometry(remote_->width() - w - margin, remote_->height() - h - margin, w, h);
    self_->raise();
}

} // namespace charla::video
