#include "core/peer_link.h"

#include "core/logging.h"

#include <charla/sdk/struct_reader.h>
#include <charla/sdk/version.h>

#include <map>

namespace charla::host {

namespace {

using Struct = std::map<std::string, xmlrpc_c::value>;

// The method table owner of host.ping and host.hello.
const std::string kOwner = "host.link";

// The plugins_serial of a host.ping or host.hello struct, or `fallback` when it has none.
int pluginsSerial(const xmlrpc_c::value& value, int fallback) {
    if (value.type() != xmlrpc_c::value::TYPE_STRUCT)
        return fallback;
    const Struct s = xmlrpc_c::value_struct(value);
    auto it = s.find("plugins_serial");
    if (it == s.end() || it->second.type() != xmlrpc_c::value::TYPE_INT)
        return fallback;
    return xmlrpc_c::value_int(it->second);
}

xmlrpc_c::value stringArray(const std::vector<std::string>& items) {
    std::vector<xmlrpc_c::value> out;
    for (const auto& i : items)
        out.push_back(xmlrpc_c::value_string(i));
    return xmlrpc_c::value_array(out);
}

sdk::PeerInfo readHello(const sdk::StructReader& hello) {
    sdk::PeerInfo info;
    info.app = hello.string("app");
    info.appVersion = hello.string("version");
    info.protocol = hello.integer("protocol");
    info.user = hello.string("user");
    for (const sdk::StructReader& p : hello.structures("plugins")) {
        sdk::PeerPlugin plugin;
        plugin.id = p.string("id");
        plugin.version = p.string("version");
        plugin.sends = p.strings("sends");
        plugin.receives = p.strings("receives");
        if (auto params = p.optionalStructure("params")) // optional: older peers may omit it
            for (const std::string& key : params->names())
                plugin.params[key] = params->string(key);
        info.plugins.push_back(std::move(plugin));
    }
    return info;
}

} // namespace

PeerLink::PeerLink(HostChannel& channel, std::string localUser, QObject* parent)
    : QObject(parent), channel_(channel), localUser_(std::move(localUser)) {
    sdk::MethodSpec ping;
    ping.name = "host.ping";
    ping.signature = "S:";
    ping.help = "Presence: answers {app, protocol, plugins_serial}.";
    ping.handler = [this](const xmlrpc_c::paramList& params) {
        params.verifyEnd(0);
        std::lock_guard lock(mutex_);
        return xmlrpc_c::value_struct(
            Struct{{"app", xmlrpc_c::value_string("Charla")},
                   {"protocol", xmlrpc_c::value_int(CHARLA_PROTOCOL_VERSION)},
                   {"plugins_serial", xmlrpc_c::value_int(localSerial_)}});
    };
    channel_.methods().add(kOwner, std::move(ping));

    sdk::MethodSpec hello;
    hello.name = "host.hello";
    hello.signature = "S:S";
    hello.help = "Exchange app, version, protocol, user and enabled plugins; returns ours.";
    hello.handler = [this](const xmlrpc_c::paramList& params) {
        sdk::PeerInfo info = readHello(sdk::StructReader::onlyParam(params, "host.hello"));
        {
            std::lock_guard lock(mutex_);
            peerSerial_ = pluginsSerial(params[0], 0);
        }
        qCInfo(lcPeer) << "hello from" << info.user.c_str() << "with" << info.plugins.size()
                       << "plugins";
        updatePeer([&](sdk::PeerInfo& peer) {
            info.online = true;
            info.introduced = true;
            peer = info;
        });
        wake_.notify_all(); // a new peer may not know us yet: the link thread checks
        return localHello();
    };
    channel_.methods().add(kOwner, std::move(hello));
}

PeerLink::~PeerLink() {
    stop();
    channel_.methods().removeOwner(kOwner);
}

void PeerLink::start(std::chrono::milliseconds pingInterval) {
    pingInterval_ = pingInterval;
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void PeerLink::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

void PeerLink::setLocalPlugins(std::vector<sdk::PeerPlugin> plugins) {
    {
        std::lock_guard lock(mutex_);
        localPlugins_ = std::move(plugins);
        ++localSerial_;
    }
    wake_.notify_all();
}

xmlrpc_c::value PeerLink::localHello() const {
    std::lock_guard lock(mutex_);
    std::vector<xmlrpc_c::value> plugins;
    for (const auto& p : localPlugins_) {
        Struct params;
        for (const auto& [key, value] : p.params)
            params[key] = xmlrpc_c::value_string(value);
        plugins.push_back(
            xmlrpc_c::value_struct(Struct{{"id", xmlrpc_c::value_string(p.id)},
                                          {"version", xmlrpc_c::value_string(p.version)},
                                          {"sends", stringArray(p.sends)},
                                          {"receives", stringArray(p.receives)},
                                          {"params", xmlrpc_c::value_struct(params)}}));
    }
    return xmlrpc_c::value_struct(Struct{{"app", xmlrpc_c::value_string("Charla")},
                                         {"version", xmlrpc_c::value_string(CHARLA_VERSION)},
                                         {"protocol", xmlrpc_c::value_int(CHARLA_PROTOCOL_VERSION)},
                                         {"user", xmlrpc_c::value_string(localUser_)},
                                         {"plugins_serial", xmlrpc_c::value_int(localSerial_)},
                                         {"plugins", xmlrpc_c::value_array(plugins)}});
}

sdk::PeerInfo PeerLink::parseHello(const xmlrpc_c::value& hello) {
    return readHello(sdk::StructReader(hello, "host.hello"));
}

void PeerLink::updatePeer(const std::function<void(sdk::PeerInfo&)>& change) {
    std::lock_guard lock(peerUpdateMutex_); // the link thread and hello handlers both update
    sdk::PeerInfo info = channel_.peer();
    change(info);
    channel_.setPeer(info);
    emit peerChanged(info);
}

void PeerLink::introduce(sdk::PeerStream& stream, int theirSerial, int serialToAnnounce,
                         std::chrono::milliseconds timeout) {
    {
        std::lock_guard lock(mutex_);
        attemptedSerial_ = serialToAnnounce;
    }
    std::string why;
    try {
        xmlrpc_c::paramList params;
        params.add(localHello());
        xmlrpc_c::value reply = stream.call("host.hello", params, timeout);
        sdk::PeerInfo info = parseHello(reply);
        const int replySerial = pluginsSerial(reply, theirSerial);
        {
            std::lock_guard lock(mutex_);
            announcedSerial_ = serialToAnnounce;
            peerSerial_ = replySerial;
        }
        info.online = true;
        info.introduced = true;
        updatePeer([&](sdk::PeerInfo& peer) { peer = info; });
        helloBackoff_.reset();
        helloRetryAt_ = {};
        return;
    } catch (const sdk::PeerCallError& e) {
        if (e.kind() == sdk::PeerCallError::Kind::Interrupted)
            throw;
        why = e.what();
    } catch (const xmlrpc_c::fault& f) { // parseHello: the contact's answer is malformed
        why = f.getDescription();
    } catch (const std::exception& e) { // e.g. our hello cannot be encoded
        why = e.what();
    }
    const auto delay = helloBackoff_.next();
    helloRetryAt_ = std::chrono::steady_clock::now() + delay;
    qCWarning(lcPeer).noquote() << "host.hello failed:" << QString::fromStdString(why)
                                << "- next try in" << delay.count() << "ms";
}

void PeerLink::run(std::stop_token stop) {
    auto stream = channel_.makeKeyingStream("host");
    std::stop_callback interruptOnStop(stop, [&] { stream->interrupt(); });
    const auto timeout = std::chrono::milliseconds(1500);
    // One lost ping is a glitch (a reset, a stall of a second or two), not a contact gone: ask
    // again soon and only show it offline (which ends a call) after a second miss in a row.
    constexpr int kMissesBeforeOffline = 2;
    constexpr auto kRetryAfterMiss = std::chrono::milliseconds(250);
    constexpr auto kRetryTimeout = std::chrono::milliseconds(1000); // a frozen contact: ~4 s
    bool online = false;
    int misses = 0;
    QString refusal; // what the contact's last answer refused, shown to the user
    auto setRefusal = [&](const QString& why) {
        if (why != refusal)
            emit refusalChanged(refusal = why);
    };
    while (!stop.stop_requested()) {
        bool nowOnline = false;
        try {
            xmlrpc_c::value pong = stream->call("host.ping", xmlrpc_c::paramList(),
                                                misses > 0 ? kRetryTimeout : timeout);
            nowOnline = true;
            setRefusal({});
            const int theirSerial = pluginsSerial(pong, -1);
            bool needHello;
            bool mayTry;
            int serialToAnnounce;
            {
                std::lock_guard lock(mutex_);
                needHello = !online || announcedSerial_ != localSerial_ ||
                            theirSerial != peerSerial_ || !channel_.peer().introduced;
                // A failed hello waits for its back-off, unless our plugin set changed since:
                // the new introduction may be one the contact can read.
                mayTry = attemptedSerial_ != localSerial_ ||
                         std::chrono::steady_clock::now() >= helloRetryAt_;
                serialToAnnounce = localSerial_;
            }
            if (needHello && mayTry)
                introduce(*stream, theirSerial, serialToAnnounce, timeout);
            else if (!channel_.peer().online)
                updatePeer([](sdk::PeerInfo& peer) { peer.online = true; });
        } catch (const sdk::PeerCallError& e) {
            if (e.kind() == sdk::PeerCallError::Kind::Interrupted)
                break;
            if (e.faultCode() == sdk::kFaultUnauthorized &&
                e.kind() == sdk::PeerCallError::Kind::BadResponse) {
                // Its answer is not signed with the secret (CurlPeerStream): nothing but pings
                // goes to it until one is.
                qCWarning(lcPeer) << "the contact's answers do not prove the secret:" << e.what();
                setRefusal(tr("The contact's answers do not prove the shared secret: the secrets "
                              "differ (or only one of you set one), or someone between you "
                              "answers in its place. Nothing but presence checks is sent to it."));
            } else if (e.faultCode() == sdk::kFaultUnauthorized) {
                qCWarning(lcPeer) << "the contact refuses us:" << e.what();
                // Over TLS the signature is bound to the connection: a relay in between (a
                // man-in-the-middle at first contact) is refused the same way.
                setRefusal(channel_.encrypted()
                               ? tr("The contact refuses our calls: the shared secrets differ "
                                    "(or only one of you set one), or someone between you "
                                    "relays the connection.")
                               : tr("The contact refuses our calls: the shared secrets differ "
                                    "(or only one of you set one)."));
            } else if (e.faultCode() == sdk::kFaultForbidden) {
                qCWarning(lcPeer) << "the contact refuses us:" << e.what();
                setRefusal(tr("The contact refuses our address: it expects its contact at "
                              "another IP address."));
            } else if (const std::string why = channel_.keyRefusal(); !why.empty()) {
                qCWarning(lcPeer) << "the contact's key is refused:" << e.what();
                setRefusal(QString::fromStdString(why));
            } else {
                qCDebug(lcPeer) << "peer not answering:" << e.what();
                setRefusal({}); // gone or silent: "offline" says it
            }
        } catch (const std::exception& e) {
            qCWarning(lcPeer) << "presence check failed:" << e.what();
        }
        misses = nowOnline ? 0 : std::min(misses + 1, kMissesBeforeOffline);
        const bool graceMiss = online && !nowOnline && misses < kMissesBeforeOffline;
        if (graceMiss) {
            qCDebug(lcPeer) << "missed a ping; asking again before showing the contact offline";
            nowOnline = true;
        }
        // Compare with what is shown too: an incoming host.hello can mark the contact online
        // before any ping of ours succeeded, and it must still go offline when pings fail.
        const bool shown = channel_.peer().online;
        if (online != nowOnline || shown != nowOnline) {
            if (online != nowOnline || !nowOnline)
                qCInfo(lcPeer) << "contact" << channel_.peerAddress().display().c_str()
                               << (nowOnline ? "online" : "offline");
            if (!nowOnline) {
                std::lock_guard lock(mutex_);
                announcedSerial_ = 0; // introduce ourselves again when it comes back
            }
            if (shown != nowOnline)
                updatePeer([&](sdk::PeerInfo& peer) { peer.online = nowOnline; });
        }
        online = nowOnline;
        // Wake early only for a plugin set that was not tried yet: waking for one that failed
        // to announce is what made the link spin when every hello failed.
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, stop, graceMiss ? kRetryAfterMiss : pingInterval_,
                       [&] { return attemptedSerial_ != localSerial_ && online; });
    }
}

} // namespace charla::host
