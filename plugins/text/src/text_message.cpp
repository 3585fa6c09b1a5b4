#include "text_message.h"

#include <QStringDecoder>

#include <map>
#include <optional>
#include <stdexcept>

namespace charla::text {

namespace {

using Members = std::map<std::string, xmlrpc_c::value>;

// Echoes a rejected value in a fault without echoing a megabyte back.
std::string quoted(const std::string& value) {
    constexpr std::size_t kShown = 64;
    if (value.size() <= kShown)
        return "'" + value + "'";
    return "'" + value.substr(0, kShown) + "...'";
}

bool isUtc(const QDateTime& time) {
    return time.timeSpec() == Qt::UTC ||
           (time.timeSpec() == Qt::OffsetFromUTC && time.offsetFromUtc() == 0);
}

QDateTime parseUtcTime(const sdk::StructReader& members) {
    const std::string text = members.string("sent_at");
    const QString s = QString::fromStdString(text);
    // Qt reads a bare date as midnight; a message time needs the time of day.
    if (!s.contains(u'T'))
        members.fail("sent_at", quoted(text) + " is not an ISO 8601 date and time");
    QDateTime time = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(s, Qt::ISODate);
    if (!time.isValid())
        members.fail("sent_at", quoted(text) + " is not an ISO 8601 date and time");
    // Without an explicit zone Qt reads local time, which means something else on each machine.
    if (!isUtc(time))
        members.fail("sent_at", quoted(text) + " must be in UTC (end with 'Z')");
    return time.toUTC();
}

std::optional<QString> decodeUtf8(const std::string& bytes) {
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(QByteArrayView(bytes.data(), qsizetype(bytes.size())));
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

// Characters a string cannot carry through XML-RPC to every peer intact: outside the BMP (e.g.
// emoji: Charlas before the host's own XML-RPC reader refused them with -32700), what XML 1.0
// forbids (C0 controls but tab and LF, U+FFFE, U+FFFF), and CR, which XML turns into LF. Found by
// tests/fuzz.
bool isXmlUnsafe(char32_t c) {
    return c > 0xFFFF || c == 0xFFFE || c == 0xFFFF || c == U'\r' ||
           (c < 0x20 && c != U'\t' && c != U'\n');
}

bool needsExactCopy(const QString& text) {
    for (const char32_t c : text.toUcs4())
        if (isXmlUnsafe(c))
            return true;
    return false;
}

// What a peer that ignores body_utf8 shows: line ends as LF, every other unsafe character U+FFFD.
QString readableBody(const QString& text) {
    QString readable;
    const QList<uint> chars = text.toUcs4();
    for (qsizetype i = 0; i < chars.size(); ++i) {
        const char32_t c = chars[i];
        if (c == U'\r') {
            if (i + 1 >= chars.size() || chars[i + 1] != U'\n')
                readable += QChar(u'\n');
        } else if (isXmlUnsafe(c)) {
            readable += QChar(QChar::ReplacementCharacter);
        } else {
            readable += QChar(char16_t(c));
        }
    }
    return readable;
}

} // namespace

TextMessage makeOutgoingMessage(const QString& body) {
    return TextMessage{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), body};
}

QString composeProblem(const QString& body) {
    if (body.trimmed().isEmpty())
        return QStringLiteral("the message is empty");
    const qsizetype bytes = body.toUtf8().size();
    if (std::size_t(bytes) > kMaxBodyBytes)
        return QStringLiteral("the message is too long (%1 bytes, at most %2)")
            .arg(bytes)
            .arg(kMaxBodyBytes);
    return {};
}

TextMessage parseSendParams(const xmlrpc_c::paramList& params) {
    return parseTextMessage(sdk::StructReader::onlyParam(params, kSendMethod));
}

TextMessage parseTextMessage(const xmlrpc_c::value& value) {
    return parseTextMessage(sdk::StructReader(value, kSendMethod));
}

TextMessage parseTextMessage(const sdk::StructReader& members) {
    TextMessage message;
    const std::string id = members.string("id");
    message.id = QUuid::fromString(QString::fromStdString(id));
    if (message.id.isNull())
        members.fail("id", quoted(id) + " is not a UUID");

    message.sentAt = parseUtcTime(members);

    // A sender with characters older Charlas cannot read in a string (emoji, controls) also sends
    // the exact UTF-8 as base64 (docs/protocol.md); a stock client just sends them in `body`.
    std::string body = members.string("body", kMaxBodyBytes);
    if (auto exact = members.optionalBytes("body_utf8", kMaxBodyBytes))
        body.assign(exact->begin(), exact->end());
    if (body.empty())
        members.fail("body", "is empty");
    std::optional<QString> decoded = decodeUtf8(body);
    if (!decoded)
        members.fail("body", "is not valid UTF-8");
    message.body = std::move(*decoded);
    return message;
}

xmlrpc_c::value toXmlRpc(const TextMessage& message) {
    Members members;
    members.emplace("id", xmlrpc_c::value_string(wireId(message.id)));
    members.emplace("sent_at", xmlrpc_c::value_string(wireTime(message.sentAt)));
    const std::string utf8 = message.body.toStdString();
    if (needsExactCopy(message.body)) {
        // `body` stays readable for peers that ignore body_utf8; body_utf8 carries the exact text.
        members.emplace("body", xmlrpc_c::value_string(readableBody(message.body).toStdString()));
        members.emplace("body_utf8", xmlrpc_c::value_bytestring(
                                         std::vector<unsigned char>(utf8.begin(), utf8.end())));
    } else {
        members.emplace("body", xmlrpc_c::value_string(utf8));
    }
    return xmlrpc_c::value_struct(members);
}

std::string wireId(const QUuid& id) {
    return id.toString(QUuid::WithoutBraces).toStdString();
}

std::string wireTime(const QDateTime& time) {
    return time.toUTC().toString(Qt::ISODateWithMs).toStdString();
}

xmlrpc_c::value makeReceipt(const QUuid& id, ReceiptStatus status) {
    Members members;
    members.emplace("id", xmlrpc_c::value_string(wireId(id)));
    members.emplace("status", xmlrpc_c::value_string(
                                  status == ReceiptStatus::Delivered ? "delivered" : "duplicate"));
    return xmlrpc_c::value_struct(members);
}

ReceiptStatus parseReceipt(const xmlrpc_c::value& value, const QUuid& expectedId) {
    if (value.type() != xmlrpc_c::value::TYPE_STRUCT)
        throw std::runtime_error("the contact answered with something other than a receipt");
    const Members members = xmlrpc_c::value_struct(value);
    auto member = [&](const char* name) -> std::string {
        auto it = members.find(name);
        if (it == members.end() || it->second.type() != xmlrpc_c::value::TYPE_STRING)
            throw std::runtime_error(std::string("the contact's receipt has no '") + name + "'");
        return static_cast<std::string>(xmlrpc_c::value_string(it->second));
    };
    if (QUuid::fromString(QString::fromStdString(member("id"))) != expectedId)
        throw std::runtime_error("the contact acknowledged a different message");
    const std::string status = member("status");
    if (status == "delivered")
        return ReceiptStatus::Delivered;
    if (status == "duplicate")
        return ReceiptStatus::Duplicate;
    throw std::runtime_error("the contact answered with unknown status " + quoted(status));
}

} // namespace charla::text
