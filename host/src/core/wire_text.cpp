#include "core/wire_text.h"

#include <QList>
#include <QString>
#include <QStringDecoder>

namespace charla::host {

namespace {

// XML 1.0's Char production, less CR (see the header).
bool isSendable(char32_t c) {
    return c == U'\t' || c == U'\n' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

} // namespace

std::optional<std::string> whyUnsendable(std::string_view text) {
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder.decode(QByteArrayView(text.data(), qsizetype(text.size())));
    if (decoder.hasError())
        return "it is not valid UTF-8";
    for (const char32_t c : decoded.toUcs4())
        if (!isSendable(c))
            return "it holds U+" +
                   QString::number(c, 16).toUpper().rightJustified(4, u'0').toStdString() +
                   ", a character XML-RPC cannot carry";
    return std::nullopt;
}

} // namespace charla::host
