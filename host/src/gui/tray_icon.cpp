#include "gui/tray_icon.h"

#include <QAction>
#include <QFont>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QSystemTrayIcon>

namespace charla::gui {

TrayIcon::TrayIcon(QObject* parent) : QObject(parent) {
    menu_ = new QMenu;
    auto* show = menu_->addAction(tr("Show Charla"));
    show->setObjectName("trayShowAction");
    connect(show, &QAction::triggered, this, &TrayIcon::restoreRequested);
    auto* quit = menu_->addAction(tr("Quit Charla"));
    quit->setObjectName("trayQuitAction");
    connect(quit, &QAction::triggered, this, &TrayIcon::quitRequested);
    icon_ = new QSystemTrayIcon(this);
    icon_->setContextMenu(menu_);
    connect(icon_, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
        if (r == QSystemTrayIcon::Trigger || r == QSystemTrayIcon::DoubleClick)
            emit restoreRequested();
    });
    update();
    icon_->show();
}

TrayIcon::~TrayIcon() {
    delete icon_; // before the menu it points to
    delete menu_;
}

void TrayIcon::setContactName(const QString& name) {
    contactName_ = name;
    update();
}

void TrayIcon::setUnread(int count) {
    if (count == unread_)
        return;
    unread_ = count;
    update();
}

QString TrayIcon::toolTip() const {
    return icon_->toolTip();
}

bool TrayIcon::isVisible() const {
    return icon_->isVisible();
}

void TrayIcon::update() {
    const QString title =
        contactName_.isEmpty() ? tr("Charla") : tr("Charla — %1").arg(contactName_);
    icon_->setToolTip(unread_ > 0 ? tr("%1: %n unread message(s)", nullptr, unread_).arg(title)
                                  : title);
    icon_->setIcon(iconFor(unread_));
}

QIcon TrayIcon::iconFor(int count) {
    // Drawn, not loaded: the SVG in resources/ would need Qt's SVG module for a 22 px picture.
    QIcon icon;
    for (const int size : {16, 22, 32, 48, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        // A speech bubble in Charla's blue.
        const qreal s = size;
        QPainterPath bubble;
        bubble.addRoundedRect(QRectF(s * 0.04, s * 0.08, s * 0.92, s * 0.68), s * 0.18, s * 0.18);
        QPainterPath tail;
        tail.moveTo(s * 0.22, s * 0.70);
        tail.lineTo(s * 0.16, s * 0.96);
        tail.lineTo(s * 0.46, s * 0.72);
        p.fillPath(bubble.united(tail), QColor(0x15, 0x65, 0xc0));
        if (count > 0) {
            const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
            const QRectF badge(s * 0.40, 0, s * 0.60, s * 0.60);
            p.setBrush(QColor(0xc6, 0x28, 0x28));
            p.setPen(QPen(Qt::white, std::max(1.0, s / 32)));
            p.drawEllipse(badge);
            QFont font = p.font();
            font.setBold(true);
            font.setPixelSize(std::max(6, static_cast<int>(s * (text.size() > 2 ? 0.24 : 0.36))));
            p.setFont(font);
            p.setPen(Qt::white);
            p.drawText(badge, Qt::AlignCenter, text);
        }
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace charla::gui
