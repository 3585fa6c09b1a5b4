#include "session_pair.h"

#include "ports.h"

#include "security/tls.h"

#include <QDir>
#include <QTemporaryDir>

#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <tuple>

namespace charla::test {

using namespace std::chrono_literals;

namespace {

std::mutex registryMutex;
std::map<std::uint16_t, std::uint16_t> contactPorts; // loopbackConfig: port -> its contact's port

} // namespace

QString securityDirFor(std::uint16_t port) {
    // One installation per port, for this process only: a session restarted on its port keeps
    // its key (as a restarted Charla does), and a test's probe can present the key of the
    // contact at a port; tests running at once share nothing.
    static QTemporaryDir root(QDir::temp().filePath(QStringLiteral("charla-test-keys-XXXXXX")));
    static std::atomic<int> anyPort{0};
    const QString name =
        port != 0 ? QStringLiteral("port-%1").arg(port) : QStringLiteral("any-%1").arg(++anyPort);
    return QDir(root.path()).filePath(name);
}

std::unique_ptr<host::CurlPeerStream>
streamAs(std::uint16_t port, const QString& contactSecurityDir, const std::string& name) {
    static std::mutex mutex;
    static std::map<QString, std::shared_ptr<security::TlsContext>> contexts;
    std::shared_ptr<security::TlsContext> tls;
    {
        std::lock_guard lock(mutex);
        auto& cached = contexts[contactSecurityDir];
        if (!cached) {
            QString error;
            auto identity = security::Identity::loadOrCreate(contactSecurityDir, &error);
            auto trust = security::TrustStore::load(
                QDir(contactSecurityDir).filePath(QStringLiteral("known_peers.probe")), &error);
            if (!identity || !trust)
                throw std::runtime_error("test probe: " + error.toStdString());
            cached =
                std::make_shared<security::TlsContext>(std::move(*identity), std::move(*trust));
        }
        tls = cached;
    }
    const host::PeerAddress address{"127.0.0.1", port};
    return std::make_unique<host::CurlPeerStream>(name, address.url(true), std::string(), tls,
                                                  address.display());
}

std::unique_ptr<host::CurlPeerStream> contactStream(std::uint16_t port, const std::string& name) {
    std::optional<std::uint16_t> contact;
    {
        std::lock_guard lock(registryMutex);
        if (auto it = contactPorts.find(port); it != contactPorts.end())
            contact = it->second;
    }
    if (!contact)
        return std::make_unique<host::CurlPeerStream>(
            name, host::PeerAddress{"127.0.0.1", port}.url(false));
    return streamAs(port, securityDirFor(*contact), name);
}

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
    config.securityDir = securityDirFor(port);
    if (port != 0) {
        std::lock_guard lock(registryMutex);
        contactPorts[port] = peerPort;
    }
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
