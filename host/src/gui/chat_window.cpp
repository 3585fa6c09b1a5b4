#include "gui/chat_window.h"

#include "core/plugin_manager.h"
#include "gui/panel_layout.h"
#include "gui/plugins_dialog.h"
#include "gui/shortcuts.h"

#include <QAction>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

namespace charla::gui {

ChatWindow::ChatWindow(host::PluginManager& plugins, const QString& contactAddress,
                       const QString& listeningOn, const QString& knownName, QWidget* parent)
    : QMainWindow(parent), plugins_(plugins), contactAddress_(contactAddress),
      knownName_(knownName) {
    setObjectName("chatWindow");
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);

    auto* header = new QHBoxLayout;
    contact_ = new QLabel(central);
    contact_->setObjectName("contactLabel");
    presence_ = new QLabel(central);
    presence_->setObjectName("presenceLabel");
    call_ = new QPushButton(tr("Call"), central);
    call_->setObjectName("callButton");
    call_->setEnabled(false);
    auto* pluginsButton = new QPushButton(tr("Plugins…"), central);
    pluginsButton->setObjectName("pluginsButton");
    header->addWidget(contact_);
    header->addWidget(presence_);
    header->addStretch();
    header->addWidget(call_);
    auto* settingsButton = new QPushButton(tr("Settings…"), central);
    settingsButton->setObjectName("settingsButton");
    header->addWidget(settingsButton);
    header->addWidget(pluginsButton);
    connect(settingsButton, &QPushButton::clicked, this, &ChatWindow::settingsRequested);
    layout->addLayout(header);

    // A contact that refuses us, or a plugin that failed (threw, could not open its store), is not
    // just "offline" or missing: say why here, where the user looks, not only in a log or dialog.
    problems_ = new QLabel(central);
    problems_->setObjectName("problemsLabel");
    problems_->setWordWrap(true);
    problems_->setTextFormat(Qt::RichText);
    problems_->setStyleSheet("QLabel { background: #fff4d6; border: 1px solid #e0b44c; "
                             "border-radius: 4px; padding: 6px; color: #5c4400; }");
    problems_->hide();
    layout->addWidget(problems_);
    connect(&plugins_, &host::PluginManager::pluginsChanged, this, &ChatWindow::updateProblems);

    panels_ = new QSplitter(Qt::Vertical, central);
    panels_->setObjectName("panelArea");
    panels_->setChildrenCollapsible(false);
    layout->addWidget(panels_, 1);
    placeholder_ =
        new QLabel(tr("No plugin is enabled. Open Plugins… to enable text chat."), central);
    placeholder_->setObjectName("noPanelsLabel");
    placeholder_->setAlignment(Qt::AlignCenter);
    layout->addWidget(placeholder_, 1);

    setCentralWidget(central);
    auto* self = new QLabel(tr("You are %1").arg(listeningOn), this);
    self->setObjectName("selfLabel");
    statusBar()->addPermanentWidget(self);
    connect(call_, &QPushButton::clicked, this, &ChatWindow::callRequested);
    // The desktop's usual keys: Ctrl+W closes this window, Ctrl+Q quits Charla.
    auto* closeAction = new QAction(tr("Close window"), this);
    closeAction->setObjectName("closeWindowAction");
    closeAction->setShortcuts(shortcuts(QKeySequence::Close, Qt::CTRL | Qt::Key_W));
    connect(closeAction, &QAction::triggered, this, &QWidget::close);
    auto* quitAction = new QAction(tr("Quit Charla"), this);
    quitAction->setObjectName("quitAction");
    quitAction->setShortcuts(shortcuts(QKeySequence::Quit, Qt::CTRL | Qt::Key_Q));
    connect(quitAction, &QAction::triggered, this, &ChatWindow::quitRequested);
    addActions({closeAction, quitAction});
    connect(pluginsButton, &QPushButton::clicked, this, &ChatWindow::openPluginsDialog);
    setPeer(sdk::PeerInfo{});
    updateProblems(); // and the placeholder
    resize(560, 640);
}

QWidget* ChatWindow::panelParent() {
    return panels_;
}

void ChatWindow::addPanel(const QString& pluginId, const QString& title, QWidget* panel) {
    panel->setAccessibleName(title);
    panels_->addWidget(panel);
    panels_->setStretchFactor(panels_->indexOf(panel), wantsHeight(panel) ? 1 : 0);
    panelByPlugin_[pluginId] = panel;
    updatePlaceholder();
}

void ChatWindow::removePanel(const QString& pluginId, QWidget* panel) {
    panel->hide();
    panel->setParent(nullptr);
    panelByPlugin_.remove(pluginId);
    updatePlaceholder();
}

void ChatWindow::updatePlaceholder() {
    const bool none = panelByPlugin_.isEmpty();
    panels_->setVisible(!none);
    // "No plugin is enabled" would contradict the banner of a plugin that failed.
    placeholder_->setVisible(none && problems_->isHidden());
}

void ChatWindow::setRefusal(const QString& why) {
    refusal_ = why;
    updateProblems();
}

void ChatWindow::updateProblems() {
    QStringList lines;
    if (!refusal_.isEmpty())
        lines << refusal_.toHtmlEscaped();
    for (const host::PluginRecord& r : plugins_.plugins()) {
        if (r.state != host::PluginState::Failed)
            continue;
        const QString name = r.manifest.name.isEmpty() ? r.displayId : r.manifest.name;
        lines << tr("<b>%1</b> stopped working: %2")
                     .arg(name.toHtmlEscaped(), r.reason.toHtmlEscaped());
    }
    if (lines.size() > (refusal_.isEmpty() ? 0 : 1))
        lines << tr("Open Plugins… to try again.");
    problems_->setText(lines.join(QStringLiteral("<br>")));
    problems_->setVisible(!lines.isEmpty());
    updatePlaceholder();
}

void ChatWindow::setPeer(const sdk::PeerInfo& peer) {
    // People are named, not addressed: the address is for the tooltip, or the title while the
    // contact has never said who it is.
    if (!peer.user.empty())
        knownName_ = QString::fromStdString(peer.user);
    const QString name = knownName_.isEmpty() ? tr("Contact") : knownName_;
    updateTitle();
    contact_->setText(tr("<b>%1</b>").arg(name.toHtmlEscaped()));
    contact_->setToolTip(tr("%1 at %2").arg(name, contactAddress_));
    presence_->setText(peer.online ? tr("<span style='color:#1b8a3a'>● online</span>")
                                   : tr("<span style='color:gray'>○ offline</span>"));
    presence_->setProperty("online", peer.online);
    call_->setEnabled(peer.online);
    call_->setToolTip(peer.online ? tr("Call %1").arg(name) : tr("%1 is offline").arg(name));
}

void ChatWindow::setUnread(int count) {
    unread_ = count;
    updateTitle();
}

void ChatWindow::updateTitle() {
    const QString title =
        tr("Charla — %1").arg(knownName_.isEmpty() ? contactAddress_ : knownName_);
    setWindowTitle(unread_ > 0 ? tr("(%1) %2").arg(unread_).arg(title) : title);
}

void ChatWindow::changeEvent(QEvent* event) {
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::ActivationChange && isActiveWindow())
        emit activated();
}

void ChatWindow::openPluginsDialog() {
    auto* dialog = new PluginsDialog(plugins_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PluginsDialog::pluginToggled, this, &ChatWindow::pluginToggled);
    dialog->show();
}

} // namespace charla::gui
