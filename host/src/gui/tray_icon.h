// Charla in the desktop's tray (QSystemTrayIcon: the StatusNotifierItem of KDE, GNOME with the
// AppIndicator extension, XFCE; the X11 tray elsewhere): the icon shows the unread count, a click
// brings the chat window back. Only made where QSystemTrayIcon::isSystemTrayAvailable().
#pragma once

#include <QIcon>
#include <QObject>
#include <QString>

class QMenu;
class QSystemTrayIcon;

namespace charla::gui {

class TrayIcon : public QObject {
    Q_OBJECT
public:
    explicit TrayIcon(QObject* parent = nullptr);
    ~TrayIcon() override;

    void setContactName(const QString& name);
    // The chat window's unread count: a badge on the icon and "N unread messages" in the tooltip.
    void setUnread(int count);
    int unread() const { return unread_; }
    QString toolTip() const;
    bool isVisible() const;

    // Charla's icon with `count` in a red badge (none for 0): what the tray shows.
    static QIcon iconFor(int count);

signals:
    // A click on the icon, or "Show Charla" in its menu.
    void restoreRequested();
    void quitRequested();

private:
    void update();

    QSystemTrayIcon* icon_ = nullptr;
    QMenu* menu_ = nullptr;
    QString contactName_;
    int unread_ = 0;
};

} // namespace charla::gui
