#include "app/options.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

#include <cstring>
#include <utility>

namespace charla::app {

namespace {

ParseResult finished(ParseResult::Action action, QString text) {
    ParseResult result;
    result.action = action;
    result.text = std::move(text);
    return result;
}
ParseResult failure(QString error) {
    return finished(ParseResult::Action::Fail, std::move(error));
}
ParseResult printAndExit(QString text) {
    return finished(ParseResult::Action::PrintAndExit, std::move(text));
}

} // namespace

QList<DeclaredPluginOption> declaredPluginOptions(const QStringList& dirs) {
    QList<DeclaredPluginOption> out;
    QSet<QString> seen;
    for (const host::PluginRecord& record : host::scanPlugins(dirs)) {
        if (record.state == host::PluginState::Refused)
            continue; // the plugin manager reports it; its options would reach nobody
        for (const host::PluginCliOption& option : record.manifest.cliOptions)
            if (!seen.contains(option.name)) {
                seen.insert(option.name);
                out.append({record.manifest.id, option});
            }
    }
    return out;
}

QStringList prescanPluginDirs(const QStringList& arguments) {
    QStringList dirs;
    for (int i = 1; i < arguments.size(); ++i) {
        const QString& a = arguments[i];
        if (a == "--plugins-dir" && i + 1 < arguments.size())
            dirs << arguments[++i];
        else if (a.startsWith("--plugins-dir="))
            dirs << a.mid(int(strlen("--plugins-dir=")));
    }
    return dirs;
}

ParseResult parseCommandLine(const QStringList& arguments,
                             const QList<DeclaredPluginOption>& pluginOptions) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Charla: text, voice and video between two people.\n"
        "Between two computers both sides use port 5000: run `charla` and type the contact's IP.\n"
        "On one computer run two instances with -l, each with its own port and the other's.");
    const QCommandLineOption help({"h", "help"}, "Show this help and exit.");
    const QCommandLineOption version({"v", "version"}, "Show the version and exit.");
    const QCommandLineOption local("l", "Local mode: both instances on this computer (127.0.0.1).");
    const QCommandLineOption port("port",
                                  "Listen on port N (default 5000; required with -l "
                                  "when --peer is given).",
                                  "N");
    const QCommandLineOption peer("peer", "Contact at HOST[:PORT]; skips the login window.",
                                  "HOST[:PORT]");
    const QCommandLineOption pluginsDir("plugins-dir", "Also look for plugins in DIR (repeatable).",
                                        "DIR");
    const QCommandLineOption disable("disable", "Do not enable plugin ID (repeatable).", "ID");
    const QCommandLineOption list("list-plugins",
                                  "Print every plugin found with its state, then exit.");
    const QCommandLineOption user("user", "Your display name (default: your login name).", "NAME");
    const QCommandLineOption secretFile(
        "secret-file", "Read the shared secret from FILE (or set CHARLA_SECRET).", "FILE");
    const QCommandLineOption call("call", "Call the contact as soon as it is online.");
    const QCommandLineOption autoAnswer("auto-answer", "Accept incoming calls at once.");
    const QCommandLineOption allowPlaintext(
        "allow-plaintext", "Talk plain HTTP, NOT ENCRYPTED, both ways: only for a contact that "
                           "cannot do TLS (e.g. a Python client).");
    const QCommandLineOption pluginOption(
        "plugin-option", "Pass KEY=VALUE to plugin ID (repeatable).", "ID.KEY=VALUE");
    parser.addOptions({help, version, local, port, peer, pluginsDir, disable, list, user, call,
                       autoAnswer, allowPlaintext, secretFile, pluginOption});
    // Options the plugins' manifests declare; a name the host already uses is skipped.
    QList<QPair<QCommandLineOption, DeclaredPluginOption>> declared;
    for (const DeclaredPluginOption& d : pluginOptions) {
        QCommandLineOption option(d.option.name,
                                  QStringLiteral("%1 (plugin %2)").arg(d.option.help, d.pluginId),
                                  d.option.valueName);
        if (parser.addOption(option))
            declared.append({option, d});
    }

    ParseResult result;
    if (!parser.parse(arguments))
        return failure(parser.errorText());
    if (parser.isSet(help)) {
        // Parsed before QApplication exists, Qt cannot know the program's name: say it ourselves.
        const QString program =
            arguments.isEmpty() ? QStringLiteral("charla") : QFileInfo(arguments[0]).fileName();
        return printAndExit(
            parser.helpText().replace(QStringLiteral("<executable_name>"), program));
    }
    if (parser.isSet(version))
        return printAndExit(QStringLiteral("charla %1\n").arg(CHARLA_VERSION));
    if (!parser.positionalArguments().isEmpty())
        return failure(QStringLiteral("unexpected argument '%1' (see --help)")
                           .arg(parser.positionalArguments().first()));
    Options& o = result.options;
    o.localMode = parser.isSet(local);
    o.listPlugins = parser.isSet(list);
    o.pluginDirs = parser.values(pluginsDir);
    o.disabledPlugins = parser.values(disable);
    o.user = parser.value(user).trimmed();
    o.callOnStart = parser.isSet(call);
    // A secret on the command line would show in `ps`: only a file or the environment.
    o.secret = qEnvironmentVariable("CHARLA_SECRET");
    if (parser.isSet(secretFile)) {
        QFile file(parser.value(secretFile));
        if (!file.open(QIODevice::ReadOnly))
            return failure(QStringLiteral("cannot read the secret file '%1': %2")
                               .arg(parser.value(secretFile), file.errorString()));
        o.secret = QString::fromUtf8(file.readLine(4096)).trimmed();
        if (o.secret.isEmpty())
            return failure(
                QStringLiteral("the secret file '%1' is empty").arg(parser.value(secretFile)));
    }
    o.autoAnswer = parser.isSet(autoAnswer);
    o.allowPlaintext = parser.isSet(allowPlaintext);
    QString error;
    static const QRegularExpression pluginOptionSyntax(
        "^([a-z][a-z0-9_]*)\\.([A-Za-z0-9_-]+)=(.*)$");
    for (const QString& value : parser.values(pluginOption)) {
        const QRegularExpressionMatch m = pluginOptionSyntax.match(value);
        if (!m.hasMatch())
            return failure(
                QStringLiteral("invalid --plugin-option '%1': expected ID.KEY=VALUE").arg(value));
        o.pluginOptions[(m.captured(1) + "." + m.captured(2)).toStdString()] =
            m.captured(3).toStdString();
    }
    for (const auto& [option, d] : declared)
        if (parser.isSet(option))
            o.pluginOptions[(d.pluginId + "." + d.option.name).toStdString()] =
                parser.value(option).toStdString();
    if (parser.isSet(port)) {
        o.port = host::parsePort(parser.value(port), &error);
        if (!o.port)
            return failure(error);
    }
    if (parser.isSet(peer)) {
        o.peer = host::parseHostPort(parser.value(peer), &error);
        if (!o.peer)
            return failure(error);
        if (o.localMode) {
            if (!o.peer->port || !o.port)
                return failure(QStringLiteral("local mode needs both ports: -l --port MINE "
                                              "--peer localhost:THEIRS"));
            if (*o.peer->port == *o.port)
                return failure(QStringLiteral("your port and the contact's port must differ"));
        }
    }
    return result;
}

} // namespace charla::app
