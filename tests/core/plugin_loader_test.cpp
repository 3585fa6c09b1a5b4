// The loader's crash guard on its own: what it writes while a plugin loads and what a leftover
// file means at the next start. (Loading the fixture libraries: plugin_manager_test.cpp.)
#include "core/plugin_loader.h"
#include "files.h" // tests/support

#include <gtest/gtest.h>

#include <QFile>

namespace charla::test {
namespace {

using host::CrashGuard;

class CrashGuardTest : public ::testing::Test {
protected:
    void SetUp() override { QFile::remove(path); }
    void TearDown() override { QFile::remove(path); }

    void write(const char* content) { ASSERT_TRUE(writeFile(path, content)); }
    QString read() { return QString::fromUtf8(readFile(path)); }

    const QString path =
        QString::fromStdString(::testing::TempDir() + "charla-guard-" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
};

TEST_F(CrashGuardTest, MarksThePluginWhileItLoadsAndForgetsItAfter) {
    CrashGuard guard(path);
    {
        const CrashGuard::Armed armed = guard.arm("echo");
        EXPECT_EQ(read(), "echo\n1\n");
    }
    EXPECT_FALSE(QFile::exists(path));
    EXPECT_EQ(guard.takeLeftover(), "");
}

TEST_F(CrashGuardTest, AFirstLeftoverIsAStrikeNotAVerdict) {
    write("echo\n1\n");
    CrashGuard guard(path);
    EXPECT_EQ(guard.takeLeftover(), "") << "one leftover must not keep the plugin off";
    EXPECT_FALSE(QFile::exists(path)) << "the leftover is consumed";
    {
        const CrashGuard::Armed other = guard.arm("text");
        EXPECT_EQ(read(), "text\n1\n") << "the strike is the other plugin's";
    }
    {
        const CrashGuard::Armed armed = guard.arm("echo");
        EXPECT_EQ(read(), "echo\n2\n") << "loading it again carries the strike";
    }
    {
        const CrashGuard::Armed armed = guard.arm("echo");
        EXPECT_EQ(read(), "echo\n1\n") << "a load that came through forgives the strike";
    }
}

TEST_F(CrashGuardTest, ASecondLeftoverKeepsThePluginOff) {
    write("echo\n2\n");
    EXPECT_EQ(CrashGuard(path).takeLeftover(), "echo");
    EXPECT_FALSE(QFile::exists(path));
}

TEST_F(CrashGuardTest, AnOldStyleLeftoverCountsAsOneStrike) {
    write("echo\n"); // the id alone, as Charla wrote it before strikes
    EXPECT_EQ(CrashGuard(path).takeLeftover(), "");
}

TEST_F(CrashGuardTest, NoPathNoGuard) {
    CrashGuard guard;
    const CrashGuard::Armed armed = guard.arm("echo");
    EXPECT_EQ(guard.takeLeftover(), "");
}

} // namespace
} // namespace charla::test
