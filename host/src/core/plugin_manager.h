// The plugins' lifecycle: takes in what the catalog finds (core/plugin_catalog.h), has the loader
// map and check the libraries (core/plugin_loader.h), and enables/disables plugins at runtime,
// failing one (with the reason) that throws.
#pragma once

#include "core/host_channel.h"
#include "core/plugin_catalog.h"
#include "core/plugin_loader.h"

#include <charla/sdk/plugin.h>

#include <QObject>
#include <QSet>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace charla::host {

class PluginContext;

class PluginManager : public QObject {
    Q_OBJECT
public:
    PluginManager(HostChannel& channel, std::string localUser, QObject* parent = nullptr);
    ~PluginManager() override;

    // Takes in the plugins the catalog finds in `dirs` (no plugin code runs). Plugins in
    // `disabledIds` stay disabled.
    void discover(const QStringList& dirs, const QSet<QString>& disabledIds = {});
    // Loads the library of every plugin that would be enabled and applies the loader's checks
    // (state Refused or Failed, with the reason), creating no plugin: for --list-plugins.
    void checkLibraries();
    // Enables every discovered plugin that is not disabled, refused or failed.
    void enableDiscovered();

    // Returns false and sets *error for a refused, unknown or failing plugin.
    bool setEnabled(const QString& id, bool enabled, QString* error = nullptr);
    void disableAll();

    // The instance of an enabled plugin (nullptr for any other), and the ids of those.
    sdk::Plugin* instance(const QString& id) const;
    QStringList enabledIds() const;
    // Fails an enabled plugin (queued) for what went wrong outside its hooks, e.g. a panel factory
    // that threw (gui/plugin_panels.h); called while `id` is starting, fails the start instead.
    void failPlugin(const QString& id, const QString& reason);

    // `--plugin-option id.key=value` values, read by plugins through PluginContext::option().
    void setPluginOptions(std::map<std::string, std::string> options) {
        pluginOptions_ = std::move(options);
    }
    // Where the call is read (the call state machine's one copy, through CallManager::call(); any
    // thread): for plugins enabled mid-call and PluginContext::call(). Without one, no call.
    void setCallSource(std::function<sdk::CallInfo()> source) { callSource_ = std::move(source); }
    sdk::CallInfo call() const { return callSource_ ? callSource_() : sdk::CallInfo{}; }

    // The crash guard's file (CrashGuard, core/plugin_loader.h); read by the next discover().
    void setCrashGuardPath(const QString& path) { crashGuard_ = CrashGuard(path); }
    const std::string& localUser() const { return localUser_; }
    // The `--plugin-option` value of `id.key`, if one was given.
    std::optional<std::string> pluginOption(const std::string& id, const std::string& key) const;
    // Records what plugin `id` announces (through its PluginContext); throws
    // std::invalid_argument for an announcement the contact could not read.
    void announce(const QString& id, const sdk::Announcement& announcement);

    const std::vector<PluginRecord>& plugins() const { return records_; }
    // The lifecycle's transitions (Qt Creator's PluginSpec::State in small), the only ones the
    // manager makes: from Disabled anywhere; Enabled to Disabled or Failed; Failed is retried
    // (Enabled, Failed, Refused); Refused is final.
    static bool canMove(PluginState from, PluginState to);
    const PluginRecord* find(const QString& id) const;
    // What the enabled plugins send and receive, as announced in host.hello.
    std::vector<sdk::PeerPlugin> enabledCapabilities() const;

public slots:
    void notifyPeerChanged(const charla::sdk::PeerInfo& peer);
    // Passes a reported change of the call to every enabled plugin's callChanged.
    void notifyCallChanged(const charla::sdk::CallInfo& call);
    // Passes a call that is over to every enabled plugin's onCallEnded listener.
    void notifyCallEnded(const charla::sdk::CallRecord& record);
    // Passes a timeline event and its record (empty if none) to every enabled plugin's
    // onTimelineEvent or onTimelineRecord listener (GUI thread).
    void notifyTimelineEvent(const charla::sdk::TimelineEvent& event, const std::string& record);

public:
    // Any thread: checks a plugin's timeline event and record (std::invalid_argument), stamps it
    // with the plugin's id and delivers it on the GUI thread's next turn (sdk::PluginContext).
    void postTimelineEvent(const std::string& pluginId, sdk::TimelineEvent event,
                           std::string record);
    // GUI thread: the line `event.source` posted with `record`, worded by that plugin's renderer
    // now; nullopt if it is not enabled, has no renderer, or gives no valid line (a renderer that
    // throws fails its plugin, queued).
    std::optional<std::string> renderTimelineRecord(const sdk::TimelineEvent& event,
                                                    const std::string& record);

signals:
    // The set of enabled plugins or a plugin's state changed.
    void pluginsChanged();
    // What hangs on a plugin's instance (its widgets, gui/plugin_panels.h) follows these, through
    // direct connections. Starting: initialized, methods published, start() is next. Stopping: the
    // instance is destroyed right after.
    void pluginStarting(const QString& id, charla::sdk::Plugin* plugin);
    void pluginStopping(const QString& id);
    // A plugin asked to tell the user something (sdk::PluginContext::notifyUser).
    void userNotice(const QString& pluginId, const QString& title, const QString& body);

private:
    struct Running;

    PluginRecord* findRecord(const QString& id);
    // Every state change goes through here: checked against canMove(), logged (debug).
    static void moveTo(PluginRecord& record, PluginState to, const QString& reason);
    void addRecord(PluginRecord record);
    bool enable(PluginRecord& record, QString* error);
    void disable(PluginRecord& record);
    void fail(const QString& id, const QString& reason);
    void failLater(const QString& id, const QString& reason);
    static void applyVerdict(PluginRecord& record, const LoadedLibrary& loaded);
    void stopRunning(Running& running, const QString& id);
    void abandon(Running& running, const QString& id);
    // Runs one of a plugin's hooks; returns why it threw, or an empty string.
    static QString callHook(sdk::Plugin& plugin, const char* hook,
                            const std::function<void(sdk::Plugin&)>& call);
    // Calls a notification hook on every enabled plugin; one that throws is failed (queued).
    void notifyRunning(const char* hook, const std::function<void(sdk::Plugin&)>& notify);
    // The same for a listener a plugin registered on its context (onCallEnded, onTimelineEvent).
    void notifyListeners(const char* hook, const std::function<void(const PluginContext&)>& notify);

    HostChannel& channel_;
    std::string localUser_;
    std::map<std::string, std::string> pluginOptions_;
    CrashGuard crashGuard_;
    std::map<QString, sdk::Announcement> announcements_; // by plugin id, while enabled
    std::function<sdk::CallInfo()> callSource_;
    std::vector<PluginRecord> records_;
    std::map<QString, std::unique_ptr<Running>> running_;
    QString starting_;     // the plugin between initialize() and start(), for failPlugin()
    QString startFailure_; // why it may not start, set through failPlugin()
};

} // namespace charla::host
