#include "core/plugin_services.h"

#include "core/logging.h"

#include <QDir>
#include <QStandardPaths>

#include <exception>

namespace charla::host {

PluginServices::PluginServices(std::string pluginId, FailureHandler onFailure)
    : id_(std::move(pluginId)), onFailure_(std::move(onFailure)), anchor_(new QObject) {}

PluginServices::~PluginServices() {
    close();
}

QString PluginServices::settingsGroup(const std::string& pluginId) {
    // Not "plugins/<id>": the host keeps "plugins/disabled" there, and a plugin's group must not
    // be able to meet a host key whatever its id.
    return QStringLiteral("plugin-settings/") + QString::fromStdString(pluginId);
}

void PluginServices::migrateOldSettings() const {
    QSettings all;
    all.beginGroup(settingsGroup(id_));
    const bool fresh = all.allKeys().isEmpty();
    all.endGroup();
    const QString oldGroup = QStringLiteral("plugins/") + QString::fromStdString(id_);
    all.beginGroup(oldGroup);
    const QStringList oldKeys = all.allKeys();
    all.endGroup();
    if (!fresh || oldKeys.isEmpty())
        return;
    for (const QString& key : oldKeys) {
        all.setValue(settingsGroup(id_) + "/" + key, all.value(oldGroup + "/" + key));
        all.remove(oldGroup + "/" + key);
    }
    qCInfo(lcPlugins).noquote() << "moved" << oldKeys.size() << "settings of plugin"
                                << QString::fromStdString(id_) << "from" << oldGroup << "to"
                                << settingsGroup(id_);
}

std::unique_ptr<QSettings> PluginServices::settings() const {
    std::call_once(migrated_, [this] { migrateOldSettings(); });
    auto settings = std::make_unique<QSettings>();
    settings->beginGroup(settingsGroup(id_));
    return settings;
}

QString PluginServices::dataDir() const {
    const QString path =
        QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
            .filePath(QStringLiteral("charla/plugin-data/") + QString::fromStdString(id_));
    if (!QDir().mkpath(path)) {
        qCWarning(lcPlugins).noquote() << "cannot create the data directory" << path;
        return {};
    }
    return path;
}

void PluginServices::postToGui(std::function<void()> task) {
    std::lock_guard lock(mutex_);
    if (!anchor_)
        return;
    // Runs only while anchor_ lives: close() deletes it on the GUI thread, which drops the event.
    QMetaObject::invokeMethod(
        anchor_,
        [this, task = std::move(task)]() mutable {
            try {
                task();
            } catch (const std::exception& e) {
                onFailure_(QStringLiteral("failed in a task posted to the GUI thread: %1")
                               .arg(QString::fromLocal8Bit(e.what())));
            } catch (...) {
                onFailure_(QStringLiteral("failed in a task posted to the GUI thread"));
            }
            // What the task captured dies here, on the GUI thread: Qt may free the call object
            // on the posting thread, whichever drops the last reference.
            task = nullptr;
        },
        Qt::QueuedConnection);
}

void PluginServices::close() {
    QObject* anchor = nullptr;
    {
        std::lock_guard lock(mutex_);
        std::swap(anchor, anchor_);
    }
    delete anchor; // outside the lock: the tasks it drops may hold things whose destructors post
}

} // namespace charla::host
