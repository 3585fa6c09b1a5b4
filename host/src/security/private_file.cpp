#include "security/private_file.h"

#include "core/logging.h"

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace charla::security {

namespace {

QString systemError(const char* what, const QString& path) {
    return QStringLiteral("cannot %1 %2: %3")
        .arg(QLatin1String(what), path, QString::fromLocal8Bit(std::strerror(errno)));
}

// `data` in a new file of a unique name beside `target` (mkostemp: 0600, O_EXCL), synced to disk.
// Returns its name, or an empty one and *error.
QByteArray writeTemporary(const QString& path, const QByteArray& target, const QByteArray& data,
                          QString* error) {
    QByteArray name = target + ".XXXXXX";
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) {
        *error = systemError("create", path);
        return {};
    }
    qsizetype written = 0;
    bool ok = true;
    while (ok && written < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + written,
                                  static_cast<std::size_t>(data.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        written += ok ? n : 0;
    }
    if (!ok)
        *error = systemError("write", path);
    if (ok && ::fsync(fd) != 0) {
        *error = systemError("write", path);
        ok = false;
    }
    ::close(fd);
    if (!ok) {
        ::unlink(name.constData());
        return {};
    }
    return name;
}

// The new name survives a power cut only once its directory is synced too.
void syncDirectoryOf(const QString& path) {
    const int fd = ::open(QFile::encodeName(QFileInfo(path).absolutePath()).constData(),
                          O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace

bool writePrivateFile(const QString& path, const QByteArray& data, QString* error) {
    const QByteArray target = QFile::encodeName(path);
    const QByteArray temporary = writeTemporary(path, target, data, error);
    if (temporary.isEmpty())
        return false;
    if (::rename(temporary.constData(), target.constData()) != 0) {
        *error = systemError("save", path);
        ::unlink(temporary.constData());
        return false;
    }
    syncDirectoryOf(path);
    return true;
}

CreateResult createPrivateFile(const QString& path, const QByteArray& data, QString* error) {
    const QByteArray target = QFile::encodeName(path);
    const QByteArray temporary = writeTemporary(path, target, data, error);
    if (temporary.isEmpty())
        return CreateResult::Failed;
    // link() never replaces an existing name; where the file system has no hard links,
    // renameat2(RENAME_NOREPLACE) does the same.
    int result = ::link(temporary.constData(), target.constData());
    int failure = errno;
    bool renamed = false;
    if (result != 0 && failure != EEXIST) {
        result = ::renameat2(AT_FDCWD, temporary.constData(), AT_FDCWD, target.constData(),
                             RENAME_NOREPLACE);
        failure = errno;
        renamed = result == 0;
    }
    // Not after a rename: the name is free again and may be another process's temporary by now.
    if (!renamed)
        ::unlink(temporary.constData());
    if (result == 0) {
        syncDirectoryOf(path);
        return CreateResult::Created;
    }
    if (failure == EEXIST)
        return CreateResult::Exists;
    errno = failure;
    *error = systemError("save", path);
    return CreateResult::Failed;
}

void narrowToOwner(const QString& path) {
    constexpr QFileDevice::Permissions kOthers = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                 QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                 QFileDevice::WriteOther | QFileDevice::ExeOther;
    if (!(QFile::permissions(path) & kOthers))
        return;
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    qCWarning(lcSecurity).noquote() << path << "was open to other users: narrowed to 0600";
}

} // namespace charla::security
