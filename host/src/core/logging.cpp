#include "core/logging.h"

Q_LOGGING_CATEGORY(lcChannel, "charla.channel", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDatagram, "charla.datagram", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPeer, "charla.peer", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPlugins, "charla.plugins", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSecurity, "charla.security", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGui, "charla.gui", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDesktop, "charla.desktop", QtInfoMsg)
