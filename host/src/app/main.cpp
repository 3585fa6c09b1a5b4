// charla: the host executable. Process-wide library set-up happens here, before any thread.
#include "app/application.h"
#include "app/options.h"

#include <xmlrpc-c/client_global.h>

#include <QApplication>
#include <QTextStream>

#include <csignal>

#include <memory>

namespace {

// Without this check QApplication aborts with a long message about xcb when there is no display.
bool haveDisplay() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

} // namespace

int main(int argc, char** argv) {
    // A peer that hangs up while we write would otherwise kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    {
        // curl_global_init is not thread-safe: do it once, first.
        xmlrpc_env env;
        xmlrpc_env_init(&env);
        xmlrpc_client_setup_global_const(&env);
        xmlrpc_env_clean(&env);
    }

    // Parse before any QApplication exists: bad arguments, --help and --list-plugins need no
    // display.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    // Plugins may declare options of their own (e.g. --camera): read their manifests first.
    const auto pluginOptions = charla::app::declaredPluginOptions(
        charla::app::pluginSearchPath(charla::app::prescanPluginDirs(arguments)));
    const charla::app::ParseResult parsed = charla::app::parseCommandLine(arguments, pluginOptions);
    QTextStream out(stdout);
    QTextStream err(stderr);
    switch (parsed.action) {
    case charla::app::ParseResult::Action::PrintAndExit:
        out << parsed.text;
        return 0;
    case charla::app::ParseResult::Action::Fail:
        err << "charla: " << parsed.text << "\n";
        return 2;
    case charla::app::ParseResult::Action::Run:
        break;
    }

    std::unique_ptr<QCoreApplication> qtApp;
    if (parsed.options.listPlugins) {
        qtApp = std::make_unique<QCoreApplication>(argc, argv);
    } else if (!haveDisplay()) {
        err << "charla: no display to open a window on (set DISPLAY, or run under xvfb-run)\n";
        return 1;
    } else {
        qtApp = std::make_unique<QApplication>(argc, argv);
    }
    QCoreApplication::setOrganizationName("charla");
    QCoreApplication::setApplicationName("charla");
    QCoreApplication::setApplicationVersion(CHARLA_VERSION);

    if (parsed.options.listPlugins)
        return charla::app::printPluginList(parsed.options);

    charla::app::Application app(parsed.options);
    QObject::connect(&app, &charla::app::Application::fatalError, qtApp.get(),
                     [&](const QString& m) {
                         err << "charla: " << m << "\n";
                         err.flush();
                         QCoreApplication::exit(1);
                     });
    app.start();
    return qtApp->exec();
}
