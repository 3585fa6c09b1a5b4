// Follows the desktop's light/dark preference: the XDG desktop portal's setting
// org.freedesktop.appearance color-scheme (GNOME 42+, KDE Plasma 5.24+ and others serve it on the
// session bus), read once at start and followed when it changes. Asynchronous: the GUI thread
// never waits for the bus. Without a portal nothing changes (Qt's own palette).
#pragma once

#include <QDBusConnection>
#include <QObject>
#include <QPalette>

class QDBusMessage;

namespace charla::desktop {

class ColorScheme : public QObject {
    Q_OBJECT
public:
    explicit ColorScheme(QDBusConnection bus, QObject* parent = nullptr);
    // Asks the portal now and listens for changes.
    void follow();

signals:
    // The desktop prefers dark (true) or light / has no preference (false).
    void preferenceChanged(bool dark);

private slots:
    // SettingChanged(namespace, key, value): any setting of the desktop's; ours is picked out.
    void settingChanged(const QDBusMessage& message);

private:
    void take(const QVariant& value);

    QDBusConnection bus_;
};

// Fusion's colours for a dark desktop (Qt 6.4 has no dark palette of its own).
QPalette darkPalette();

} // namespace charla::desktop
