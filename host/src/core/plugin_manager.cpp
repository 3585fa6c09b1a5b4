#include "core/plugin_manager.h"

#include "core/logging.h"
#include "core/panel_host.h"

#include <boost/dll/shared_library.hpp>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <unistd.h>

namespace charla::host {

QString toString(PluginState state) {
    switch (state) {
    case PluginState::Disabled:
        return QStringLiteral("disabled");
    case PluginState::Enabled:
        return QStringLiteral("enabled");
    case PluginState::Refused:
        return QStringLiteral("refused");
    case PluginState::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

struct PluginManager::Loaded {
    boost::dll::shared_library library;
    sdk::CreatePluginFn* create = nullptr;
};

class PluginManager::Context : public sdk::PluginContext {
public:
    Context(PluginManager& manager, PluginScope& scope, std::string id)
        : manager_(manager), scope_(scope), id_(std::move(id)) {}
    sdk::Channel& channel() override { return scope_; }
    std::string pluginId() const override { return id_; }
    std::string localUser() const override { return manager_.localUser_; }
    void announce(const sdk::Announcement& announcement) override {
        manager_.announce(QString::fromStdString(id_), announcement);
    }
    std::optional<std::string> option(const std::string& key) const override {
        auto it = manager_.pluginOptions_.find(id_ + "." + key);
        if (it == manager_.pluginOptions_.end())
            return std::nullopt;
        return it->second;
    }
    sdk::CallInfo call() const override { return manager_.call_; }

private:
    PluginManager& manager_;
    PluginScope& scope_;
    std::string id_;
};

// One enabled plugin. Members are destroyed in reverse order: panels, plugin, context, scope.
struct PluginManager::Running {
    std::shared_ptr<Loaded> loaded; // the code outlives the instance
    std::unique_ptr<PluginScope> scope;
    std::unique_ptr<Context> context;
    std::unique_ptr<sdk::Plugin> plugin;
    std::map<PanelSlot, QPointer<QWidget>> panels;
};

PluginManager::PluginManager(HostChannel& channel, std::string localUser, QObject* parent)
    : QObject(parent), channel_(channel), localUser_(std::move(localUser)) {}

PluginManager::~PluginManager() {
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
    QSet<QString> librariesWithManifest;
    QStringList libraries;
    for (const QString& dirPath : dirs) {
        QDir dir(dirPath);
        if (!dir.exists())
            continue;
        for (const QFileInfo& info : dir.entryInfoList({"*.json"}, QDir::Files, QDir::Name)) {
            ManifestResult read = readManifest(info.absoluteFilePath());
            PluginRecord record;
            record.manifest = read.manifest;
            record.path = info.absoluteFilePath();
            record.displayId = read.manifest.id.isEmpty() ? info.fileName() : read.manifest.id;
            if (!read.manifest.library.isEmpty())
                librariesWithManifest.insert(QFileInfo(read.manifest.library).canonicalFilePath());
            if (!read.error.isEmpty()) {
                record.state = PluginState::Refused;
                record.reason = read.error;
                record.manifest.id.clear(); // never enable or match a refused record by id
            } else if (QString why = incompatibility(read.manifest); !why.isEmpty()) {
                record.state = PluginState::Refused;
                record.reason = why;
                record.manifest.id.clear();
            } else if (const PluginRecord* first = findRecord(read.manifest.id)) {
                record.state = PluginState::Refused;
                record.reason = QStringLiteral("duplicate id '%1', already provided by %2")
                                    .arg(read.manifest.id, first->path);
                record.manifest.id.clear();
            } else {
                record.state = PluginState::Disabled;
                if (disabledIds.contains(read.manifest.id))
                    record.reason = QStringLiteral("disabled by the user");
            }
            addRecord(std::move(record));
        }
        for (const QFileInfo& info : dir.entryInfoList({"*.so"}, QDir::Files, QDir::Name))
            libraries.append(info.absoluteFilePath());
    }
    if (!crashGuardPath_.isEmpty()) {
        QFile guard(crashGuardPath_);
        if (guard.open(QIODevice::ReadOnly)) {
            const QString id = QString::fromUtf8(guard.readAll()).trimmed();
            guard.close();
            guard.remove();
            if (PluginRecord* record = findRecord(id);
                record && record->state == PluginState::Disabled) {
                record->state = PluginState::Failed;
                record->reason = QStringLiteral("Charla stopped while loading this plugin last "
                                                "time; enable it to try again");
                qCWarning(lcPlugins).noquote()
                    << "plugin" << id << "crashed Charla last time: kept off";
            }
        }
    }
    for (const QString& lib : libraries) {
        if (librariesWithManifest.contains(QFileInfo(lib).canonicalFilePath()))
            continue;
        PluginRecord record;
        record.displayId = QFileInfo(lib).fileName();
        record.path = lib;
        record.state = PluginState::Refused;
        record.reason = QStringLiteral("no manifest: expected a .json file naming this library");
        addRecord(std::move(record));
    }
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
        record->reason = QStringLiteral("disabled by the user");
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
    struct CrashGuard {
        QString path;
        CrashGuard(const QString& p, const QString& id) : path(p) {
            if (path.isEmpty())
                return;
            QDir().mkpath(QFileInfo(path).absolutePath());
            QFile file(path);
            if (file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
                file.write(id.toUtf8());
                file.flush();
                ::fsync(file.handle()); // must survive the crash it guards against
            }
        }
        ~CrashGuard() {
            if (!path.isEmpty())
                QFile::remove(path);
        }
    } guard(crashGuardPath_, id);
    auto failWith = [&](const QString& why) {
        record.state = PluginState::Failed;
        record.reason = why;
        qCWarning(lcPlugins).noquote() << "plugin" << id << "failed:" << why;
        if (error)
            *error = why;
        return false;
    };

    std::shared_ptr<Loaded>& loaded = libraries_[id];
    if (!loaded) {
        auto fresh = std::make_shared<Loaded>();
        try {
            fresh->library.load(record.manifest.library.toStdString(),
                                boost::dll::load_mode::rtld_now |
                                    boost::dll::load_mode::rtld_local);
            // A refused library stays mapped (in `loaded`, never used): unloading code that ran
            // Qt static initialisers is not safe.
            loaded = fresh;
            if (!fresh->library.has("charla_plugin_build_info") ||
                !fresh->library.has("charla_create_plugin")) {
                record.state = PluginState::Refused;
                record.reason = QStringLiteral("the library exports no Charla plugin "
                                               "(CHARLA_DECLARE_PLUGIN missing)");
                record.manifest.id.clear();
                if (error)
                    *error = record.reason;
                return false;
            }
            const sdk::PluginBuildInfo* info =
                fresh->library.get_alias<sdk::BuildInfoFn>("charla_plugin_build_info")();
            const QString builtQt = QStringLiteral("%1.%2").arg(info->qtMajor).arg(info->qtMinor);
            QString mismatch;
            if (QString::fromUtf8(info->id) != id)
                mismatch = QStringLiteral("library is plugin '%1', manifest says '%2'")
                               .arg(QString::fromUtf8(info->id), id);
            else if (info->abiMajor != record.manifest.abiMajor ||
                     builtQt != record.manifest.qtVersion)
                mismatch = QStringLiteral("library built for SDK ABI %1 with Qt %2, manifest says "
                                          "ABI %3 with Qt %4")
                               .arg(info->abiMajor)
                               .arg(builtQt)
                               .arg(record.manifest.abiMajor)
                               .arg(record.manifest.qtVersion);
            if (!mismatch.isEmpty()) {
                record.state = PluginState::Refused;
                record.reason = mismatch;
                record.manifest.id.clear();
                if (error)
                    *error = mismatch;
                return false;
            }
            fresh->create = &fresh->library.get_alias<sdk::CreatePluginFn>("charla_create_plugin");
        } catch (const std::exception& e) {
            loaded.reset();
            return failWith(QStringLiteral("cannot load %1: %2")
                                .arg(record.manifest.library, QString::fromLocal8Bit(e.what())));
        }
    }
    if (!loaded->create)
        return failWith(QStringLiteral("the library is not a usable plugin"));

    auto running = std::make_unique<Running>();
    running->loaded = loaded;
    running->scope = channel_.createScope(id.toStdString());
    running->context = std::make_unique<Context>(*this, *running->scope, id.toStdString());
    try {
        running->plugin.reset(loaded->create());
        if (!running->plugin)
            return failWith(QStringLiteral("its factory returned no plugin"));
        running->plugin->initialize(*running->context);
        running->scope->closeRegistration();
        running->scope->publishMethods();
        for (const auto& [slot, host] : panelHosts_)
            if (host)
                createPanel(*running, id, record.manifest.name, slot);
        running->plugin->start();
    } catch (const std::exception& e) {
        abandon(*running, id);
        return failWith(
            QStringLiteral("failed to start: %1").arg(QString::fromLocal8Bit(e.what())));
    } catch (...) {
        abandon(*running, id);
        return failWith(QStringLiteral("failed to start: unknown exception"));
    }
    running->scope->setFailureHandler([this, id](const std::string& what) {
        QMetaObject::invokeMethod(
            this, [this, id, what] { fail(id, QString::fromStdString(what)); },
            Qt::QueuedConnection);
    });
    running->scope->startWorkers();
    running->plugin->peerChanged(channel_.peer());
    if (call_.state != sdk::CallInfo::State::Idle)
        running->plugin->callChanged(call_);
    running_[id] = std::move(running);
    record.state = PluginState::Enabled;
    record.reason.clear();
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
    running->scope->removeMethods();
    try {
        running->plugin->stop();
    } catch (const std::exception& e) {
        qCWarning(lcPlugins).noquote() << "plugin" << id << "failed to stop:" << e.what();
    } catch (...) {
        qCWarning(lcPlugins).noquote() << "plugin" << id << "failed to stop";
    }
    running->scope->stopWorkers();
    abandon(*running, id);
    record.state = PluginState::Disabled;
    qCInfo(lcPlugins).noquote() << "disabled plugin" << id;
}

void PluginManager::fail(const QString& id, const QString& reason) {
    PluginRecord* record = findRecord(id);
    if (!record || record->state != PluginState::Enabled)
        return;
    disable(*record);
    record->state = PluginState::Failed;
    record->reason = reason;
    qCWarning(lcPlugins).noquote() << "plugin" << id << "failed and was disabled:" << reason;
    emit pluginsChanged();
}

// Undoes a plugin's presence: methods, panels, the instance. Its workers are stopped already.
void PluginManager::abandon(Running& running, const QString& id) {
    running.scope->removeMethods();
    for (auto slot : {PanelSlot::Chat, PanelSlot::Call, PanelSlot::Settings})
        deletePanel(running, id, slot);
    running.plugin.reset();
    announcements_.erase(id);
}

void PluginManager::createPanel(Running& running, const QString& id, const QString& title,
                                PanelSlot slot) {
    PanelHost* host = panelHosts_[slot];
    if (!host || running.panels[slot])
        return;
    QWidget* panel = nullptr;
    switch (slot) {
    case PanelSlot::Chat:
        panel = running.plugin->createPanel(host->panelParent());
        break;
    case PanelSlot::Call:
        panel = running.plugin->createCallPanel(host->panelParent());
        break;
    case PanelSlot::Settings:
        panel = running.plugin->createSettingsPage(host->panelParent());
        break;
    }
    if (!panel)
        return;
    running.panels[slot] = panel;
    host->addPanel(id, title, panel);
}

void PluginManager::deletePanel(Running& running, const QString& id, PanelSlot slot) {
    QPointer<QWidget> panel = running.panels[slot];
    running.panels.erase(slot);
    if (!panel)
        return;
    if (PanelHost* host = panelHosts_[slot])
        host->removePanel(id, panel);
    delete panel.data();
}

void PluginManager::setPanelHost(PanelSlot slot, PanelHost* host) {
    if (panelHosts_[slot] == host)
        return;
    for (auto& [id, running] : running_)
        deletePanel(*running, id, slot);
    panelHosts_[slot] = host;
    if (!host)
        return;
    for (auto& [id, running] : running_) {
        const PluginRecord* record = find(id);
        try {
            createPanel(*running, id, record ? record->manifest.name : id, slot);
        } catch (const std::exception& e) {
            qCWarning(lcPlugins).noquote()
                << "plugin" << id << "failed to create a panel:" << e.what();
        }
    }
}

void PluginManager::announce(const QString& id, const sdk::Announcement& announcement) {
    const PluginRecord* record = find(id);
    if (!record)
        return;
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

void PluginManager::setCall(const sdk::CallInfo& call) {
    call_ = call;
    for (auto& [id, running] : running_) {
        try {
            running->plugin->callChanged(call);
        } catch (const std::exception& e) {
            qCWarning(lcPlugins).noquote()
                << "plugin" << id << "failed in callChanged:" << e.what();
        } catch (...) {
            qCWarning(lcPlugins).noquote() << "plugin" << id << "failed in callChanged";
        }
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
    for (auto& [id, running] : running_) {
        try {
            running->plugin->peerChanged(peer);
        } catch (const std::exception& e) {
            qCWarning(lcPlugins).noquote()
                << "plugin" << id << "failed in peerChanged:" << e.what();
        } catch (...) {
            qCWarning(lcPlugins).noquote() << "plugin" << id << "failed in peerChanged";
        }
    }
}

} // namespace charla::host
