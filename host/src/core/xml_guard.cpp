#include "core/xml_guard.h"

#include <QXmlStreamReader>

#include <charconv>
#include <cstdint>

namespace charla::host {

namespace {

bool isPlainInt64(const QString& text) {
    const std::string s = text.toStdString();
    const char* begin = s.data();
    const char* end = s.data() + s.size();
    if (begin != end && *begin == '+')
        ++begin;
    if (begin == end)
        return false;
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    return ec == std::errc() && ptr == end;
}

} // namespace

std::optional<std::string> xmlrpcHazard(const std::string& xml) {
    // Cheap exit for the common case: no <i8> at all (the string can only hide in tag names).
    if (xml.find("i8") == std::string::npos)
        return std::nullopt;
    QXmlStreamReader reader(QByteArray::fromRawData(xml.data(), qsizetype(xml.size())));
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement() && reader.name() == QLatin1String("i8")) {
            const QString text = reader.readElementText(QXmlStreamReader::IncludeChildElements);
            if (reader.hasError())
                break;
            if (!isPlainInt64(text))
                return "an <i8> value is not a 64-bit integer";
        }
    }
    if (reader.hasError() && reader.error() != QXmlStreamReader::PrematureEndOfDocumentError)
        return "not well-formed XML (" + reader.errorString().toStdString() + ")";
    return std::nullopt;
}

} // namespace charla::host
