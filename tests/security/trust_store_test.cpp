// The known peers: trust on first use, a changed key refused until accepted on purpose, verified
// marks, and a damaged file reported rather than overwritten.
#include "files.h" // tests/support
#include "security/trust_store.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <sys/stat.h>

namespace charla::security {
namespace {

using charla::test::readFile;
using charla::test::writeFile;

const QString kBob = QStringLiteral("192.168.1.20:5000");
const QString kKeyA = QString(64, QLatin1Char('a'));
const QString kKeyB = QString(64, QLatin1Char('b'));

class TrustStoreTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(home.isValid()); }
    QString path() const { return home.filePath(QStringLiteral("known_peers")); }
    TrustStore load() {
        QString error;
        std::optional<TrustStore> store = TrustStore::load(path(), &error);
        EXPECT_TRUE(store) << error.toStdString();
        return store ? std::move(*store) : *TrustStore::load(home.filePath("empty"), &error);
    }
    QTemporaryDir home;
};

TEST_F(TrustStoreTest, FirstKeyIsRememberedAndSurvivesARestart) {
    TrustStore store = load();
    EXPECT_EQ(store.check(kBob, kKeyA), KeyTrust::FirstContact);
    QString error;
    ASSERT_TRUE(store.trust(kBob, kKeyA, &error)) << error.toStdString();
    EXPECT_EQ(store.check(kBob, kKeyA), KeyTrust::Known);

    TrustStore again = load();
    EXPECT_EQ(again.check(kBob, kKeyA), KeyTrust::Known);
    EXPECT_FALSE(again.known(kBob)->verified);
    struct stat st {};
    ASSERT_EQ(::stat(QFile::encodeName(path()).constData(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TrustStoreTest, AChangedKeyIsRefusedUntilAcceptedOnPurpose) {
    TrustStore store = load();
    QString error;
    ASSERT_TRUE(store.trust(kBob, kKeyA, &error));
    ASSERT_TRUE(store.setVerified(kBob, kKeyA, true, &error)) << error.toStdString();
    EXPECT_EQ(store.check(kBob, kKeyB), KeyTrust::Changed);
    EXPECT_EQ(load().check(kBob, kKeyB), KeyTrust::Changed) << "after a restart too";
    // Verifying the new key without accepting it first is refused.
    EXPECT_FALSE(store.setVerified(kBob, kKeyB, true, &error));
    // Accepting it on purpose replaces the old one and drops the verified mark.
    ASSERT_TRUE(store.trust(kBob, kKeyB, &error)) << error.toStdString();
    EXPECT_EQ(store.check(kBob, kKeyB), KeyTrust::Known);
    EXPECT_EQ(store.check(kBob, kKeyA), KeyTrust::Changed);
    EXPECT_FALSE(store.known(kBob)->verified);
}

TEST_F(TrustStoreTest, VerifiedMarkSurvivesARestart) {
    TrustStore store = load();
    QString error;
    ASSERT_TRUE(store.trust(kBob, kKeyA, &error));
    ASSERT_TRUE(store.setVerified(kBob, kKeyA, true, &error));
    EXPECT_TRUE(load().known(kBob)->verified);
}

TEST_F(TrustStoreTest, ADamagedFileIsAnErrorAndIsKept) {
    for (const QByteArray& junk : {QByteArray("192.168.1.20:5000 nothex verified\n"),
                                   QByteArray("192.168.1.20:5000 ") + kKeyA.toLatin1() + " maybe\n",
                                   QByteArray(2 * 1024 * 1024, 'x')}) {
        ASSERT_TRUE(writeFile(path(), junk));
        QString error;
        EXPECT_FALSE(TrustStore::load(path(), &error));
        EXPECT_FALSE(error.isEmpty());
        EXPECT_EQ(readFile(path()), junk);
    }
}

TEST_F(TrustStoreTest, NamesThatWouldBreakTheFileAreRefused) {
    TrustStore store = load();
    QString error;
    EXPECT_FALSE(store.trust(QStringLiteral("bob\n192.168.1.21:5000"), kKeyA, &error));
    EXPECT_FALSE(store.trust(QStringLiteral("bob host"), kKeyA, &error));
    EXPECT_FALSE(store.trust(kBob, QStringLiteral("zz"), &error));
    EXPECT_EQ(store.check(kBob, kKeyA), KeyTrust::FirstContact);
    EXPECT_EQ(load().check(kBob, kKeyA), KeyTrust::FirstContact);
}

TEST_F(TrustStoreTest, AFailedSaveForgetsNothing) {
    TrustStore store = load();
    QString error;
    ASSERT_TRUE(store.trust(kBob, kKeyA, &error));
    // A directory where the temporary file would go makes the save fail.
    ASSERT_TRUE(QDir().mkpath(path() + ".new"));
    EXPECT_FALSE(store.trust(kBob, kKeyB, &error));
    EXPECT_FALSE(error.isEmpty());
    EXPECT_EQ(store.check(kBob, kKeyA), KeyTrust::Known) << "the old key stays in memory";
    EXPECT_EQ(load().check(kBob, kKeyA), KeyTrust::Known) << "and on disk";
}

} // namespace
} // namespace charla::security
