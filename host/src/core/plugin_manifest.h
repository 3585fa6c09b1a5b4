// A plugin's manifest (charla_<id>.json beside its library), read without loading any plugin
// code. The format is documented in docs/plugin-manifest.md and written by charla_add_plugin().
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace charla::host {

// A command-line option a plugin declares in its manifest, e.g. the video plugin's
// `--camera SOURCE`; the host adds it to its own parser and hands the value to the plugin.
struct PluginCliOption {
    QString name;      // "camera" -> --camera
    QString valueName; // "SOURCE"
    QString help;
};

struct PluginManifest {
    QString id;
    QString name;
    QString version;
    QString vendor;
    QString description;
    QStringList sends;
    QStringList receives;
    int abiMajor = 0;
    int abiMinor = 0;
    QString qtVersion; // "major.minor" the plugin was built against
    QString library;   // absolute path of the shared library
    QList<PluginCliOption> cliOptions;
    QString manifestPath;
};

struct ManifestResult {
    PluginManifest manifest;
    QString error; // empty when the manifest is valid
};

// Reads and validates a manifest file. Never throws.
ManifestResult readManifest(const QString& path);

// Why this host cannot load a plugin built as the manifest says, or an empty string if it can.
QString incompatibility(const PluginManifest& manifest);

} // namespace charla::host
