#include "core/endpoint.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QNetworkInterface>
#include <QRegularExpression>

namespace charla::host {

std::optional<quint16> parsePort(const QString& text, QString* error) {
    const QString t = text.trimmed();
    static const QRegularExpression digits("^[0-9]{1,5}$");
    if (!digits.match(t).hasMatch() || t.toInt() < 1 || t.toInt() > 65535) {
        if (error)
            *error =
                QStringLiteral("invalid port '%1': expected a number from 1 to 65535").arg(text);
        return std::nullopt;
    }
    return static_cast<quint16>(t.toInt());
}

std::optional<HostPort> parseHostPort(const QString& text, QString* error) {
    const QString t = text.trimmed();
    HostPort out;
    const int colon = t.lastIndexOf(':');
    if (colon >= 0) {
        out.host = t.left(colon);
        auto port = parsePort(t.mid(colon + 1), error);
        if (!port)
            return std::nullopt;
        out.port = port;
    } else {
        out.host = t;
    }
    static const QRegularExpression hostName("^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$");
    if (out.host.isEmpty() || !hostName.match(out.host).hasMatch()) {
        if (error)
            *error = QStringLiteral("invalid contact address '%1': expected an IPv4 address or "
                                    "host name, optionally followed by :PORT")
                         .arg(text);
        return std::nullopt;
    }
    return out;
}

std::optional<QString> resolveIPv4(const QString& host, QString* error) {
    QHostAddress literal;
    if (literal.setAddress(host) && literal.protocol() == QAbstractSocket::IPv4Protocol)
        return literal.toString();
    const QHostInfo info = QHostInfo::fromName(host);
    for (const QHostAddress& a : info.addresses())
        if (a.protocol() == QAbstractSocket::IPv4Protocol)
            return a.toString();
    if (error)
        *error =
            QStringLiteral("unknown host '%1'%2")
                .arg(host, info.error() == QHostInfo::NoError ? QStringLiteral(": no IPv4 address")
                                                              : ": " + info.errorString());
    return std::nullopt;
}

QStringList localIPv4Addresses() {
    QStringList out;
    for (const QHostAddress& a : QNetworkInterface::allAddresses())
        if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback())
            out << a.toString();
    return out;
}

} // namespace charla::host
