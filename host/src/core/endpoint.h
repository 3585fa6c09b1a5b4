// Parsing and checking what the user types: ports, "HOST[:PORT]", and this machine's addresses.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace charla::host {

// The port both sides use between two computers, as the assignment fixed it.
constexpr quint16 kDefaultPort = 5000;

// 1..65535, digits only. Sets *error to a readable reason otherwise.
std::optional<quint16> parsePort(const QString& text, QString* error);

struct HostPort {
    QString host;
    std::optional<quint16> port;
};
// "192.168.1.7", "alice-pc:5001", "localhost". Sets *error otherwise.
std::optional<HostPort> parseHostPort(const QString& text, QString* error);

// Resolves a host name or IPv4 literal to an IPv4 address (blocking: call it off the GUI thread
// or before any window exists). Sets *error ("unknown host 'x'") otherwise.
std::optional<QString> resolveIPv4(const QString& host, QString* error);

// This machine's IPv4 addresses, loopback excluded: what the contact should type.
QStringList localIPv4Addresses();

} // namespace charla::host
