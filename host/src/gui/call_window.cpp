#include "gui/call_window.h"

#include "core/call_manager.h"
#include "gui/panel_layout.h"
#include "gui/shortcuts.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace charla::gui {

using State = sdk::CallInfo::State;

CallWindow::CallWindow(host::CallManager& calls, const QString& contactName, QWidget* parent)
    : QWidget(parent, Qt::Window), calls_(&calls), contactName_(contactName) {
    setObjectName("callWindow");
    auto* layout = new QVBoxLayout(this);
    status_ = new QLabel(this);
    status_->setObjectName("callStatus");
    status_->setAlignment(Qt::AlignCenter);
    QFont big = status_->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    status_->setFont(big);
    layout->addWidget(status_);

    panelArea_ = new QWidget(this);
    panelArea_->setObjectName("callPanelArea");
    panelLayout_ = new QVBoxLayout(panelArea_);
    panelLayout_->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(panelArea_, 1);
    placeholder_ =
        new QLabel(tr("No media plugin is enabled. Enable audio or video in Plugins…"), this);
    placeholder_->setObjectName("noMediaLabel");
    placeholder_->setAlignment(Qt::AlignCenter);
    placeholder_->setWordWrap(true);
    layout->addWidget(placeholder_, 1);

    hangUp_ = new QPushButton(this);
    hangUp_->setObjectName("hangUpButton");
    hangUp_->setStyleSheet("QPushButton { background: #c62828; color: white; padding: 8px 24px; "
                           "border-radius: 4px; font-weight: bold; }");
    // Comparing safety numbers is natural while talking: the button is here too.
    auto* safetyNumber = new QPushButton(tr("Safety number…"), this);
    safetyNumber->setObjectName("callSafetyNumberButton");
    connect(safetyNumber, &QPushButton::clicked, this, &CallWindow::safetyNumberRequested);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(hangUp_);
    buttons->addWidget(safetyNumber);
    buttons->addStretch();
    layout->addLayout(buttons);
    connect(hangUp_, &QPushButton::clicked, &calls, &host::CallManager::hangUp);

    // Ctrl+W closes the window (which hangs up), Ctrl+Q quits Charla.
    auto* closeAction = new QAction(tr("Close window"), this);
    closeAction->setShortcuts(shortcuts(QKeySequence::Close, Qt::CTRL | Qt::Key_W));
    connect(closeAction, &QAction::triggered, this, &QWidget::close);
    auto* quitAction = new QAction(tr("Quit Charla"), this);
    quitAction->setShortcuts(shortcuts(QKeySequence::Quit, Qt::CTRL | Qt::Key_Q));
    connect(quitAction, &QAction::triggered, this, &CallWindow::quitRequested);
    addActions({closeAction, quitAction});

    clock_ = new QTimer(this);
    clock_->setInterval(500);
    connect(clock_, &QTimer::timeout, this, &CallWindow::updateStatus);
    updateCall(calls.call());
    updatePlaceholder();
    resize(720, 560);
}

QWidget* CallWindow::panelParent() {
    return panelArea_;
}

void CallWindow::addPanel(const QString& pluginId, const QString& title, QWidget* panel) {
    panel->setAccessibleName(title);
    panelLayout_->addWidget(panel, wantsHeight(panel) ? 1 : 0);
    panels_[pluginId] = panel;
    updatePlaceholder();
}

void CallWindow::removePanel(const QString& pluginId, QWidget* panel) {
    const bool grew = wantsHeight(panel);
    panelLayout_->removeWidget(panel);
    panels_.remove(pluginId);
    updatePlaceholder();
    // The last panel that wanted height (video) left mid-call: the compact ones would float apart
    // in a grey gap, so the window shrinks to what is left.
    bool grows = false;
    for (const QWidget* other : std::as_const(panels_))
        grows = grows || wantsHeight(other);
    if (grew && !grows && !panels_.isEmpty()) {
        layout()->activate();
        resize(width(), minimumSizeHint().height());
    }
}

void CallWindow::updatePlaceholder() {
    panelArea_->setVisible(!panels_.isEmpty());
    placeholder_->setVisible(panels_.isEmpty());
    // Only panels that want height (video) share out the window's height; without one the
    // compact panels keep their natural height (see removePanel()).
    bool grows = panels_.isEmpty();
    for (const QWidget* panel : std::as_const(panels_))
        grows = grows || wantsHeight(panel);
    static_cast<QVBoxLayout*>(layout())->setStretchFactor(panelArea_, grows ? 1 : 0);
}

void CallWindow::setContactName(const QString& name) {
    contactName_ = name;
    updateStatus();
}

void CallWindow::updateCall(const sdk::CallInfo& call) {
    if (call.state == State::Active)
        clock_->start();
    else
        clock_->stop();
    hangUp_->setText(call.state == State::Active ? tr("Hang up") : tr("Cancel"));
    updateStatus();
}

void CallWindow::updateStatus() {
    if (!calls_) { // the session is gone; this window is about to be
        clock_->stop();
        return;
    }
    const sdk::CallInfo call = calls_->call();
    QString text;
    switch (call.state) {
    case State::Outgoing:
        text = tr("Calling %1…").arg(contactName_);
        break;
    case State::Incoming:
        text = tr("%1 is calling").arg(contactName_);
        break;
    case State::Active: {
        const qint64 s = calls_->duration().count() / 1000;
        text = tr("In call with %1 · %2:%3")
                   .arg(contactName_)
                   .arg(s / 60, 2, 10, QChar('0'))
                   .arg(s % 60, 2, 10, QChar('0'));
        break;
    }
    case State::Idle:
        text = tr("Call ended");
        break;
    }
    status_->setText(text);
    setWindowTitle(tr("Charla — call with %1").arg(contactName_));
}

void CallWindow::closeEvent(QCloseEvent* event) {
    if (calls_)
        calls_->hangUp();
    event->accept();
}

IncomingCallDialog::IncomingCallDialog(const QString& contactName, QWidget* parent)
    : QDialog(parent) {
    setObjectName("incomingCallDialog");
    setWindowTitle(tr("Incoming call"));
    // Wide enough for its title in the window's title bar (190 px cut it to "Inco… g call") and
    // for a long name.
    setMinimumWidth(std::max(360, fontMetrics().horizontalAdvance(windowTitle()) * 3));
    auto* layout = new QVBoxLayout(this);
    auto* label = new QLabel(tr("<h3>%1 is calling</h3>").arg(contactName.toHtmlEscaped()), this);
    label->setAlignment(Qt::AlignCenter);
    layout->addWidget(label);
    auto* buttons = new QHBoxLayout;
    auto* accept = new QPushButton(tr("Accept"), this);
    accept->setObjectName("acceptCallButton");
    accept->setStyleSheet("QPushButton { background: #2e7d32; color: white; padding: 6px 18px; }");
    auto* decline = new QPushButton(tr("Decline"), this);
    decline->setObjectName("declineCallButton");
    decline->setStyleSheet("QPushButton { background: #c62828; color: white; padding: 6px 18px; }");
    buttons->addWidget(accept);
    buttons->addWidget(decline);
    layout->addLayout(buttons);
    connect(accept, &QPushButton::clicked, this, [this] {
        emit accepted();
        done(QDialog::Accepted);
    });
    connect(decline, &QPushButton::clicked, this, &QDialog::reject);
    connect(this, &QDialog::rejected, this, [this] { emit declined(); });
}

} // namespace charla::gui
