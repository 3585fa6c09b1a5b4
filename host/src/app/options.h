// The command line (QCommandLineParser). Parsing is separate from acting on it so tests can
// check every bad input without starting anything.
#pragma once

#include "core/endpoint.h"
#include "core/plugin_catalog.h"

#include <QString>
#include <QStringList>

#include <map>
#include <optional>
#include <string>

namespace charla::app {

struct Options {
    bool localMode = false;             // -l: both instances on this computer
    std::optional<quint16> port;        // --port: our port
    std::optional<host::HostPort> peer; // --peer: skip the login window
    QStringList pluginDirs;             // --plugins-dir, repeatable
    QStringList disabledPlugins;        // --disable, repeatable
    bool listPlugins = false;           // --list-plugins: print and exit
    QString user;                       // --user: display name
    bool callOnStart = false;           // --call: call the contact as soon as it is online
    bool autoAnswer = false;            // --auto-answer: accept incoming calls
    bool allowPlaintext = false; // --allow-plaintext: plain HTTP, by choice (docs/security.md)
    QString secret;              // from --secret-file or $CHARLA_SECRET, never argv
    // --plugin-option ID.KEY=VALUE and plugin-declared options, as "id.key" -> value.
    std::map<std::string, std::string> pluginOptions;
};

// An option some plugin's manifest declares (e.g. the video plugin's --camera).
struct DeclaredPluginOption {
    QString pluginId;
    host::PluginCliOption option;
};

struct ParseResult {
    enum class Action { Run, PrintAndExit, Fail } action = Action::Run;
    QString text; // help/version text, or the error
    Options options;
};

ParseResult parseCommandLine(const QStringList& arguments,
                             const QList<DeclaredPluginOption>& pluginOptions = {});

// The options declared by the plugins the catalog accepts in `dirs` (reads manifests only, runs
// no plugin code).
QList<DeclaredPluginOption> declaredPluginOptions(const QStringList& dirs);

// The --plugins-dir values in raw arguments, for finding plugin options before the real parse.
QStringList prescanPluginDirs(const QStringList& arguments);

} // namespace charla::app
