#include "file_names.h"

#include <QFileInfo>
#include <QStringList>

namespace charla::files {
namespace {

bool isReservedDeviceName(const QString& name) {
    // Windows refuses these with any extension ("nul.txt"): a file sent on must stay openable.
    const QString stem = name.section(QLatin1Char('.'), 0, 0).trimmed().toUpper();
    static const QStringList fixed = {"CON", "PRN", "AUX", "NUL"};
    if (fixed.contains(stem))
        return true;
    if (stem.size() == 4 &&
        (stem.startsWith(QLatin1String("COM")) || stem.startsWith(QLatin1String("LPT"))))
        return stem[3] >= QLatin1Char('1') && stem[3] <= QLatin1Char('9');
    return false;
}

// Splits at the last dot that is not the first character: "a.tar.gz" -> ("a.tar", ".gz").
std::pair<QString, QString> splitExtension(const QString& name) {
    const int dot = name.lastIndexOf(QLatin1Char('.'));
    if (dot <= 0 || name.size() - dot > 16) // a "suffix" of 16+ chars is part of the name
        return {name, QString()};
    return {name.left(dot), name.mid(dot)};
}

QString cutToBytes(const QString& text, int maxBytes) {
    QString out;
    int bytes = 0;
    for (int i = 0; i < text.size(); ++i) {
        // Never split a surrogate pair.
        const int len = (text[i].isHighSurrogate() && i + 1 < text.size()) ? 2 : 1;
        const int add = text.mid(i, len).toUtf8().size();
        if (bytes + add > maxBytes)
            break;
        out += text.mid(i, len);
        bytes += add;
        i += len - 1;
    }
    return out;
}

} // namespace

QString sanitizeFileName(const QString& offered) {
    QString name;
    name.reserve(offered.size());
    for (int i = 0; i < offered.size(); ++i) {
        const QChar c = offered[i];
        if (c.isHighSurrogate() && i + 1 < offered.size() && offered[i + 1].isLowSurrogate()) {
            const char32_t code = QChar::surrogateToUcs4(c, offered[i + 1]);
            const auto category = QChar::category(code);
            if (category != QChar::Other_Format && category != QChar::Other_Control)
                name += offered.mid(i, 2);
            ++i;
            continue;
        }
        if (c.isSpace()) { // tabs, line breaks, line and paragraph separators
            name += QLatin1Char(' ');
            continue;
        }
        if (c.isSurrogate() || c.category() == QChar::Other_Control ||
            c.category() == QChar::Other_Format || c == QChar(0xFFFD))
            continue;
        if (c == QLatin1Char('/') || c == QLatin1Char('\\') || c == QLatin1Char('<') ||
            c == QLatin1Char('>') || c == QLatin1Char(':') || c == QLatin1Char('"') ||
            c == QLatin1Char('|') || c == QLatin1Char('?') || c == QLatin1Char('*'))
            name += QLatin1Char('_');
        else
            name += c;
    }
    // Hidden files and "." / "..": no leading dots; trailing dots and spaces vanish on Windows.
    while (!name.isEmpty() && (name.front() == QLatin1Char('.') || name.front().isSpace()))
        name.remove(0, 1);
    while (!name.isEmpty() && (name.back() == QLatin1Char('.') || name.back().isSpace()))
        name.chop(1);
    if (name.isEmpty())
        name = QStringLiteral("file");
    if (isReservedDeviceName(name))
        name.prepend(QLatin1Char('_'));
    if (name.toUtf8().size() > kMaxNameBytes) {
        auto [stem, ext] = splitExtension(name);
        const int extBytes = ext.toUtf8().size();
        name = cutToBytes(stem, kMaxNameBytes - extBytes).trimmed() + ext;
    }
    return name;
}

QString numberedName(const QString& name, int n) {
    const auto [stem, ext] = splitExtension(name);
    return QStringLiteral("%1 (%2)%3").arg(stem).arg(n).arg(ext);
}

QString uniquePath(const QDir& dir, const QString& name) {
    QString candidate = dir.filePath(name);
    for (int n = 2; QFileInfo::exists(candidate); ++n)
        candidate = dir.filePath(numberedName(name, n));
    return candidate;
}

} // namespace charla::files
