// Names a contact offers: sanitizeFileName and uniquePath (docs/protocol-files.md).
#include "file_names.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QTemporaryDir>

using charla::files::kMaxNameBytes;
using charla::files::sanitizeFileName;
using charla::files::uniquePath;

TEST(FileNames, PathSeparatorsNeverLeaveTheDirectory) {
    EXPECT_EQ(sanitizeFileName("../../etc/passwd"), "_.._etc_passwd");
    EXPECT_EQ(sanitizeFileName("..\\..\\boot.ini"), "_.._boot.ini");
    EXPECT_EQ(sanitizeFileName("/abs/path.txt"), "_abs_path.txt");
    EXPECT_EQ(sanitizeFileName("a/b"), "a_b");
}

TEST(FileNames, DotsAndHiddenNames) {
    EXPECT_EQ(sanitizeFileName(".."), "file");
    EXPECT_EQ(sanitizeFileName("."), "file");
    EXPECT_EQ(sanitizeFileName(".bashrc"), "bashrc");
    EXPECT_EQ(sanitizeFileName(" . .profile"), "profile");
    EXPECT_EQ(sanitizeFileName("name. . "), "name");
    EXPECT_EQ(sanitizeFileName(""), "file");
}

TEST(FileNames, ControlAndFormatCharactersAreDropped) {
    EXPECT_EQ(sanitizeFileName(QStringLiteral("a\x01"
                                              "b\x7f"
                                              "c\x9b.txt")),
              "abc.txt");
    EXPECT_EQ(sanitizeFileName(QStringLiteral("two\nlines\r.txt")), "two lines .txt");
    // U+202E (right-to-left override) would show "photo<U+202E>gnp.exe" as "photoexe.png".
    EXPECT_EQ(sanitizeFileName(QString::fromUtf8("photo\u202egnp.exe")), "photognp.exe");
    EXPECT_EQ(sanitizeFileName(QString::fromUtf8("tab\there")), "tab here");
    EXPECT_EQ(sanitizeFileName(QString::fromUtf8("caf\u00e9 \U0001F600.png")),
              QString::fromUtf8("caf\u00e9 \U0001F600.png"));
}

TEST(FileNames, ReservedAndForbiddenCharacters) {
    EXPECT_EQ(sanitizeFileName("CON"), "_CON");
    EXPECT_EQ(sanitizeFileName("nul.txt"), "_nul.txt");
    EXPECT_EQ(sanitizeFileName("com1.log"), "_com1.log");
    EXPECT_EQ(sanitizeFileName("lpt9"), "_lpt9");
    EXPECT_EQ(sanitizeFileName("console.txt"), "console.txt");
    EXPECT_EQ(sanitizeFileName("com10"), "com10");
    EXPECT_EQ(sanitizeFileName("a<b>c:d\"e|f?g*h"), "a_b_c_d_e_f_g_h");
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
