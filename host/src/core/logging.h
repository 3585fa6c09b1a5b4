// Qt logging categories, one per part, so a user can turn on exactly what they need, e.g.
// QT_LOGGING_RULES="charla.channel.debug=true;charla.peer.debug=true".
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcChannel)  // charla.channel: server, dispatch, streams, workers
Q_DECLARE_LOGGING_CATEGORY(lcDatagram) // charla.datagram: the UDP media socket, drops
Q_DECLARE_LOGGING_CATEGORY(lcPeer)     // charla.peer: presence (host.ping) and host.hello
Q_DECLARE_LOGGING_CATEGORY(lcPlugins)  // charla.plugins: discovery, refusal, enable/disable
Q_DECLARE_LOGGING_CATEGORY(lcSecurity) // charla.security: identity keys, known peers
Q_DECLARE_LOGGING_CATEGORY(lcGui)      // charla.gui: windows
Q_DECLARE_LOGGING_CATEGORY(lcDesktop)  // charla.desktop: notifications
