// What the host offers one enabled plugin beyond its Channel (SDK 1.2, PluginContext): a settings
// group and a data directory of its own, and a way to run code on the GUI thread that dies with
// the plugin. One PluginServices per enabled plugin instance; the plugin's Context forwards to it.
#pragma once

#include <QObject>
#include <QSettings>
#include <QString>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace charla::host {

class PluginServices {
public:
    // Called on the GUI thread with the reason when a posted task throws.
    using FailureHandler = std::function<void(const QString& reason)>;

    // GUI thread (the anchor for posted tasks lives there).
    PluginServices(std::string pluginId, FailureHandler onFailure);
    ~PluginServices();
    PluginServices(const PluginServices&) = delete;
    PluginServices& operator=(const PluginServices&) = delete;

    // The QSettings group of the plugin: "plugin-settings/<id>".
    static QString settingsGroup(const std::string& pluginId);
    // A QSettings in the plugin's group; on the first call, keys left under the old convention
    // "plugins/<id>" move there. Any thread.
    std::unique_ptr<QSettings> settings() const;
    // <GenericDataLocation>/charla/plugin-data/<id>, created now if missing; empty on failure.
    QString dataDir() const;
    // Any thread. Runs `task` on the GUI thread unless close() comes first.
    void postToGui(std::function<void()> task);
    // GUI thread, as the plugin is disabled: pending tasks are dropped and later posts ignored.
    void close();

private:
    void migrateOldSettings() const;

    const std::string id_;
    FailureHandler onFailure_;
    std::mutex mutex_; // guards anchor_ against close() while a worker posts
    QObject* anchor_;  // receives posted tasks; deleting it drops the pending ones
    mutable std::once_flag migrated_;
};

} // namespace charla::host
