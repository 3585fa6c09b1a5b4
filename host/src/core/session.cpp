#include "core/session.h"

#include "core/logging.h"

#include <QElapsedTimer>

namespace charla::host {

Session::Session(SessionConfig config, QObject* parent)
    : QObject(parent), config_(std::move(config)) {
    qRegisterMetaType<charla::sdk::PeerInfo>("charla::sdk::PeerInfo");
    channel_.setPeerAddress(config_.peer);
    channel_.setSecret(config_.secret);
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
    connect(plugins_.get(), &PluginManager::pluginsChanged, this,
            [this] { link_->setLocalPlugins(plugins_->enabledCapabilities()); });
}

Session::~Session() {
    stop();
}

void Session::start() {
    channel_.listen(config_.listenAddress.toStdString(), config_.port, [this] {
        plugins_->discover(config_.pluginDirs, config_.disabledPlugins);
        plugins_->enableDiscovered();
    });
    link_->setLocalPlugins(plugins_->enabledCapabilities());
    link_->start(config_.pingInterval);
    started_ = true;
    qCInfo(lcChannel).noquote() << "listening on" << config_.listenAddress << "port"
                                << channel_.port() << "; contact" << config_.peer.display().c_str();
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
