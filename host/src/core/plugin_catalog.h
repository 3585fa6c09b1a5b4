// The plugin catalog: scans the plugin directories, reads and validates every manifest, and
// refuses (with the reason) what this host can never load. No plugin code runs. The one place
// manifests are read: the PluginManager, --list-plugins and the command line (the options a
// manifest declares) all start from scanPlugins().
#pragma once

#include "core/plugin_manifest.h"

#include <QSet>
#include <QString>
#include <QStringList>

#include <vector>

namespace charla::host {

enum class PluginState { Disabled, Enabled, Refused, Failed };
QString toString(PluginState state);

struct PluginRecord {
    PluginManifest manifest; // id may be empty for a refused file with no readable manifest
    QString displayId;       // the id, or the file name when there is none
    QString path;            // manifest or library path
    PluginState state = PluginState::Disabled;
    QString reason; // why refused, failed or disabled
};

// One record per manifest (*.json) in `dirs`, then one per library (*.so) that no manifest
// names. A record is Refused (never to be enabled or matched by id: its id is cleared) or
// Disabled; an id in `disabledIds` is Disabled with the reason "disabled by the user".
std::vector<PluginRecord> scanPlugins(const QStringList& dirs,
                                      const QSet<QString>& disabledIds = {});

} // namespace charla::host
