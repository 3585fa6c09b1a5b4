// The known peers: trust on first use, a changed key refused until accepted on purpose, verified
// marks, and a damaged file reported rather than overwritten.
#include "files.h" // tests/support
#include "racing_processes.h"
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
    // A directory in place of the lock file makes the change fail.
    ASSERT_TRUE(QFile::remove(path() + ".lock"));
    ASSERT_TRUE(QDir().mkpath(path() + ".lock"));
    EXPECT_FALSE(store.trust(kBob, kKeyB, &error));
    EXPECT_FALSE(error.isEmpty());
    EXPECT_EQ(store.check(kBob, kKeyA), KeyTrust::Known) << "the old key stays in memory";
    EXPECT_EQ(load().check(kBob, kKeyA), KeyTrust::Known) << "and on disk";
}

// Two instances sharing the data directory, each with the store it loaded at start.
const QString kCarol = QStringLiteral("192.168.1.30:5000");

TEST_F(TrustStoreTest, APinByAnotherInstanceIsKeptAndSeen) {
    TrustStore mine = load();
    TrustStore theirs = load();
    QString error;
    ASSERT_TRUE(theirs.trust(kBob, kKeyA, &error)) << error.toStdString();
    // Our change is made to the file as it is now, not to the copy we loaded.
    ASSERT_TRUE(mine.trust(kCarol, kKeyB, &error)) << error.toStdString();
    EXPECT_EQ(load().check(kBob, kKeyA), KeyTrust::Known) << "their pin survives ours";
    EXPECT_EQ(load().check(kCarol, kKeyB), KeyTrust::Known);
    // And a key they remembered is the remembered key here too: another is not a first contact.
    ASSERT_TRUE(theirs.trust(QStringLiteral("10.0.0.9:5000"), kKeyA, &error));
    EXPECT_EQ(mine.check(QStringLiteral("10.0.0.9:5000"), kKeyB), KeyTrust::Changed);
    EXPECT_EQ(mine.check(QStringLiteral("10.0.0.9:5000"), kKeyA), KeyTrust::Known);
}

TEST_F(TrustStoreTest, AFirstContactPinnedMeanwhileByAnotherInstanceIsNotReplaced) {
    TrustStore mine = load();
    EXPECT_EQ(mine.check(kBob, kKeyB), KeyTrust::FirstContact);
    QString error;
    ASSERT_TRUE(load().trust(kBob, kKeyA, &error)); // between our check and our pin
    EXPECT_EQ(mine.rememberFirst(kBob, kKeyB, &error), KeyTrust::Changed);
    EXPECT_EQ(load().check(kBob, kKeyA), KeyTrust::Known) << "their key stays remembered";
    EXPECT_EQ(mine.rememberFirst(kBob, kKeyA, &error), KeyTrust::Known);
    EXPECT_EQ(mine.rememberFirst(kCarol, kKeyB, &error), KeyTrust::FirstContact);
    EXPECT_EQ(load().check(kCarol, kKeyB), KeyTrust::Known);
}

TEST_F(TrustStoreTest, ProcessesPinningAtOnceKeepEveryPin) {
    constexpr int kRounds = 15;
    constexpr int kProcesses = 4;
    for (int round = 0; round < kRounds; ++round) {
        const QString roundPath = home.filePath(QStringLiteral("known_peers_%1").arg(round));
        QString error;
        std::optional<TrustStore> store;
        const std::vector<std::string> results = test::raceProcesses(
            kProcesses,
            [&](int) {
                // The store as an instance loads it at start; then the instances pin at once.
                store = TrustStore::load(roundPath, &error);
            },
            [&](int index) {
                if (!store)
                    return "error: " + error.toStdString();
                const QString contact = QStringLiteral("10.1.%1.%2:5000").arg(round).arg(index);
                if (!store->trust(contact, kKeyA, &error))
                    return "error: " + error.toStdString();
                return contact.toStdString();
            });
        ASSERT_EQ(results.size(), std::size_t(kProcesses));
        const std::optional<TrustStore> after = TrustStore::load(roundPath, &error);
        ASSERT_TRUE(after) << error.toStdString();
        for (const std::string& contact : results) {
            ASSERT_EQ(contact.rfind("error", 0), std::string::npos) << contact;
            EXPECT_EQ(after->check(QString::fromStdString(contact), kKeyA), KeyTrust::Known)
                << "round " << round << ": the pin of " << contact << " was lost";
        }
    }
}

} // namespace
} // namespace charla::security
