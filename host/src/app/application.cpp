#include "app/application.h"

#include "core/logging.h"
#include "gui/call_window.h"
#include "gui/chat_window.h"
#include "gui/general_settings_page.h"
#include "gui/plugin_panels.h"
#include "gui/settings_dialog.h"
#include "gui/tones.h"
#include "gui/tray_icon.h"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHostAddress>
#include <QHostInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTextStream>

namespace charla::app {

namespace {

// The style Qt chose for the desktop, to go back to from the dark palette's Fusion. Read once,
// before any style sheet: under one, QStyle::name() is empty.
QString desktopStyleName() {
    static const QString name = QApplication::style()->name();
    return name;
}

// Hides a window and deletes it once control is back in the event loop: we are often inside
// one of its own signals (Hang up, Accept, Decline).
template <class Window> void closeLater(std::unique_ptr<Window>& window) {
    if (!window)
        return;
    window->hide();
    window.release()->deleteLater();
}

QString defaultUserName() {
    QString name = qEnvironmentVariable("USER");
    return name.isEmpty() ? QStringLiteral("me") : name;
}

// Where the contact's name is remembered, per address (host:port), for the next start.
QString contactNameKey(const QString& address) {
    return QStringLiteral("contactNames/") + QString(address).replace(u':', u'_');
}

QSet<QString> disabledPlugins(const Options& options) {
    QSettings settings;
    QSet<QString> out;
    for (const QString& id : settings.value("plugins/disabled").toStringList())
        out.insert(id);
    for (const QString& id : options.disabledPlugins)
        out.insert(id);
    return out;
}

} // namespace

QStringList pluginSearchPath(const QStringList& extraDirs) {
    QStringList dirs = extraDirs;
    // Works before QCoreApplication exists (main() needs the plugins' options to parse argv).
    QString appDir = QFileInfo("/proc/self/exe").canonicalPath();
    if (appDir.isEmpty() && QCoreApplication::instance())
        appDir = QCoreApplication::applicationDirPath();
    dirs << QDir(appDir).filePath("plugins")               // build tree: build/bin/plugins
         << QDir(appDir).filePath(CHARLA_PLUGINS_FROM_BIN) // installed
         << QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
                .filePath("charla/plugins"); // per user: ~/.local/share/charla/plugins
    QStringList unique;
    for (const QString& d : dirs) {
        const QString clean = QDir::cleanPath(QDir(d).absolutePath());
        if (!unique.contains(clean))
            unique << clean;
    }
    return unique;
}

int printPluginList(const Options& options) {
    host::HostChannel channel; // not listening: no plugin is created
    host::PluginManager manager(channel, "");
    manager.discover(pluginSearchPath(options.pluginDirs), disabledPlugins(options));
    // What only loading reveals (a library that is not the plugin its manifest says) must show
    // here too, not just in the Plugins dialog once Charla runs.
    manager.checkLibraries();
    QTextStream out(stdout);
    out << QStringLiteral("%1  %2  %3  %4\n")
               .arg("ID", -16)
               .arg("VERSION", -10)
               .arg("STATE", -9)
               .arg("REASON / PATH");
    for (const host::PluginRecord& r : manager.plugins()) {
        QString state = host::toString(r.state);
        QString detail = r.reason.isEmpty() ? r.path : r.reason + " (" + r.path + ")";
        if (r.state == host::PluginState::Disabled && r.reason.isEmpty())
            state = QStringLiteral("enabled");
        out << QStringLiteral("%1  %2  %3  %4\n")
                   .arg(r.displayId, -16)
                   .arg(r.manifest.version.isEmpty() ? "-" : r.manifest.version, -10)
                   .arg(state, -9)
                   .arg(detail);
    }
    if (manager.plugins().empty())
        out << "no plugins found in: " << pluginSearchPath(options.pluginDirs).join(", ") << "\n";
    return 0;
}

Application::Application(Options options, QObject* parent)
    : QObject(parent), options_(std::move(options)), notifier_(QDBusConnection::sessionBus()),
      colorScheme_(QDBusConnection::sessionBus()) {
    connect(&colorScheme_, &desktop::ColorScheme::preferenceChanged, this,
            &Application::applyColorScheme);
    if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance())) {
        (void)desktopStyleName(); // taken before the style sheet hides it
        app->setStyleSheet(gui::toneStyleSheet(false));
    }
}

Application::~Application() {
    QElapsedTimer closing;
    closing.start();
    if (lookupId_ >= 0)
        QHostInfo::abortHostLookup(lookupId_);
    // Plugins first (their panels live in the windows), then the windows, then the rest.
    closeCallWindows();
    tray_.reset();
    if (session_) {
        panels_->setHost(gui::PanelSlot::Settings, nullptr);
        session_->stop();
    }
    panels_.reset();
    chat_.reset();
    session_.reset();
    qCInfo(lcGui) << "closed in" << closing.elapsed() << "ms";
}

void Application::start() {
    colorScheme_.follow();
    QSettings settings;
    const QString user = options_.user.isEmpty()
                             ? settings.value("user/name", defaultUserName()).toString()
                             : options_.user;
    if (options_.peer) {
        gui::LoginRequest request;
        request.user = user;
        request.contactHost = options_.peer->host;
        request.ownPort = options_.port.value_or(host::kDefaultPort);
        request.contactPort = options_.peer->port.value_or(host::kDefaultPort);
        request.secret = options_.secret;
        connectTo(request);
        return;
    }
    gui::LoginWindow::Defaults defaults;
    defaults.user = user;
    defaults.contactHost = settings.value("contact/host").toString();
    // --port wins over what was remembered; remote and local mode remember their own.
    defaults.ownPort =
        options_.port ? QString::number(*options_.port)
                      : settings.value(options_.localMode ? "contact/localOwnPort" : "contact/port")
                            .toString();
    defaults.contactPort = settings.value("contact/localContactPort").toString();
    login_ = std::make_unique<gui::LoginWindow>(options_.localMode, defaults,
                                                host::localIPv4Addresses());
    connect(login_.get(), &gui::LoginWindow::loginRequested, this, &Application::connectTo);
    login_->show();
}

void Application::quit() {
    qCInfo(lcGui) << "quit requested";
    quitting_ = true;
    if (session_)
        session_->calls().hangUp();
    closeCallWindows();
    if (chat_)
        chat_->close();
    if (login_)
        login_->close();
    QCoreApplication::quit();
}

void Application::fail(const QString& message) {
    qCWarning(lcGui).noquote() << message;
    if (login_)
        login_->showError(message);
    else
        emit fatalError(message);
}

void Application::connectTo(const gui::LoginRequest& request) {
    // Resolve without blocking the GUI thread: a slow DNS must not freeze the login window.
    lookupId_ =
        QHostInfo::lookupHost(request.contactHost, this, [this, request](const QHostInfo& info) {
            lookupId_ = -1;
            QString ip;
            for (const QHostAddress& a : info.addresses())
                if (a.protocol() == QAbstractSocket::IPv4Protocol) {
                    ip = a.toString();
                    break;
                }
            if (ip.isEmpty())
                return fail(tr("Unknown host '%1': %2")
                                .arg(request.contactHost, info.error() == QHostInfo::NoError
                                                              ? tr("it has no IPv4 address")
                                                              : info.errorString()));
            if (options_.localMode && !QHostAddress(ip).isLoopback())
                return fail(
                    tr("In local mode the contact runs on this computer: use localhost, not "
                       "'%1'.")
                        .arg(request.contactHost));
            startSession(request, ip);
        });
}

QString Application::securityDir(bool localMode, quint16 port) {
    const QDir data(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation));
    // Two local-mode instances are two installations: each its own key and known peers.
    return localMode ? data.filePath(QStringLiteral("charla/local-%1").arg(port))
                     : data.filePath(QStringLiteral("charla"));
}

void Application::startSession(const gui::LoginRequest& request, const QString& contactIp) {
    host::SessionConfig config;
    config.listenAddress =
        options_.localMode ? QStringLiteral("127.0.0.1") : QStringLiteral("0.0.0.0");
    config.port = request.ownPort;
    config.peer = host::PeerAddress{contactIp.toStdString(), request.contactPort};
    config.user = request.user;
    config.pluginDirs = pluginSearchPath(options_.pluginDirs);
    config.disabledPlugins = disabledPlugins(options_);
    config.pluginOptions = options_.pluginOptions;
    config.secret = (request.secret.isEmpty() ? options_.secret : request.secret).toStdString();
    // One guard file per port: two local-mode instances must not trip each other's guard.
    config.crashGuardPath =
        QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
            .filePath(QStringLiteral("charla/loading-plugin-%1").arg(request.ownPort));
    config.plaintext = options_.allowPlaintext;
    config.securityDir = securityDir(options_.localMode, request.ownPort);
    auto session = std::make_unique<host::Session>(config);
    // The chat window exists before plugins start, so they can contribute their panels.
    const QString contact = request.contactHost + ":" + QString::number(request.contactPort);
    contactAddress_ = contact;
    auto chat = std::make_unique<gui::ChatWindow>(
        session->plugins(), contact,
        tr("%1 on %2:%3").arg(request.user, config.listenAddress).arg(request.ownPort),
        QSettings().value(contactNameKey(contact)).toString());
    auto panels = std::make_unique<gui::PluginPanels>(session->plugins());
    panels->setHost(gui::PanelSlot::Chat, chat.get());
    try {
        session->start();
    } catch (const host::StartError& e) {
        panels.reset(); // while the chat window that holds the panels is still alive
        return fail(QString::fromStdString(e.what()));
    }
    session_ = std::move(session);
    panels_ = std::move(panels);
    chat_ = std::move(chat);
    connect(session_.get(), &host::Session::peerChanged, chat_.get(), &gui::ChatWindow::setPeer);
    connect(session_.get(), &host::Session::peerChanged, this, [this](const sdk::PeerInfo& peer) {
        if (!peer.user.empty())
            QSettings().setValue(contactNameKey(contactAddress_),
                                 QString::fromStdString(peer.user));
    });
    connect(session_.get(), &host::Session::refusalChanged, chat_.get(),
            &gui::ChatWindow::setRefusal);
    chat_->setSecurity(session_->channel().tls(), session_->channel().peerAddress().display());
    connect(chat_.get(), &gui::ChatWindow::pluginToggled, this, &Application::saveDisabledPlugin);
    connect(chat_.get(), &gui::ChatWindow::quitRequested, this, &Application::quit);
    connect(&session_->plugins(), &host::PluginManager::userNotice, this,
            [this](const QString&, const QString& title, const QString& body) {
                noticeFromPlugin(title, body);
            });
    connect(chat_.get(), &gui::ChatWindow::activated, this, [this] {
        chat_->setUnread(0);
        notifier_.withdraw(QStringLiteral("message"));
    });
    host::CallManager& calls = session_->calls();
    calls.setAutoAnswer(options_.autoAnswer);
    connect(chat_.get(), &gui::ChatWindow::callRequested, &calls, &host::CallManager::placeCall);
    connect(chat_.get(), &gui::ChatWindow::settingsRequested, this, [this] {
        // Plugins fill the dialog while it is open; closing it deletes their pages.
        auto* dialog = new gui::SettingsDialog(chat_.get());
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QList<QPair<QString, QString>> languages;
        for (const LanguageChoice& l : shippedLanguages())
            languages.append({l.code, l.nativeName});
        // The host's own page first; its key cannot clash with a plugin id ([a-z][a-z0-9_]*).
        dialog->addPanel(
            QStringLiteral("host:general"), tr("General"),
            new gui::GeneralSettingsPage(languages, tray_ != nullptr, dialog->panelParent()));
        panels_->setHost(gui::PanelSlot::Settings, dialog);
        connect(dialog, &QDialog::finished, this, [this] {
            if (panels_)
                panels_->setHost(gui::PanelSlot::Settings, nullptr);
        });
        dialog->show();
    });
    connect(&calls, &host::CallManager::callChanged, this, &Application::showCall);
    if (options_.callOnStart)
        connect(session_.get(), &host::Session::peerChanged, this,
                [this](const sdk::PeerInfo& peer) {
                    if (!calledOnStart_ && peer.online && peer.introduced) {
                        calledOnStart_ = true;
                        session_->calls().placeCall();
                    }
                });

    QSettings settings;
    settings.setValue("user/name", request.user);
    if (options_.localMode) {
        settings.setValue("contact/localOwnPort", request.ownPort);
        settings.setValue("contact/localContactPort", request.contactPort);
    } else {
        settings.setValue("contact/host", request.contactHost);
        settings.setValue("contact/port", request.ownPort);
    }
    if (login_) {
        login_->hide();
        login_.reset();
    }
    chat_->installEventFilter(this);
    chat_->show();
    showTray();
    emit connected();
}

void Application::showTray() {
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        qCInfo(lcGui) << "no system tray: closing the chat window quits";
        return;
    }
    tray_ = std::make_unique<gui::TrayIcon>();
    tray_->setContactName(contactName());
    tray_->setUnread(chat_->unread());
    connect(chat_.get(), &gui::ChatWindow::unreadChanged, tray_.get(), &gui::TrayIcon::setUnread);
    connect(session_.get(), &host::Session::peerChanged, tray_.get(),
            [this] { tray_->setContactName(contactName()); });
    connect(tray_.get(), &gui::TrayIcon::restoreRequested, this, &Application::restoreChat);
    connect(tray_.get(), &gui::TrayIcon::quitRequested, this, &Application::quit);
}

void Application::restoreChat() {
    if (!chat_)
        return;
    QApplication::setQuitOnLastWindowClosed(true);
    chat_->showNormal();
    chat_->raise();
    chat_->activateWindow();
}

bool Application::eventFilter(QObject* watched, QEvent* event) {
    if (watched == chat_.get() && event->type() == QEvent::Close && !quitting_ && tray_ &&
        tray_->isVisible() &&
        QSettings().value(gui::GeneralSettingsPage::kMinimiseToTrayKey, false).toBool()) {
        // An ignored close event leaves the window open: hide it instead, and keep running
        // with no window shown (a call window closing meanwhile must not quit either).
        event->ignore();
        QApplication::setQuitOnLastWindowClosed(false);
        chat_->hide();
        qCInfo(lcGui) << "chat window closed to the tray";
        return true;
    }
    return QObject::eventFilter(watched, event);
}

QString Application::contactName() const {
    const std::string user = session_ ? session_->channel().peer().user : std::string();
    if (!user.empty())
        return QString::fromStdString(user);
    const QString known = QSettings().value(contactNameKey(contactAddress_)).toString();
    return known.isEmpty() ? tr("your contact") : known;
}

void Application::closeCallWindows() {
    if (panels_)
        panels_->setHost(gui::PanelSlot::Call, nullptr);
    closeLater(callWindow_);
    closeLater(incoming_);
    notifier_.withdraw(QStringLiteral("call"));
}

void Application::applyColorScheme(bool dark) {
    if (!qobject_cast<QApplication*>(QCoreApplication::instance()))
        return;
    // Fusion draws every control from the palette; the native styles may not.
    if (dark) {
        QApplication::setStyle(QStringLiteral("Fusion"));
        QApplication::setPalette(desktop::darkPalette());
    } else if (dark_) {
        QApplication::setStyle(desktopStyleName());
        QApplication::setPalette(QApplication::style()->standardPalette());
    }
    dark_ = dark;
    qApp->setStyleSheet(gui::toneStyleSheet(dark));
}

void Application::noticeFromPlugin(const QString& title, const QString& body) {
    // A window hidden to the tray may still be Qt's active window until the window system says
    // otherwise: hidden counts as not looked at.
    if (!chat_ || (chat_->isVisible() && chat_->isActiveWindow()))
        return;
    chat_->setUnread(chat_->unread() + 1);
    notifier_.show(desktop::DesktopNotifier::Kind::Message, QStringLiteral("message"), title, body);
}

void Application::showCall(const sdk::CallInfo& call, const QString& message) {
    using State = sdk::CallInfo::State;
    if (!message.isEmpty() && chat_)
        chat_->statusBar()->showMessage(message, 8000);
    switch (call.state) {
    case State::Idle:
        closeCallWindows();
        return;
    case State::Incoming:
        if (!incoming_) {
            incoming_ = std::make_unique<gui::IncomingCallDialog>(contactName(), chat_.get());
            connect(incoming_.get(), &gui::IncomingCallDialog::accepted, &session_->calls(),
                    &host::CallManager::accept);
            connect(incoming_.get(), &gui::IncomingCallDialog::declined, &session_->calls(),
                    &host::CallManager::decline);
            incoming_->show();
            QApplication::alert(chat_.get()); // flashes the taskbar entry
            QApplication::beep();
            notifier_.show(desktop::DesktopNotifier::Kind::IncomingCall, QStringLiteral("call"),
                           tr("Incoming call"), tr("%1 is calling you").arg(contactName()));
        }
        return;
    case State::Outgoing:
    case State::Active:
        closeLater(incoming_);
        notifier_.withdraw(QStringLiteral("call"));
        if (!callWindow_) {
            callWindow_ = std::make_unique<gui::CallWindow>(session_->calls(), contactName());
            connect(callWindow_.get(), &gui::CallWindow::quitRequested, this, &Application::quit);
            connect(callWindow_.get(), &gui::CallWindow::safetyNumberRequested, this, [this] {
                if (chat_)
                    chat_->openSafetyNumber(callWindow_.get());
            });
            panels_->setHost(gui::PanelSlot::Call, callWindow_.get());
            callWindow_->show();
        }
        callWindow_->updateCall(call);
        return;
    }
}

void Application::saveDisabledPlugin(const QString& id, bool enabled) {
    QSettings settings;
    QStringList disabled = settings.value("plugins/disabled").toStringList();
    disabled.removeAll(id);
    if (!enabled)
        disabled << id;
    settings.setValue("plugins/disabled", disabled);
}

} // namespace charla::app
