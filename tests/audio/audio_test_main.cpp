// The audio suites' main: the process-wide set-up of host/src/app/main.cpp, before any thread or
// test runs, and a QCoreApplication for the parts that use Qt's event loop.
#include <xmlrpc-c/client_global.h>
#include <xmlrpc-c/util.h>

#include <QCoreApplication>

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
    QCoreApplication app(argc, argv);
    return RUN_ALL_TESTS();
}
