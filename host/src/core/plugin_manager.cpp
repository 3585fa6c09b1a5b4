#include "core/plugin_manager.h"

#include "core/logging.h"
#include "core/plugin_context.h"
#include "core/plugin_loader.h"
#include "core/wire_text.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <stdexcept>

namespace charla::host {

// One enabled plugin. Members are destroyed in reverse order: plugin, context, scope.
struct PluginManager::Running {
    std::shared_ptr<const LoadedLibrary> loaded; // the code outlives the instance
    std::unique_ptr<PluginScope> scope;
    std::unique_ptr<PluginContext> context;
    std::unique_ptr<sdk::Plugin> plugin;
};

PluginManager::PluginManager(HostChannel& channel, std::string localUser, QObject* parent)
    : QObject(parent), channel_(channel), localUser_(std::move(localUser)) {
    // A plugin whose method throws is failed and disabled; the caller already got a fault.
    // Queued: disabling waits for the calls inside the plugin's methods, this one included.
    // fail() ignores owners that are not plugins ("host", "host.call").
    channel_.methods().setFailureHandler([this](const std::string& owner, const std::string& what) {
        failLater(QString::fromStdString(owner), QString::fromStdString(what));
    });
}

PluginManager::~PluginManager() {
    channel_.methods().setFailureHandler({});
    disableAll();
}

PluginRecord* PluginManager::findRecord(const QString& id) {
    for (auto& r : records_)
        if (!r.manifest.id.isEmpty() && r.manifest.id == id)
            return &r;
    return nullptr;
}

const PluginRecord* PluginManager::find(const QString& id) const {
    return const_cast<PluginManager*>(this)->findRecord(id);
}

void PluginManager::addRecord(PluginRecord record) {
    if (record.state == PluginState::Refused)
        qCWarning(lcPlugins).noquote()
            << "refused plugin" << record.displayId << "(" + record.path + "):" << record.reason;
    else
        qCDebug(lcPlugins).noquote() << "found plugin" << record.displayId << "at" << record.path;
    records_.push_back(std::move(record));
}

void PluginManager::discover(const QStringList& dirs, const QSet<QString>& disabledIds) {
    for (PluginRecord& record : scanPlugins(dirs, disabledIds)) {
        // The catalog sees one scan; an id found by an earlier discover() is a duplicate too.
        if (const PluginRecord* first = findRecord(record.manifest.id)) {
            record.state = PluginState::Refused;
            record.reason = QStringLiteral("duplicate id '%1', already provided by %2")
                                .arg(record.manifest.id, first->path);
            record.manifest.id.clear();
        }
        addRecord(std::move(record));
    }
    if (PluginRecord* record = findRecord(crashGuard_.takeLeftover());
        record && record->state == PluginState::Disabled) {
        moveTo(*record, PluginState::Failed,
               QStringLiteral("Charla stopped while loading this plugin twice in a row; enable "
                              "it to try again"));
    }
    emit pluginsChanged();
}

bool PluginManager::canMove(PluginState from, PluginState to) {
    switch (from) {
    case PluginState::Disabled:
        return true; // enabled, failed, refused by the loader, or a new reason to stay off
    case PluginState::Enabled:
        return to == PluginState::Disabled || to == PluginState::Failed;
    case PluginState::Failed:
        return to != PluginState::Disabled; // retried: enabled, failed again or refused
    case PluginState::Refused:
        return false; // final: its id is gone
    }
    return false;
}

void PluginManager::moveTo(PluginRecord& record, PluginState to, const QString& reason) {
    if (!canMove(record.state, to)) {
        qCCritical(lcPlugins).noquote() << "plugin" << record.displayId << "cannot go from"
                                        << toString(record.state) << "to" << toString(to);
        return;
    }
    qCDebug(lcPlugins).noquote() << "plugin" << record.displayId << toString(record.state) << "->"
                                 << toString(to) << reason;
    record.state = to;
    record.reason = reason;
}

// A refused record is never enabled or matched by id again; a failed one may be retried.
void PluginManager::applyVerdict(PluginRecord& record, const LoadedLibrary& loaded) {
    moveTo(record, loaded.verdict, loaded.reason);
    if (loaded.verdict == PluginState::Refused)
        record.manifest.id.clear();
}

void PluginManager::checkLibraries() {
    for (auto& r : records_)
        if (r.state == PluginState::Disabled && r.reason.isEmpty())
            if (auto loaded = loadPluginLibrary(r.manifest);
                loaded->verdict != PluginState::Enabled)
                applyVerdict(r, *loaded);
    emit pluginsChanged();
}

void PluginManager::enableDiscovered() {
    bool changed = false;
    for (auto& r : records_) {
        if (r.state == PluginState::Disabled && r.reason.isEmpty()) {
            QString error;
            enable(r, &error);
            changed = true;
        }
    }
    if (changed)
        emit pluginsChanged();
}

bool PluginManager::setEnabled(const QString& id, bool enabled, QString* error) {
    PluginRecord* record = findRecord(id);
    if (!record) {
        if (error)
            *error = QStringLiteral("no usable plugin with id '%1'").arg(id);
        return false;
    }
    if (enabled == (record->state == PluginState::Enabled))
        return true;
    bool ok = true;
    if (enabled) {
        ok = enable(*record, error);
    } else {
        disable(*record);
        moveTo(*record, PluginState::Disabled, QStringLiteral("disabled by the user"));
    }
    emit pluginsChanged();
    return ok;
}

void PluginManager::disableAll() {
    bool changed = false;
    for (auto& r : records_)
        if (r.state == PluginState::Enabled) {
            disable(r);
            changed = true;
        }
    if (changed)
        emit pluginsChanged();
}

bool PluginManager::enable(PluginRecord& record, QString* error) {
    const QString id = record.manifest.id;
    const CrashGuard::Armed guard = crashGuard_.arm(id);
    auto failWith = [&](const QString& why) {
        moveTo(record, PluginState::Failed, why);
        qCWarning(lcPlugins).noquote() << "plugin" << id << "failed:" << why;
        if (error)
            *error = why;
        return false;
    };

    std::shared_ptr<const LoadedLibrary> loaded = loadPluginLibrary(record.manifest);
    if (loaded->verdict != PluginState::Enabled) {
        applyVerdict(record, *loaded); // logged by the loader
        if (error)
            *error = record.reason;
        return false;
    }

    auto running = std::make_unique<Running>();
    running->loaded = loaded;
    running->scope = channel_.createScope(id.toStdString());
    running->context =
        std::make_unique<PluginContext>(*this, *running->scope, id.toStdString(),
                                        [this, id](const QString& why) { failLater(id, why); });
    try {
        running->plugin.reset(loaded->create());
        if (!running->plugin)
            return failWith(QStringLiteral("its factory returned no plugin"));
        running->plugin->initialize(*running->context);
        running->scope->closeRegistration();
        running->scope->publishMethods();
        starting_ = id;
        startFailure_.clear();
        emit pluginStarting(id, running->plugin.get());
        starting_.clear();
        if (!startFailure_.isEmpty()) {
            abandon(*running, id);
            return failWith(startFailure_);
        }
        running->plugin->start();
    } catch (const std::exception& e) {
        starting_.clear();
        abandon(*running, id);
        return failWith(
            QStringLiteral("failed to start: %1").arg(QString::fromLocal8Bit(e.what())));
    } catch (...) {
        starting_.clear();
        abandon(*running, id);
        return failWith(QStringLiteral("failed to start: unknown exception"));
    }
    running->scope->setFailureHandler(
        [this, id](const std::string& what) { failLater(id, QString::fromStdString(what)); });
    running->scope->startWorkers();
    // The first notifications belong to enabling: a plugin that throws here never runs.
    QString hookError = callHook(*running->plugin, "peerChanged",
                                 [&](sdk::Plugin& plugin) { plugin.peerChanged(channel_.peer()); });
    if (const sdk::CallInfo now = call();
        hookError.isEmpty() && now.state != sdk::CallInfo::State::Idle)
        hookError = callHook(*running->plugin, "callChanged",
                             [&](sdk::Plugin& plugin) { plugin.callChanged(now); });
    if (!hookError.isEmpty()) {
        stopRunning(*running, id);
        return failWith(hookError);
    }
    running_[id] = std::move(running);
    moveTo(record, PluginState::Enabled, {});
    qCInfo(lcPlugins).noquote() << "enabled plugin" << id << record.manifest.version;
    return true;
}

void PluginManager::disable(PluginRecord& record) {
    const QString id = record.manifest.id;
    auto it = running_.find(id);
    if (it == running_.end())
        return;
    std::unique_ptr<Running> running = std::move(it->second);
    running_.erase(it);
    stopRunning(*running, id);
    moveTo(record, PluginState::Disabled, record.reason);
    qCInfo(lcPlugins).noquote() << "disabled plugin" << id;
}

// Stops a started plugin: no new calls, stop(), workers joined, then everything it left.
void PluginManager::stopRunning(Running& running, const QString& id) {
    running.scope->removeMethods();
    try {
        running.plugin->stop();
    } catch (const std::exception& e) {
        qCWarning(lcPlugins).noquote() << "plugin" << id << "failed to stop:" << e.what();
    } catch (...) {
        qCWarning(lcPlugins).noquote() << "plugin" << id << "failed to stop";
    }
    running.scope->stopWorkers();
    abandon(running, id);
}

// Queued because the callers are iterating the running plugins (or are inside one of its
// calls); disabling now would pull the plugin out from under them.
void PluginManager::failLater(const QString& id, const QString& reason) {
    QMetaObject::invokeMethod(
        this, [this, id, reason] { fail(id, reason); }, Qt::QueuedConnection);
}

QString PluginManager::callHook(sdk::Plugin& plugin, const char* hook,
                                const std::function<void(sdk::Plugin&)>& call) {
    try {
        call(plugin);
        return {};
    } catch (const std::exception& e) {
        return QStringLiteral("failed in %1: %2")
            .arg(QLatin1String(hook), QString::fromLocal8Bit(e.what()));
    } catch (...) {
        return QStringLiteral("failed in %1: unknown exception").arg(QLatin1String(hook));
    }
}

void PluginManager::fail(const QString& id, const QString& reason) {
    PluginRecord* record = findRecord(id);
    if (!record || record->state != PluginState::Enabled)
        return;
    disable(*record);
    moveTo(*record, PluginState::Failed, reason);
    qCWarning(lcPlugins).noquote() << "plugin" << id << "failed and was disabled:" << reason;
    emit pluginsChanged();
}

// Undoes a plugin's presence: methods, what hangs on it (its panels), the instance. Its workers
// are stopped already.
void PluginManager::abandon(Running& running, const QString& id) {
    running.scope->removeMethods();
    emit pluginStopping(id);
    running.context->close();
    running.plugin.reset();
    announcements_.erase(id);
}

sdk::Plugin* PluginManager::instance(const QString& id) const {
    auto it = running_.find(id);
    return it == running_.end() ? nullptr : it->second->plugin.get();
}

QStringList PluginManager::enabledIds() const {
    QStringList ids;
    for (const auto& entry : running_)
        ids << entry.first;
    return ids;
}

void PluginManager::failPlugin(const QString& id, const QString& reason) {
    if (!starting_.isEmpty() && id == starting_) {
        if (startFailure_.isEmpty())
            startFailure_ = reason;
        return;
    }
    failLater(id, reason);
}

namespace {

// Refuses (std::invalid_argument) an announcement the contact could not read: host.hello carries
// it, and one value that does not survive XML-RPC would break presence for both sides.
void checkSendable(const sdk::Announcement& announcement) {
    constexpr std::size_t kMaxParams = 32, kMaxKeyBytes = 64, kMaxValueBytes = 1024;
    auto check = [](const std::string& text, const std::string& what, std::size_t maxBytes) {
        if (text.size() > maxBytes)
            throw std::invalid_argument("announce: " + what + " is " + std::to_string(text.size()) +
                                        " bytes, more than " + std::to_string(maxBytes));
        if (const auto why = whyUnsendable(text))
            throw std::invalid_argument("announce: " + what + " cannot be sent: " + *why);
    };
    if (announcement.params.size() > kMaxParams)
        throw std::invalid_argument("announce: " + std::to_string(announcement.params.size()) +
                                    " params, more than " + std::to_string(kMaxParams));
    for (const auto& [key, value] : announcement.params) {
        if (key.empty())
            throw std::invalid_argument("announce: a param has an empty name");
        check(key, "a param name", kMaxKeyBytes);
        check(value, "the value of param '" + key + "'", kMaxValueBytes);
    }
}

} // namespace

void PluginManager::announce(const QString& id, const sdk::Announcement& announcement) {
    const PluginRecord* record = find(id);
    if (!record)
        return;
    checkSendable(announcement);
    // Only what the manifest declares may be announced: the manifest is the promise the user saw.
    sdk::Announcement clean;
    clean.params = announcement.params;
    for (const auto& k : announcement.sends)
        if (record->manifest.sends.contains(QString::fromStdString(k)))
            clean.sends.push_back(k);
    for (const auto& k : announcement.receives)
        if (record->manifest.receives.contains(QString::fromStdString(k)))
            clean.receives.push_back(k);
    announcements_[id] = clean;
    emit pluginsChanged();
}

std::optional<std::string> PluginManager::pluginOption(const std::string& id,
                                                       const std::string& key) const {
    auto it = pluginOptions_.find(id + "." + key);
    if (it == pluginOptions_.end())
        return std::nullopt;
    return it->second;
}

void PluginManager::notifyCallChanged(const sdk::CallInfo& call) {
    notifyRunning("callChanged", [&](sdk::Plugin& plugin) { plugin.callChanged(call); });
}

void PluginManager::notifyCallEnded(const sdk::CallRecord& record) {
    notifyListeners("onCallEnded",
                    [&](const PluginContext& context) { context.callEnded(record); });
}

void PluginManager::notifyTimelineEvent(const sdk::TimelineEvent& event,
                                        const std::string& record) {
    notifyListeners("onTimelineEvent",
                    [&](const PluginContext& context) { context.timelineEvent(event, record); });
}

namespace {

constexpr std::size_t kMaxTimelineKeyBytes = 128, kMaxTimelineTextBytes = 1024,
                      kMaxTimelineRecordBytes = 4096;

// Why `text` cannot be a timeline event's key or line (empty if it can).
std::string whyNotATimelineLine(const std::string& text, const char* what, std::size_t maxBytes) {
    if (text.empty() || text.size() > maxBytes)
        return "the " + std::string(what) + " is " + std::to_string(text.size()) +
               " bytes, not 1-" + std::to_string(maxBytes);
    if (const auto why = whyUnsendable(text))
        return "the " + std::string(what) + ": " + *why;
    // One line: a line break would break the history's layout.
    if (text.find_first_of("\t\n") != std::string::npos)
        return "the " + std::string(what) + " holds a tab or a line break";
    return {};
}

} // namespace

void PluginManager::postTimelineEvent(const std::string& pluginId, sdk::TimelineEvent event,
                                      std::string record) {
    for (const std::string& why : {whyNotATimelineLine(event.key, "key", kMaxTimelineKeyBytes),
                                   whyNotATimelineLine(event.text, "text", kMaxTimelineTextBytes)})
        if (!why.empty())
            throw std::invalid_argument("postTimelineEvent: " + why);
    if (record.size() > kMaxTimelineRecordBytes)
        throw std::invalid_argument("postTimelineRecord: the record is " +
                                    std::to_string(record.size()) + " bytes, more than " +
                                    std::to_string(kMaxTimelineRecordBytes));
    if (const auto why = whyUnsendable(record))
        throw std::invalid_argument("postTimelineRecord: the record: " + *why);
    event.source = pluginId;
    if (event.timeMs <= 0)
        event.timeMs = QDateTime::currentMSecsSinceEpoch();
    // Queued, from any thread: a listener never runs inside the poster's own code (or a loop of
    // the manager's over its plugins), and every plugin enabled at startup has registered its
    // listener by the time the first event is delivered.
    QMetaObject::invokeMethod(
        this,
        [this, event = std::move(event), record = std::move(record)] {
            notifyTimelineEvent(event, record);
        },
        Qt::QueuedConnection);
}

std::optional<std::string> PluginManager::renderTimelineRecord(const sdk::TimelineEvent& event,
                                                               const std::string& record) {
    const QString id = QString::fromStdString(event.source);
    auto it = running_.find(id);
    if (it == running_.end())
        return std::nullopt;
    const PluginContext& context = *it->second->context;
    std::optional<std::string> line;
    const QString error = callHook(*it->second->plugin, "setTimelineRenderer", [&](sdk::Plugin&) {
        line = context.renderTimeline(event, record);
    });
    if (!error.isEmpty()) {
        failLater(id, error);
        return std::nullopt;
    }
    if (!line || line->empty())
        return std::nullopt;
    if (const std::string why = whyNotATimelineLine(*line, "line", kMaxTimelineTextBytes);
        !why.empty()) {
        qCWarning(lcPlugins).noquote()
            << "plugin" << id << "worded a timeline line it cannot show:" << why.c_str();
        return std::nullopt;
    }
    return line;
}

void PluginManager::notifyListeners(const char* hook,
                                    const std::function<void(const PluginContext&)>& notify) {
    for (auto& [id, running] : running_) {
        // A plain reference: clang 14 (the sanitizer builds) cannot capture a structured binding.
        const PluginContext& context = *running->context;
        const QString error =
            callHook(*running->plugin, hook, [&](sdk::Plugin&) { notify(context); });
        if (!error.isEmpty())
            failLater(id, error);
    }
}

void PluginManager::notifyRunning(const char* hook,
                                  const std::function<void(sdk::Plugin&)>& notify) {
    for (auto& [id, running] : running_) {
        const QString error = callHook(*running->plugin, hook, notify);
        if (!error.isEmpty())
            failLater(id, error);
    }
}

std::vector<sdk::PeerPlugin> PluginManager::enabledCapabilities() const {
    std::vector<sdk::PeerPlugin> out;
    for (const auto& r : records_) {
        if (r.state != PluginState::Enabled)
            continue;
        sdk::PeerPlugin p;
        p.id = r.manifest.id.toStdString();
        p.version = r.manifest.version.toStdString();
        for (const auto& k : r.manifest.sends)
            p.sends.push_back(k.toStdString());
        for (const auto& k : r.manifest.receives)
            p.receives.push_back(k.toStdString());
        if (auto it = announcements_.find(r.manifest.id); it != announcements_.end()) {
            p.sends = it->second.sends;
            p.receives = it->second.receives;
            p.params = it->second.params;
        }
        out.push_back(std::move(p));
    }
    return out;
}

void PluginManager::notifyPeerChanged(const sdk::PeerInfo& peer) {
    notifyRunning("peerChanged", [&](sdk::Plugin& plugin) { plugin.peerChanged(peer); });
}

} // namespace charla::host
