#include "process_setup.h"

#include <xmlrpc-c/client_global.h>
#include <xmlrpc-c/util.h>

#include <QDir>
#include <QFile>

#include <csignal>
#include <cstdio>

namespace charla::test {

bool setUpProcess() {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    std::signal(SIGPIPE, SIG_IGN);
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 16 * 1024 * 1024);
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    xmlrpc_client_setup_global_const(&env);
    const bool failed = env.fault_occurred;
    if (failed)
        std::fprintf(stderr, "xmlrpc_client_setup_global_const: %s\n", env.fault_string);
    xmlrpc_env_clean(&env);
    return !failed;
}

namespace {

QString privateHomeTemplate() {
    const QString base = qEnvironmentVariable("XDG_CONFIG_HOME", QDir::tempPath());
    QDir().mkpath(base);
    return QDir(base).filePath(QStringLiteral("charla-test-XXXXXX"));
}

} // namespace

PrivateHome::PrivateHome() : dir_(privateHomeTemplate()) {
    if (!dir_.isValid())
        qFatal("cannot create a private settings directory: %s", qPrintable(dir_.errorString()));
    const QDir home(dir_.path());
    qputenv("XDG_CONFIG_HOME", home.filePath("config").toLocal8Bit());
    qputenv("XDG_DATA_HOME", home.filePath("data").toLocal8Bit());
    // Qt (and PulseAudio) insist that a runtime directory is private.
    const QString runtime = home.filePath("runtime");
    QDir().mkpath(runtime);
    QFile::setPermissions(runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    qputenv("XDG_RUNTIME_DIR", runtime.toLocal8Bit());
}

} // namespace charla::test
