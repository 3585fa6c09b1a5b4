// A plugin's manifest (charla_<id>.json beside its library), read without loading any plugin
// code. The format is documented in docs/plugin-manifest.md and written by charla_add_plugin().
#pragma once

#include <QHash>
#include <QList>
#include <QLocale>
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

// A plugin's name and description in one language, from the manifest's optional "translations"
// ({"es": {"name": ..., "description": ...}}): the Plugins dialog lists plugins that are not
// loaded, so their own translators cannot help there.
struct ManifestTexts {
    QString name;
    QString description;
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
    QHash<QString, ManifestTexts> translations; // by language code: "es"

    // The name and description to show in `locale`'s language, falling back to the manifest's own.
    QString displayName(const QLocale& locale = QLocale()) const;
    QString displayDescription(const QLocale& locale = QLocale()) const;
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
