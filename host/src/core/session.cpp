#include "core/session.h"

#include "core/logging.h"
#include "security/tls.h"

#include <QDir>
#include <QElapsedTimer>
#include <QStandardPaths>

namespace charla::host {

Session::Session(SessionConfig config, QObject* parent)
    : QObject(parent), config_(std::move(config)) {
    qRegisterMetaType<charla::sdk::PeerInfo>("charla::sdk::PeerInfo");
    channel_.setPeerAddress(config_.peer);
    channel_.setSecret(config_.secret);
    if (!config_.plaintext)
        setUpTls();
    link_ = std::make_unique<PeerLink>(channel_, config_.user.toStdString());
    plugins_ = std::make_unique<PluginManager>(channel_, config_.user.toStdString());
    plugins_->setPluginOptions(config_.pluginOptions);
    plugins_->setCrashGuardPath(config_.crashGuardPath);
    // peerChanged comes from the link's and the server's threads: queue it to this thread.
    connect(link_.get(), &PeerLink::peerChanged, this, &Session::peerChanged, Qt::QueuedConnection);
    connect(link_.get(), &PeerLink::refusalChanged, this, &Session::refusalChanged,
            Qt::QueuedConnection);
    connect(this, &Session::peerChanged, plugins_.get(), &PluginManager::notifyPeerChanged);
    calls_ = std::make_unique<CallManager>(channel_);
    connect(this, &Session::peerChanged, calls_.get(), &CallManager::peerChanged);
    plugins_->setCallSource([calls = calls_.get()] { return calls->call(); });
    connect(calls_.get(), &CallManager::callChanged, plugins_.get(),
            [this](const sdk::CallInfo& call) { plugins_->notifyCallChanged(call); });
    connect(calls_.get(), &CallManager::callEnded, plugins_.get(),
            [this](const sdk::CallRecord& record) { plugins_->notifyCallEnded(record); });
    connect(plugins_.get(), &PluginManager::pluginsChanged, this,
            [this] { link_->setLocalPlugins(plugins_->enabledCapabilities()); });
}

void Session::setUpTls() {
    // Before anything makes a stream (the call signalling makes its own at construction).
    // No key, no connection: an unusable key or known_peers file stops start() with its reason
    // instead of falling back to plain HTTP.
    const QString dir =
        !config_.securityDir.isEmpty()
            ? config_.securityDir
            : QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
                  .filePath(QStringLiteral("charla"));
    QString error;
    auto identity = security::Identity::loadOrCreate(dir, &error);
    if (!identity) {
        tlsError_ = "cannot use this installation's key: " + error.toStdString();
        return;
    }
    auto trust =
        security::TrustStore::load(QDir(dir).filePath(QStringLiteral("known_peers")), &error);
    if (!trust) {
        tlsError_ = "cannot read the contacts' keys: " + error.toStdString();
        return;
    }
    try {
        channel_.setTls(
            std::make_shared<security::TlsContext>(std::move(*identity), std::move(*trust)));
    } catch (const std::runtime_error& e) {
        tlsError_ = e.what();
    }
}

Session::~Session() {
    stop();
}

void Session::start() {
    if (!tlsError_.empty())
        throw StartError(tlsError_);
    channel_.listen(config_.listenAddress.toStdString(), config_.port, [this] {
        plugins_->discover(config_.pluginDirs, config_.disabledPlugins);
        plugins_->enableDiscovered();
    });
    link_->setLocalPlugins(plugins_->enabledCapabilities());
    link_->start(config_.pingInterval);
    started_ = true;
    qCInfo(lcChannel).noquote() << "listening on" << config_.listenAddress << "port"
                                << channel_.port() << "; contact" << config_.peer.display().c_str()
                                << (config_.plaintext ? "(plain HTTP, NOT ENCRYPTED: "
                                                        "--allow-plaintext)"
                                                      : "(TLS 1.3)");
}

void Session::stop() {
    if (!started_)
        return;
    started_ = false;
    // Each step timed: closing Charla must be quick, and this says which part is not.
    QElapsedTimer step;
    step.start();
    link_->stop();
    const qint64 link = step.restart();
    calls_->hangUp();
    const qint64 call = step.restart();
    plugins_->disableAll();
    const qint64 plugins = step.restart();
    channel_.stopListening();
    const qint64 server = step.elapsed();
    qCInfo(lcChannel).nospace() << "session stopped in " << link + call + plugins + server
                                << " ms (link " << link << ", call " << call << ", plugins "
                                << plugins << ", server " << server << ")";
}

} // namespace charla::host
