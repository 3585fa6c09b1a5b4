#include "desktop/desktop_notifier.h"

#include "core/logging.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QVariantMap>

namespace charla::desktop {

namespace {

const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
constexpr int kMaxBody = 200;

// The specification's urgency levels (a byte) and categories.
constexpr uchar kNormal = 1;
constexpr uchar kCritical = 2;

} // namespace

DesktopNotifier::DesktopNotifier(QDBusConnection bus, QObject* parent)
    : QObject(parent), bus_(std::move(bus)) {}

void DesktopNotifier::show(Kind kind, const QString& tag, const QString& title,
                           const QString& body) {
    if (!bus_.isConnected()) {
        if (!failureLogged_)
            qCInfo(lcDesktop) << "no session bus: notifications are not shown";
        failureLogged_ = true;
        return;
    }
    QString text = body.left(kMaxBody);
    if (body.size() > kMaxBody)
        text += QChar(0x2026);
    const bool call = kind == Kind::IncomingCall;
    QVariantMap hints{
        {QStringLiteral("urgency"), QVariant::fromValue(call ? kCritical : kNormal)},
        {QStringLiteral("category"),
         call ? QStringLiteral("call.incoming") : QStringLiteral("im.received")},
        {QStringLiteral("desktop-entry"), QStringLiteral("charla")},
    };
    QDBusMessage notify =
        QDBusMessage::createMethodCall(kService, kPath, kService, QStringLiteral("Notify"));
    // Servers that support markup read the body as it; escaped, a message shows as typed.
    notify << QStringLiteral("Charla") << ids_.value(tag, 0u) << QStringLiteral("charla") << title
           << text.toHtmlEscaped() << QStringList() << hints
           << (call ? 0 : -1); // a ringing call stays until answered; messages as the desktop likes
    auto* watcher = new QDBusPendingCallWatcher(bus_.asyncCall(notify), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, tag](auto* w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            if (!failureLogged_)
                qCInfo(lcDesktop).noquote()
                    << "the desktop shows no notifications:" << reply.error().message();
            failureLogged_ = true;
            return;
        }
        ids_.insert(tag, reply.value());
        emit shown(tag, reply.value());
    });
}

void DesktopNotifier::withdraw(const QString& tag) {
    const auto it = ids_.constFind(tag);
    if (it == ids_.cend() || !bus_.isConnected())
        return;
    QDBusMessage close = QDBusMessage::createMethodCall(kService, kPath, kService,
                                                        QStringLiteral("CloseNotification"));
    close << it.value();
    bus_.asyncCall(close); // nothing to wait for: a bubble already gone is fine
    ids_.erase(it);
}

} // namespace charla::desktop
