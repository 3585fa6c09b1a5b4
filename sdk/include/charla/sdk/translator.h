// A plugin's own translations, in the language the host shows. Make the .qm files with Qt
// Linguist and embed them in the plugin (CMake: qt_add_translations(<plugin target> TS_FILES
// translations/<name>_es.ts ...) puts them at :/i18n/<name>_<lang>.qm;
// charla_add_plugin_translations does it), then derive the plugin from TranslatedPlugin:
//
//     class MyPlugin : public charla::sdk::TranslatedPlugin {
//     public:
//         MyPlugin() : TranslatedPlugin(QStringLiteral("myplugin")) {}
//         ...
//
// (or keep a PluginTranslator as the plugin class's first member). It installs the translation when
// the plugin is created, before its panels exist, and removes it when the plugin is destroyed
// (disabled, or Charla closes), after its panels are gone. Inline only: it adds no symbol to the
// SDK library, so it works with any host of ABI 1.x.
#pragma once

#include "plugin.h"

#include <QCoreApplication>
#include <QLocale>
#include <QString>
#include <QTranslator>

namespace charla::sdk {

class PluginTranslator {
public:
    // Loads `<directory>/<baseName>_<lang>.qm` for the default QLocale, which the host sets to the
    // language the user chose (Settings, else the system's; see docs/plugin-guide.md). Without
    // one for that language it loads `<baseName>_en.qm` if there is one: English is the source
    // language, but its plural forms ("%n file(s)" -> "1 file", "2 files") come from a file too.
    explicit PluginTranslator(const QString& baseName,
                              const QString& directory = QStringLiteral(":/i18n")) {
        if (translator_.load(QLocale(), baseName, QStringLiteral("_"), directory) ||
            translator_.load(baseName + QStringLiteral("_en"), directory))
            installed_ = QCoreApplication::installTranslator(&translator_);
    }
    ~PluginTranslator() {
        if (installed_)
            QCoreApplication::removeTranslator(&translator_);
    }
    PluginTranslator(const PluginTranslator&) = delete;
    PluginTranslator& operator=(const PluginTranslator&) = delete;

    // Whether a translation is in use.
    bool installed() const { return installed_; }
    // The language of the installed translation ("es", "en"), empty if none.
    QString language() const { return installed_ ? translator_.language() : QString(); }

private:
    QTranslator translator_;
    bool installed_ = false;
};

// A Plugin with its translation installed for as long as it lives. A base class is built before
// any member of the plugin and destroyed after the last of them, so the translation is there
// before the plugin's first panel and stays until the last is gone, whatever the members' order.
class TranslatedPlugin : public Plugin {
public:
    const PluginTranslator& translator() const { return translator_; }

protected:
    explicit TranslatedPlugin(const QString& baseName) : translator_(baseName) {}

private:
    PluginTranslator translator_;
};

} // namespace charla::sdk
