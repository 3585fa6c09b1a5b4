#include "gui/chat_window.h"

#include "core/plugin_manager.h"
#include "gui/panel_layout.h"
#include "gui/plugins_dialog.h"
#include "gui/safety_number_dialog.h"
#include "gui/shortcuts.h"
#include "gui/tones.h"
#include "security/identity.h"
#include "security/tls.h"

#include <QAction>
#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
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
    trust_ = new QLabel(central);
    trust_->setObjectName("trustLabel");
    safetyNumber_ = new QPushButton(tr("Safety number…"), central);
    safetyNumber_->setObjectName("safetyNumberButton");
    connect(safetyNumber_, &QPushButton::clicked, this, [this] { openSafetyNumber(); });
    header->addWidget(contact_);
    header->addWidget(presence_);
    header->addWidget(trust_);
    header->addStretch();
    header->addWidget(safetyNumber_);
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

    // A changed key is not a problem line among others: it may be an attack. Red, explicit, and
    // the only way on is to accept the new key on purpose.
    keyChanged_ = new QFrame(central);
    keyChanged_->setObjectName("keyChangedBanner");
    keyChanged_->setStyleSheet("#keyChangedBanner { background: #fde2e1; border: 2px solid "
                               "#c62828; border-radius: 4px; } QLabel { color: #7f1010; }");
    auto* bannerLayout = new QHBoxLayout(keyChanged_);
    keyChangedText_ = new QLabel(keyChanged_);
    keyChangedText_->setObjectName("keyChangedLabel");
    keyChangedText_->setWordWrap(true);
    keyChangedText_->setTextFormat(Qt::RichText);
    auto* accept = new QPushButton(tr("Accept the new key…"), keyChanged_);
    accept->setObjectName("acceptKeyButton");
    connect(accept, &QPushButton::clicked, this, &ChatWindow::confirmNewKey);
    bannerLayout->addWidget(keyChangedText_, 1);
    bannerLayout->addWidget(accept, 0, Qt::AlignTop);
    keyChanged_->hide();
    layout->addWidget(keyChanged_);
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
    // Ctrl+Enter calls from anywhere in the window, the composer included (Enter alone sends);
    // like the button, it does nothing while the contact is offline.
    auto* callAction = new QAction(tr("Call"), this);
    callAction->setObjectName("callAction");
    callAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    connect(callAction, &QAction::triggered, call_, &QPushButton::click);
    addActions({closeAction, quitAction, callAction});
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
    updateTrust();
    updateProblems();
}

void ChatWindow::setSecurity(std::shared_ptr<security::TlsContext> tls,
                             const std::string& contact) {
    if (tls_)
        disconnect(tls_->notifier(), nullptr, this, nullptr);
    tls_ = std::move(tls);
    contactKeyName_ = contact;
    // A key presented, changed or verified by the shared secret on a network thread.
    if (tls_)
        connect(tls_->notifier(), &security::TrustNotifier::changed, this, &ChatWindow::updateTrust,
                Qt::QueuedConnection);
    updateTrust();
}

// The trust line: a warning or a verification stands out in bold, plain "encrypted" does not.
void ChatWindow::showTrust(const QString& text, const char* tone) {
    trust_->setText(text);
    QFont font = trust_->font();
    font.setBold(qstrcmp(tone, "muted") != 0);
    trust_->setFont(font);
    setTone(trust_, tone);
}

void ChatWindow::updateTrust() {
    // Reads the store under its lock: a local lookup, never the network.
    const auto view = tls_ ? tls_->peerKey(contactKeyName_) : security::TlsContext::PeerKeyView{};
    if (!tls_) {
        showTrust(tr("⚠ not encrypted"), "error");
        trust_->setToolTip(tr("--allow-plaintext: everything to and from this contact crosses "
                              "the network readable by anyone on the way."));
    } else if (view.changed) {
        // Refused: no encrypted link exists, whatever the last one was.
        showTrust(tr("⚠ key changed — not connected"), "error");
        trust_->setToolTip(tr("The contact presents another key than the one remembered: "
                              "Charla refuses it until you accept it (below)."));
    } else if (view.verified && view.bySecret) {
        showTrust(tr("✔ verified by the shared secret"), "ok");
        trust_->setToolTip(tr("Encrypted; the contact proved it knows your shared secret over "
                              "this encrypted link."));
    } else if (view.verified) {
        showTrust(tr("✔ verified"), "ok");
        trust_->setToolTip(tr("Encrypted; you compared the safety number with the contact."));
    } else {
        showTrust(tr("encrypted"), "muted");
        trust_->setToolTip(tr("Encrypted, not verified yet: compare the safety number."));
    }
    trust_->setProperty("verified", view.verified);
    safetyNumber_->setVisible(tls_ != nullptr);
    safetyNumber_->setEnabled(!view.presented.isEmpty() && !view.changed);
    keyIsChanged_ = view.changed;
    const QString name = knownName_.isEmpty() ? tr("The contact") : knownName_;
    keyChangedText_->setText(
        tr("<b>⚠ %1's key has CHANGED.</b> Someone may be between you (a man-in-the-middle), or "
           "%1 reinstalled Charla. Charla refuses to talk to this key. Ask %1 another way (in "
           "person, by phone) before you accept it.")
            .arg(name.toHtmlEscaped()));
    keyChanged_->setVisible(view.changed);
}

void ChatWindow::confirmNewKey() {
    if (!tls_)
        return;
    const auto view = tls_->peerKey(contactKeyName_);
    if (!view.changed)
        return updateTrust();
    const QString name = knownName_.isEmpty() ? tr("the contact") : knownName_;
    auto* box = new QMessageBox(
        QMessageBox::Warning, tr("Accept the new key?"),
        tr("Only accept %1's new key if you know why it changed (a reinstall) and the safety "
           "number below is the one %1's Charla shows. If it is an attacker's key, they will "
           "read everything.\n\nSafety number with the new key:\n%2")
            .arg(name, security::safetyNumber(tls_->identity().publicKey(), view.presented)),
        QMessageBox::Cancel, this);
    box->setObjectName("acceptKeyConfirm");
    auto* accept = box->addButton(tr("Accept the new key"), QMessageBox::DestructiveRole);
    accept->setObjectName("confirmAcceptKeyButton");
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    const QByteArray presented = view.presented;
    connect(box, &QMessageBox::buttonClicked, this, [this, accept, presented](QAbstractButton* b) {
        if (b != accept)
            return;
        QString error;
        if (!tls_->acceptKey(contactKeyName_, presented, &error)) {
            QMessageBox::warning(this, tr("Cannot accept the key"), error);
            return;
        }
        refusal_.clear(); // the link says it again at its next ping if it still holds
        updateTrust();
        updateProblems();
    });
    box->open(); // not exec(): the GUI keeps running, nothing waits
}

void ChatWindow::openSafetyNumber(QWidget* parent) {
    if (!tls_)
        return;
    const auto view = tls_->peerKey(contactKeyName_);
    if (view.presented.isEmpty() || view.changed)
        return;
    const QString name = knownName_.isEmpty() ? tr("your contact") : knownName_;
    auto* dialog = new SafetyNumberDialog(
        name, security::safetyNumber(tls_->identity().publicKey(), view.presented), view.verified,
        parent ? parent : this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QByteArray presented = view.presented;
    QPointer<SafetyNumberDialog> guard(dialog);
    connect(dialog, &SafetyNumberDialog::markVerifiedRequested, this, [this, guard, presented] {
        QString error;
        if (!tls_->markVerified(contactKeyName_, presented, &error)) {
            QMessageBox::warning(guard, tr("Cannot mark as verified"), error);
            return;
        }
        if (guard)
            guard->setVerified(true);
        updateTrust();
    });
    dialog->open();
}

void ChatWindow::updateProblems() {
    QStringList lines;
    if (!refusal_.isEmpty() && !keyIsChanged_) // a changed key has its own banner
        lines << refusal_.toHtmlEscaped();
    for (const host::PluginRecord& r : plugins_.plugins()) {
        if (r.state != host::PluginState::Failed)
            continue;
        const QString name = r.manifest.name.isEmpty() ? r.displayId : r.manifest.displayName();
        lines << tr("<b>%1</b> stopped working: %2")
                     .arg(name.toHtmlEscaped(), r.reason.toHtmlEscaped());
    }
    if (lines.size() > (refusal_.isEmpty() || keyIsChanged_ ? 0 : 1))
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
    presence_->setText(peer.online ? tr("● online") : tr("○ offline"));
    setTone(presence_, peer.online ? "ok" : "muted");
    presence_->setProperty("online", peer.online);
    call_->setEnabled(peer.online);
    call_->setToolTip(peer.online ? tr("Call %1").arg(name) : tr("%1 is offline").arg(name));
    updateTrust(); // the first handshake brings the contact's key
}

void ChatWindow::setUnread(int count) {
    unread_ = count;
    updateTitle();
    emit unreadChanged(count);
}

void ChatWindow::updateTitle() {
    const QString title =
        tr("Charla — %1").arg(knownName_.isEmpty() ? contactAddress_ : knownName_);
    setWindowTitle(unread_ > 0 ? tr("(%1) %2").arg(unread_).arg(title) : title);
}

void ChatWindow::changeEvent(QEvent* event) {
    QMainWindow::changeEvent(event);
    // Visible too: the window system's activation can arrive after the window was hidden to the
    // tray (seen under Xvfb: the focus from showing it came late), and nobody looks at a hidden
    // window.
    if (event->type() == QEvent::ActivationChange && isVisible() && isActiveWindow())
        emit activated();
}

void ChatWindow::openPluginsDialog() {
    auto* dialog = new PluginsDialog(plugins_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PluginsDialog::pluginToggled, this, &ChatWindow::pluginToggled);
    dialog->show();
}

} // namespace charla::gui
