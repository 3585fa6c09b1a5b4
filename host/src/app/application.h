// Puts the pieces together the way a user meets them: login window (unless --peer), then the
// session and the chat window. Settings (last contact, name, disabled plugins) live in QSettings.
#pragma once

#include "app/options.h"
#include "app/translations.h"
#include "core/session.h"
#include "desktop/color_scheme.h"
#include "desktop/desktop_notifier.h"
#include "gui/login_window.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace charla::gui {
class CallWindow;
class ChatWindow;
class IncomingCallDialog;
class PluginPanels;
class TrayIcon;
} // namespace charla::gui

namespace charla::app {

// Where plugins are looked for: --plugins-dir first, then beside the binary (build tree and
// install), then the per-user directory.
QStringList pluginSearchPath(const QStringList& extraDirs);

// --list-plugins: one line per plugin (id, version, state, reason), after the catalog's and the
// loader's checks (libraries are loaded, no plugin is created). Returns the exit code.
int printPluginList(const Options& options);

class Application : public QObject {
    Q_OBJECT
public:
    explicit Application(Options options, QObject* parent = nullptr);
    ~Application() override;

    // Where the instance on `port` keeps its key and its contacts' keys (docs/security.md): the
    // user's data directory, or one per port in local mode (two instances, two installations).
    static QString securityDir(bool localMode, quint16 port);

    // Shows the login window, or with --peer connects straight away.
    void start();
    // Ctrl+Q: hangs up, closes every window and leaves the event loop. The session stops when
    // the Application is destroyed; undelivered messages wait in the text plugin's store.
    void quit();

    host::Session* session() { return session_.get(); }
    gui::ChatWindow* chatWindow() { return chat_.get(); }
    gui::CallWindow* callWindow() { return callWindow_.get(); }
    gui::IncomingCallDialog* incomingCallDialog() { return incoming_.get(); }
    gui::LoginWindow* loginWindow() { return login_.get(); }
    // Null where the desktop has no tray (QSystemTrayIcon::isSystemTrayAvailable()).
    gui::TrayIcon* trayIcon() { return tray_.get(); }
    // Shows the chat window again (from the tray), in front.
    void restoreChat();
    // "es" or "en": the language the windows speak (translations.h).
    QString language() const { return translations_.language(); }

protected:
    // Closing the chat window hides it to the tray when the user asked for that (Settings).
    bool eventFilter(QObject* watched, QEvent* event) override;

signals:
    // The session is running and the chat window is shown.
    void connected();
    // Connecting failed with no login window to show it in (--peer): the app should exit.
    void fatalError(const QString& message);

private:
    void showTray();
    void connectTo(const gui::LoginRequest& request);
    void startSession(const gui::LoginRequest& request, const QString& contactIp);
    void fail(const QString& message);
    void saveDisabledPlugin(const QString& id, bool enabled);
    void showCall(const sdk::CallInfo& call, const QString& message);
    void closeCallWindows();
    void applyColorScheme(bool dark);
    // A plugin's notice (a message): a desktop notification and one more unread, unless the
    // user is looking at the chat window.
    void noticeFromPlugin(const QString& title, const QString& body);
    QString contactName() const;

    // First: the language is set before any window exists and put back after the last is gone.
    Translations translations_;
    Options options_;
    std::unique_ptr<gui::LoginWindow> login_;
    std::unique_ptr<host::Session> session_;
    std::unique_ptr<gui::ChatWindow> chat_;
    // Fills the windows with the session's plugins' panels; gone before the session and chat_.
    std::unique_ptr<gui::PluginPanels> panels_;
    std::unique_ptr<gui::CallWindow> callWindow_;
    std::unique_ptr<gui::IncomingCallDialog> incoming_;
    std::unique_ptr<gui::TrayIcon> tray_;
    bool quitting_ = false; // quit(): closing the chat window really closes it
    desktop::DesktopNotifier notifier_;
    desktop::ColorScheme colorScheme_;
    bool dark_ = false;      // the dark palette (and Fusion) are in use
    QString contactAddress_; // host:port, as the user gave it
    bool calledOnStart_ = false;
    int lookupId_ = -1;
};

} // namespace charla::app
