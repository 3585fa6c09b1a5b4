#include "security/private_file.h"

#include "core/logging.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace charla::security {

namespace {

QString systemError(const char* what, const QString& path) {
    return QStringLiteral("cannot %1 %2: %3")
        .arg(QLatin1String(what), path, QString::fromLocal8Bit(std::strerror(errno)));
}

} // namespace

bool writePrivateFile(const QString& path, const QByteArray& data, QString* error) {
    const QByteArray target = QFile::encodeName(path);
    const QByteArray temporary = target + ".new";
    const int fd = ::open(temporary.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = systemError("create", path);
        return false;
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
    if (ok && ::rename(temporary.constData(), target.constData()) != 0) {
        *error = systemError("save", path);
        ok = false;
    }
    if (!ok)
        ::unlink(temporary.constData());
    return ok;
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
