#include "core/plugin_catalog.h"

#include <QDir>
#include <QFileInfo>

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

namespace {

PluginRecord recordFor(const QFileInfo& info, const std::vector<PluginRecord>& earlier,
                       const QSet<QString>& disabledIds) {
    ManifestResult read = readManifest(info.absoluteFilePath());
    PluginRecord record;
    record.manifest = read.manifest;
    record.path = info.absoluteFilePath();
    record.displayId = read.manifest.id.isEmpty() ? info.fileName() : read.manifest.id;
    auto refuse = [&](const QString& why) {
        record.state = PluginState::Refused;
        record.reason = why;
        record.manifest.id.clear(); // never enable or match a refused record by id
        return record;
    };
    if (!read.error.isEmpty())
        return refuse(read.error);
    if (QString why = incompatibility(read.manifest); !why.isEmpty())
        return refuse(why);
    for (const PluginRecord& first : earlier)
        if (first.manifest.id == read.manifest.id)
            return refuse(QStringLiteral("duplicate id '%1', already provided by %2")
                              .arg(read.manifest.id, first.path));
    if (disabledIds.contains(read.manifest.id))
        record.reason = QStringLiteral("disabled by the user");
    return record;
}

} // namespace

std::vector<PluginRecord> scanPlugins(const QStringList& dirs, const QSet<QString>& disabledIds) {
    std::vector<PluginRecord> records;
    QSet<QString> librariesWithManifest;
    QStringList libraries;
    for (const QString& dirPath : dirs) {
        QDir dir(dirPath);
        if (!dir.exists())
            continue;
        for (const QFileInfo& info : dir.entryInfoList({"*.json"}, QDir::Files, QDir::Name)) {
            records.push_back(recordFor(info, records, disabledIds));
            const QString& library = records.back().manifest.library;
            if (!library.isEmpty())
                librariesWithManifest.insert(QFileInfo(library).canonicalFilePath());
        }
        for (const QFileInfo& info : dir.entryInfoList({"*.so"}, QDir::Files, QDir::Name))
            libraries.append(info.absoluteFilePath());
    }
    for (const QString& lib : libraries) {
        if (librariesWithManifest.contains(QFileInfo(lib).canonicalFilePath()))
            continue;
        PluginRecord record;
        record.displayId = QFileInfo(lib).fileName();
        record.path = lib;
        record.state = PluginState::Refused;
        record.reason = QStringLiteral("no manifest: expected a .json file naming this library");
        records.push_back(std::move(record));
    }
    return records;
}

} // namespace charla::host
