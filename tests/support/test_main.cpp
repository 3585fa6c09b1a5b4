// The main of every GoogleTest suite: the process-wide set-up of host/src/app/main.cpp before any
// thread or test runs, then the Qt application the suite's code needs for its event loop. Built
// twice (tests/support/CMakeLists.txt): charla_test_main with a QCoreApplication, and
// charla_test_main_widgets with a QApplication (offscreen without a display) for suites that
// show widgets.
#include "process_setup.h"

#ifdef CHARLA_TEST_MAIN_WIDGETS
#include <QApplication>
using TestApplication = QApplication;
#else
#include <QCoreApplication>
using TestApplication = QCoreApplication;
#endif

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    if (!charla::test::setUpProcess())
        return 1;
    // Settings and data of this process only: a test that changes a setting (the camera turned
    // off) must not leak into the next run, nor into a parallel run of the same suite.
    const charla::test::PrivateHome home;
    ::testing::InitGoogleTest(&argc, argv);
    TestApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("CharlaTests"));
    return RUN_ALL_TESTS();
}
