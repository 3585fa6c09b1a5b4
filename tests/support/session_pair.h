// Two hosts (host::Session) talking over loopback, for the suites that test what goes between
// them: each must know the other's port before either starts.
#pragma once

#include "core/session.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace charla::test {

// A test Session's configuration: listening on 127.0.0.1:port (0: any free port), its contact at
// 127.0.0.1:peerPort, pinging every 100 ms, loading the plugins found in `pluginDir` (none if
// empty), TLS with its own key (securityDirFor).
// Where a test session on `port` keeps its key and known peers: a directory of this process's own
// (removed at exit), the same for the same port.
QString securityDirFor(std::uint16_t port);

// A stream to the Charla on 127.0.0.1:port as its contact would open it: TLS 1.3 presenting the
// key kept in `contactSecurityDir` (made there if there is none yet).
std::unique_ptr<host::CurlPeerStream>
streamAs(std::uint16_t port, const QString& contactSecurityDir, const std::string& name = "test");
// The same for a session made with loopbackConfig(port, peerPort, ...): as its contact at
// peerPort. Plain HTTP to a port loopbackConfig did not make (a bare RpcServer, ...).
std::unique_ptr<host::CurlPeerStream> contactStream(std::uint16_t port,
                                                    const std::string& name = "test");

host::SessionConfig loopbackConfig(std::uint16_t port, std::uint16_t peerPort, const QString& user,
                                   const QString& pluginDir = {});

// Alice (a, listening on portA) and Bob (b, on portB), each the other's contact.
struct SessionPair {
    using Make = std::function<std::unique_ptr<host::Session>(
        std::uint16_t port, std::uint16_t peerPort, const QString& user)>;

    // Makes both with `make` ("alice", "bob") and starts them, Bob first if asked; on two other
    // ports again if one was taken in between. Returns "" or, with a and b null, the last error.
    std::string start(const Make& make, bool bobFirst = false);
    // Bob first, then Alice (also after a failed test).
    void reset();

    std::uint16_t portA = 0, portB = 0;
    std::unique_ptr<host::Session> a, b;
};

} // namespace charla::test
