// The main window: who the contact is and whether they are online, the call button, the Plugins
// dialog, and the panels that plugins contribute (the text plugin's conversation and composer).
// The host itself draws no conversation: delete every plugin and this window still works.
#pragma once

#include "gui/panel_host.h"

#include <charla/sdk/peer_info.h>

#include <QMainWindow>
#include <QMap>

#include <memory>
#include <string>

class QFrame;
class QLabel;
class QPushButton;
class QSplitter;

namespace charla::host {
class PluginManager;
}
namespace charla::security {
class TlsContext;
}

namespace charla::gui {

class ChatWindow : public QMainWindow, public PanelHost {
    Q_OBJECT
public:
    // `knownName`: the contact's name from last time, shown until it introduces itself.
    ChatWindow(host::PluginManager& plugins, const QString& contactAddress,
               const QString& listeningOn, const QString& knownName = {},
               QWidget* parent = nullptr);

    // PanelHost
    QWidget* panelParent() override;
    void addPanel(const QString& pluginId, const QString& title, QWidget* panel) override;
    void removePanel(const QString& pluginId, QWidget* panel) override;

public slots:
    void setPeer(const charla::sdk::PeerInfo& peer);
    // Why the contact refuses our calls (wrong secret, unexpected address); empty when it does not.
    void setRefusal(const QString& why);
    void openPluginsDialog();
    // Messages the user has not seen, counted while the window is not active: "(3) " in the
    // title (the taskbar shows it). 0 clears it.
    void setUnread(int count);
    int unread() const { return unread_; }
    // Where the contact's key is checked (null: --allow-plaintext, the header then says "not
    // encrypted" for the whole session) and under which name (`host:port`, known_peers').
    void setSecurity(std::shared_ptr<security::TlsContext> tls, const std::string& contact);
    // The safety-number dialog (parent: this window, or the call window that asked).
    void openSafetyNumber(QWidget* parent = nullptr);

signals:
    // The window became the active window: the user is looking at the conversation.
    void activated();
    void callRequested();
    void settingsRequested();
    // Ctrl+Q (File > Quit): the whole application, not just this window.
    void quitRequested();
    // The user switched a plugin in the Plugins dialog (for the settings).
    void pluginToggled(const QString& id, bool enabled);
    // setUnread() changed the count (the tray icon shows it too).
    void unreadChanged(int count);

protected:
    void changeEvent(QEvent* event) override;

private:
    void updateTitle();
    void updatePlaceholder();
    void updateProblems();
    // The header's encrypted / verified / not encrypted mark and the changed-key banner.
    void updateTrust();
    void showTrust(const QString& text, const char* tone);
    void confirmNewKey();

    host::PluginManager& plugins_;
    QString contactAddress_;
    QString knownName_;
    int unread_ = 0;
    QLabel* contact_ = nullptr;
    QLabel* presence_ = nullptr;
    QPushButton* call_ = nullptr;
    QSplitter* panels_ = nullptr;
    QLabel* placeholder_ = nullptr;
    QLabel* problems_ = nullptr; // a refusing contact, failed plugins, and why
    QString refusal_;
    QLabel* trust_ = nullptr;
    QPushButton* safetyNumber_ = nullptr;
    QFrame* keyChanged_ = nullptr; // the scary banner of a changed key
    QLabel* keyChangedText_ = nullptr;
    std::shared_ptr<security::TlsContext> tls_;
    std::string contactKeyName_;
    bool keyIsChanged_ = false;
    QMap<QString, QWidget*> panelByPlugin_;
};

} // namespace charla::gui
