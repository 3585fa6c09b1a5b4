#include "core/plugin_loader.h"

#include "core/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <unistd.h>

namespace charla::host {

namespace {

// Every library ever loaded, by canonical path, for the life of the process: nothing here is
// ever destroyed, not even with the PluginManager (tests and --list-plugins create several).
std::map<QString, std::shared_ptr<LoadedLibrary>>& loadedLibraries() {
    static auto* libraries = new std::map<QString, std::shared_ptr<LoadedLibrary>>;
    return *libraries;
}

// Why the code in `library` cannot be the plugin `manifest` describes, or an empty string.
QString disagreement(const boost::dll::shared_library& library, const PluginManifest& manifest) {
    if (!library.has("charla_plugin_build_info") || !library.has("charla_create_plugin"))
        return QStringLiteral("the library exports no Charla plugin "
                              "(CHARLA_DECLARE_PLUGIN missing)");
    const sdk::PluginBuildInfo* info =
        library.get_alias<sdk::BuildInfoFn>("charla_plugin_build_info")();
    const QString builtQt = QStringLiteral("%1.%2").arg(info->qtMajor).arg(info->qtMinor);
    if (QString::fromUtf8(info->id) != manifest.id)
        return QStringLiteral("library is plugin '%1', manifest says '%2'")
            .arg(QString::fromUtf8(info->id), manifest.id);
    if (info->abiMajor != manifest.abiMajor || info->abiMinor != manifest.abiMinor ||
        builtQt != manifest.qtVersion)
        return QStringLiteral("library built for SDK ABI %1.%2 with Qt %3, manifest says "
                              "ABI %4.%5 with Qt %6")
            .arg(info->abiMajor)
            .arg(info->abiMinor)
            .arg(builtQt)
            .arg(manifest.abiMajor)
            .arg(manifest.abiMinor)
            .arg(manifest.qtVersion);
    return {};
}

} // namespace

std::shared_ptr<const LoadedLibrary> loadPluginLibrary(const PluginManifest& manifest) {
    const QString path = QFileInfo(manifest.library).canonicalFilePath();
    if (auto it = loadedLibraries().find(path); it != loadedLibraries().end())
        return it->second;
    auto loaded = std::make_shared<LoadedLibrary>();
    try {
        loaded->library.load(manifest.library.toStdString(),
                             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        loaded->verdict = PluginState::Failed;
        loaded->reason = QStringLiteral("cannot load %1: %2")
                             .arg(manifest.library, QString::fromLocal8Bit(e.what()));
        qCWarning(lcPlugins).noquote() << "plugin" << manifest.id << "failed:" << loaded->reason;
        return loaded;
    }
    loadedLibraries()[path] = loaded;
    loaded->reason = disagreement(loaded->library, manifest);
    if (!loaded->reason.isEmpty()) {
        loaded->verdict = PluginState::Refused;
        qCWarning(lcPlugins).noquote()
            << "refused plugin" << manifest.id << "(" + manifest.library + "):" << loaded->reason;
        return loaded;
    }
    loaded->create = &loaded->library.get_alias<sdk::CreatePluginFn>("charla_create_plugin");
    return loaded;
}

QString CrashGuard::takeLeftover() {
    if (path_.isEmpty())
        return {};
    QFile file(path_);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
    file.close();
    file.remove();
    if (lines.isEmpty())
        return {};
    const QString id = lines[0].trimmed();
    const int strikes = lines.size() > 1 ? std::max(1, lines[1].trimmed().toInt()) : 1;
    if (strikes >= 2) {
        qCWarning(lcPlugins).noquote()
            << "plugin" << id << "crashed Charla twice in a row while loading: kept off";
        return id;
    }
    strikes_[id] = strikes;
    qCWarning(lcPlugins).noquote() << "Charla stopped while loading plugin" << id
                                   << "last time (crashed or killed): trying it once more";
    return {};
}

CrashGuard::Armed::Armed(CrashGuard& guard, QString id) : guard_(guard), id_(std::move(id)) {
    if (guard_.path_.isEmpty())
        return;
    QDir().mkpath(QFileInfo(guard_.path_).absolutePath());
    QFile file(guard_.path_);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        const int strikes = guard_.strikes_.count(id_) ? guard_.strikes_[id_] + 1 : 1;
        file.write(QStringLiteral("%1\n%2\n").arg(id_).arg(strikes).toUtf8());
        file.flush();
        ::fsync(file.handle()); // must survive the crash it guards against
    }
}

CrashGuard::Armed::~Armed() {
    if (guard_.path_.isEmpty())
        return;
    QFile::remove(guard_.path_);
    guard_.strikes_.erase(id_); // it loaded (or failed cleanly): the strike is forgiven
}

} // namespace charla::host
