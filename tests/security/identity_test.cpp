// The identity key: made once, kept 0600, the same after a restart, never replaced when the file
// is damaged; and safety numbers that both sides compute alike and that change with a key.
#include "files.h" // tests/support
#include "racing_processes.h"
#include "security/identity.h"
#include "security/private_file.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <sys/stat.h>

namespace charla::security {
namespace {

using charla::test::readFile;
using charla::test::writeFile;

mode_t modeOf(const QString& path) {
    struct stat st {};
    EXPECT_EQ(::stat(QFile::encodeName(path).constData(), &st), 0) << path.toStdString();
    return st.st_mode & 0777;
}

class IdentityTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(home.isValid()); }
    QString dir() const { return home.filePath(QStringLiteral("identity")); }
    QString keyPath() const { return QDir(dir()).filePath(Identity::keyFileName()); }

    QTemporaryDir home;
};

TEST_F(IdentityTest, FirstStartMakesAKeyOnlyTheUserCanRead) {
    ::umask(0022); // the usual umask: files would be 0644 without care
    QString error;
    const std::optional<Identity> identity = Identity::loadOrCreate(dir(), &error);
    ASSERT_TRUE(identity) << error.toStdString();
    EXPECT_EQ(identity->publicKey().size(), 32);
    EXPECT_EQ(identity->fingerprint().size(), 64);
    EXPECT_EQ(modeOf(keyPath()), 0600u);
    EXPECT_EQ(modeOf(dir()), 0700u);
    // The certificate carries the same key and verifies with it (self-signed).
    ASSERT_NE(identity->certificate(), nullptr);
    EXPECT_EQ(X509_verify(identity->certificate(), identity->key()), 1);
}

TEST_F(IdentityTest, TheSameKeyAfterARestart) {
    QString error;
    const auto first = Identity::loadOrCreate(dir(), &error);
    ASSERT_TRUE(first) << error.toStdString();
    const auto second = Identity::loadOrCreate(dir(), &error);
    ASSERT_TRUE(second) << error.toStdString();
    EXPECT_EQ(first->publicKey(), second->publicKey());
    // Another installation has another key.
    QTemporaryDir other;
    const auto stranger = Identity::loadOrCreate(other.path(), &error);
    ASSERT_TRUE(stranger) << error.toStdString();
    EXPECT_NE(stranger->publicKey(), first->publicKey());
}

TEST_F(IdentityTest, AKeyFileOpenToOthersIsNarrowed) {
    QString error;
    ASSERT_TRUE(Identity::loadOrCreate(dir(), &error)) << error.toStdString();
    ASSERT_EQ(::chmod(QFile::encodeName(keyPath()).constData(), 0644), 0);
    ASSERT_TRUE(Identity::loadOrCreate(dir(), &error)) << error.toStdString();
    EXPECT_EQ(modeOf(keyPath()), 0600u);
}

TEST_F(IdentityTest, ADamagedKeyFileIsAnErrorAndIsKept) {
    ASSERT_TRUE(QDir().mkpath(dir()));
    for (const QByteArray& junk :
         {QByteArray("not a key"), QByteArray(), QByteArray(100000, 'A'),
          QByteArray("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")}) {
        ASSERT_TRUE(writeFile(keyPath(), junk));
        QString error;
        EXPECT_FALSE(Identity::loadOrCreate(dir(), &error));
        EXPECT_TRUE(error.contains(QStringLiteral("not an Ed25519 private key")))
            << error.toStdString();
        EXPECT_EQ(readFile(keyPath()), junk) << "the file must not be replaced";
    }
}

TEST_F(IdentityTest, AnRsaKeyIsRefused) {
    ASSERT_TRUE(QDir().mkpath(dir()));
    EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    ASSERT_NE(rsa, nullptr);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, rsa, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    ASSERT_TRUE(writeFile(keyPath(), QByteArray(data, static_cast<qsizetype>(size))));
    BIO_free(bio);
    EVP_PKEY_free(rsa);
    QString error;
    EXPECT_FALSE(Identity::loadOrCreate(dir(), &error));
    EXPECT_TRUE(error.contains(QStringLiteral("Ed25519"))) << error.toStdString();
}

// Two instances started at the same moment on a new data directory (two `charla` on one computer,
// the video bench): each finds no key and makes one. Exactly one must be saved, the other process
// must take it rather than fail or replace it (its contacts would see its key change).
TEST_F(IdentityTest, ProcessesStartingTogetherAllGetTheOneKeyOnDisk) {
    constexpr int kRounds = 25;
    constexpr int kProcesses = 4;
    for (int round = 0; round < kRounds; ++round) {
        const QString roundDir = QDir(dir()).filePath(QString::number(round));
        const std::vector<std::string> keys = test::raceProcesses(
            kProcesses, [](int) {},
            [&](int) {
                QString error;
                const std::optional<Identity> identity = Identity::loadOrCreate(roundDir, &error);
                return identity ? identity->fingerprint().toStdString()
                                : "error: " + error.toStdString();
            });
        ASSERT_EQ(keys.size(), std::size_t(kProcesses));
        QString error;
        const std::optional<Identity> onDisk = Identity::loadOrCreate(roundDir, &error);
        ASSERT_TRUE(onDisk) << error.toStdString();
        for (const std::string& key : keys)
            ASSERT_EQ(key, onDisk->fingerprint().toStdString()) << "round " << round;
        // No temporary file left behind.
        EXPECT_EQ(QDir(roundDir).entryList(QDir::Files | QDir::Hidden),
                  QStringList{Identity::keyFileName()});
    }
}

TEST_F(IdentityTest, AKeyMadeMeanwhileIsNeverReplaced) {
    // The key file appears after the check for it: the key made then is dropped, the file kept.
    QString error;
    ASSERT_TRUE(Identity::loadOrCreate(dir(), &error)) << error.toStdString();
    const QByteArray pem = readFile(keyPath());
    ASSERT_EQ(createPrivateFile(keyPath(), "another key", &error), CreateResult::Exists);
    EXPECT_EQ(readFile(keyPath()), pem);
}

TEST(SafetyNumber, BothSidesSeeTheSameSixtyDigits) {
    QTemporaryDir a, b;
    QString error;
    const auto alice = Identity::loadOrCreate(a.path(), &error);
    const auto bob = Identity::loadOrCreate(b.path(), &error);
    ASSERT_TRUE(alice && bob) << error.toStdString();
    const QString seenByAlice = safetyNumber(alice->publicKey(), bob->publicKey());
    const QString seenByBob = safetyNumber(bob->publicKey(), alice->publicKey());
    EXPECT_EQ(seenByAlice, seenByBob);
    EXPECT_TRUE(
        QRegularExpression(QStringLiteral("^(\\d{5} ){11}\\d{5}$")).match(seenByAlice).hasMatch())
        << seenByAlice.toStdString();
}

TEST(SafetyNumber, AnotherKeyGivesAnotherNumber) {
    QTemporaryDir a, b, c;
    QString error;
    const auto alice = Identity::loadOrCreate(a.path(), &error);
    const auto bob = Identity::loadOrCreate(b.path(), &error);
    const auto mallory = Identity::loadOrCreate(c.path(), &error);
    ASSERT_TRUE(alice && bob && mallory) << error.toStdString();
    const QString real = safetyNumber(alice->publicKey(), bob->publicKey());
    const QString faked = safetyNumber(alice->publicKey(), mallory->publicKey());
    EXPECT_NE(real, faked);
    // Each half belongs to one key: Alice's half is in both, Bob's is not in the faked one.
    const QStringList realHalves = {real.left(35), real.mid(36)};
    int shared = 0;
    for (const QString& half : realHalves)
        shared += faked.contains(half) ? 1 : 0;
    EXPECT_EQ(shared, 1);
}

} // namespace
} // namespace charla::security
