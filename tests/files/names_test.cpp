// Names a contact offers: sanitizeFileName and uniquePath (docs/protocol-files.md).
#include "file_names.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QTemporaryDir>

#include <initializer_list>
#include <utility>

using charla::files::kMaxNameBytes;
using charla::files::sanitizeFileName;
using charla::files::uniquePath;

namespace {

// Each offered name and the name it is saved under.
void expectSanitized(std::initializer_list<std::pair<QString, QString>> cases) {
    for (const auto& [offered, saved] : cases)
        EXPECT_EQ(sanitizeFileName(offered), saved) << "offered: " << offered.toStdString();
}

} // namespace

TEST(FileNames, PathSeparatorsNeverLeaveTheDirectory) {
    expectSanitized({{"../../etc/passwd", "_.._etc_passwd"},
                     {"..\\..\\boot.ini", "_.._boot.ini"},
                     {"/abs/path.txt", "_abs_path.txt"},
                     {"a/b", "a_b"}});
}

TEST(FileNames, DotsAndHiddenNames) {
    expectSanitized({{"..", "file"},
                     {".", "file"},
                     {".bashrc", "bashrc"},
                     {" . .profile", "profile"},
                     {"name. . ", "name"},
                     {"", "file"}});
}

TEST(FileNames, ControlAndFormatCharactersAreDropped) {
    expectSanitized({
        {QStringLiteral("a\x01"
                        "b\x7f"
                        "c\x9b.txt"),
         "abc.txt"},
        {QStringLiteral("two\nlines\r.txt"), "two lines .txt"},
        // U+202E (right-to-left override) would show "photo<U+202E>gnp.exe" as "photoexe.png".
        {QString::fromUtf8("photo\u202egnp.exe"), "photognp.exe"},
        {QString::fromUtf8("tab\there"), "tab here"},
        {QString::fromUtf8("caf\u00e9 \U0001F600.png"),
         QString::fromUtf8("caf\u00e9 \U0001F600.png")},
    });
}

TEST(FileNames, ReservedAndForbiddenCharacters) {
    expectSanitized({{"CON", "_CON"},
                     {"nul.txt", "_nul.txt"},
                     {"com1.log", "_com1.log"},
                     {"lpt9", "_lpt9"},
                     {"console.txt", "console.txt"},
                     {"com10", "com10"},
                     {"a<b>c:d\"e|f?g*h", "a_b_c_d_e_f_g_h"}});
}

TEST(FileNames, LongNamesAreCutKeepingTheExtension) {
    const QString name = sanitizeFileName(QString(300, QChar(0x00e9)) + ".jpeg");
    EXPECT_LE(name.toUtf8().size(), kMaxNameBytes);
    EXPECT_TRUE(name.endsWith(".jpeg"));
    EXPECT_FALSE(name.contains(QChar(0xfffd)));
    // Never half an emoji (a surrogate pair cut in two).
    const QString emoji = sanitizeFileName(QString::fromUtf8("\U0001F600").repeated(80));
    EXPECT_LE(emoji.toUtf8().size(), kMaxNameBytes);
    EXPECT_EQ(emoji.size() % 2, 0);
    EXPECT_FALSE(emoji.toUtf8().contains("\xef\xbf\xbd"));
}

TEST(FileNames, CollisionsGetANumber) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QDir d(dir.path());
    EXPECT_EQ(uniquePath(d, "photo.png"), d.filePath("photo.png"));
    QFile(d.filePath("photo.png")).open(QIODevice::WriteOnly);
    EXPECT_EQ(uniquePath(d, "photo.png"), d.filePath("photo (2).png"));
    QFile(d.filePath("photo (2).png")).open(QIODevice::WriteOnly);
    EXPECT_EQ(uniquePath(d, "photo.png"), d.filePath("photo (3).png"));
    QFile(d.filePath("README")).open(QIODevice::WriteOnly);
    EXPECT_EQ(uniquePath(d, "README"), d.filePath("README (2)"));
}
