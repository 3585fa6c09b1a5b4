// Notifications through the desktop's notification service (org.freedesktop.Notifications on
// the session bus, as GNOME, KDE, XFCE and dunst serve it). Every call is asynchronous: the GUI
// thread never waits for the bus. Without a bus or a service the notice is dropped and the
// reason logged once (charla.desktop); the window title still counts what was missed.
#pragma once

#include <QDBusConnection>
#include <QHash>
#include <QObject>
#include <QString>

namespace charla::desktop {

class DesktopNotifier : public QObject {
    Q_OBJECT
public:
    enum class Kind { Message, IncomingCall };

    explicit DesktopNotifier(QDBusConnection bus, QObject* parent = nullptr);

    // Shows `title` (who) and `body` (plain text, cut to 200 characters). A notice of the same
    // `tag` replaces the one before (one bubble per conversation, not a pile).
    void show(Kind kind, const QString& tag, const QString& title, const QString& body);
    // Takes back the bubble of `tag` (the user came to the window, the call was answered).
    void withdraw(const QString& tag);

signals:
    // The service answered (tests; the id is what withdraw() closes).
    void shown(const QString& tag, uint id);

private:
    QDBusConnection bus_;
    QHash<QString, uint> ids_; // tag -> the service's id of its bubble
    bool failureLogged_ = false;
};

} // namespace charla::desktop
