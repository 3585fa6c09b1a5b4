#include "session_pair.h"

#include "ports.h"

#include <exception>
#include <tuple>

namespace charla::test {

using namespace std::chrono_literals;

host::SessionConfig loopbackConfig(std::uint16_t port, std::uint16_t peerPort, const QString& user,
                                   const QString& pluginDir) {
    host::SessionConfig config;
    config.listenAddress = "127.0.0.1";
    config.port = port;
    config.peer = host::PeerAddress{"127.0.0.1", peerPort};
    config.user = user;
    if (!pluginDir.isEmpty())
        config.pluginDirs = {pluginDir};
    config.pingInterval = 100ms;
    return config;
}

std::string SessionPair::start(const Make& make, bool bobFirst) {
    std::string lastError;
    for (int attempt = 0; attempt < 5; ++attempt) {
        std::tie(portA, portB) = reserveTwoPorts();
        a = make(portA, portB, QStringLiteral("alice"));
        b = make(portB, portA, QStringLiteral("bob"));
        try {
            (bobFirst ? b : a)->start();
            (bobFirst ? a : b)->start();
            return {};
        } catch (const std::exception& e) {
            lastError = e.what();
            reset();
        }
    }
    return lastError.empty() ? std::string("no attempt started") : lastError;
}

void SessionPair::reset() {
    b.reset();
    a.reset();
}

} // namespace charla::test
