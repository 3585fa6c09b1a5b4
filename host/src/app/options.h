// The command line (QCommandLineParser). Parsing is separate from acting on it so tests can
// check every bad input without starting anything.
#pragma once

#include "core/endpoint.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace charla::app {

struct Options {
    bool localMode = false;             // -l: both instances on this computer
    std::optional<quint16> port;        // --port: our port
    std::optional<host::HostPort> peer; // --peer: skip the login window
    QStringList pluginDirs;             // --plugins-dir, repeatable
    QStringList disabledPlugins;        // --disable, repeatable
    bool listPlugins = false;           // --list-plugins: print and exit
    QString user;                       // --user: display name
};

struct ParseResult {
    enum class Action { Run, PrintAndExit, Fail } action = Action::Run;
    QString text; // help/version text, or the error
    Options options;
};

ParseResult parseCommandLine(const QStringList& arguments);

} // namespace charla::app
