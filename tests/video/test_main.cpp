// The video suite's main: the same process-wide set-up as host/src/app/main.cpp, before any
// thread starts, and a QApplication (offscreen, from CHARLA_TEST_ENV) for the panel tests.
#include <xmlrpc-c/client_global.h>
#include <xmlrpc-c/util.h>

#include <QApplication>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 16 * 1024 * 1024);
    {
        xmlrpc_env env;
        xmlrpc_env_init(&env);
        xmlrpc_client_setup_global_const(&env);
        const bool failed = env.fault_occurred;
        if (failed)
            std::fprintf(stderr, "xmlrpc_client_setup_global_const: %s\n", env.fault_string);
        xmlrpc_env_clean(&env);
        if (failed)
            return 1;
    }
    ::testing::InitGoogleTest(&argc, argv);
    // ctest sets offscreen (CHARLA_TEST_ENV); test discovery and hand runs may have no display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName("CharlaTests");
    QApplication::setApplicationName("video-tests");
    return RUN_ALL_TESTS();
}
