#include "core/xmlrpc_reader.h"

#include "core/xmlrpc_blobs.h"

#include "core/xmlrpc_unicode.h"

#include <xmlrpc-c/base.h>

#include <QByteArray>
#include <QString>
#include <QXmlStreamReader>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace charla::host {

namespace {

// Longest text of a number. xmlrpc-c writes doubles without an exponent: 1e-300 takes ~320
// characters, the smallest denormal ~345.
constexpr qsizetype kMaxNumberChars = 1024;

// An owned reference to a C value. The tree is built with xmlrpc-c's C API: its C++ wrappers copy
// every array and struct element by element, and a bytestring twice.
class CValue {
public:
    explicit CValue(xmlrpc_value* v) : v_(v) {}
    CValue(CValue&& o) noexcept : v_(std::exchange(o.v_, nullptr)) {}
    CValue& operator=(CValue&&) = delete;
    ~CValue() {
        if (v_)
            xmlrpc_DECREF(v_);
    }
    xmlrpc_value* get() const { return v_; }
    // The C++ handle takes its own reference; ours goes when this object does.
    xmlrpc_c::value cpp() const { return xmlrpc_c::value(v_); }

private:
    xmlrpc_value* v_;
};

// Runs one xmlrpc-c C call with an env; its failures (out of memory, a value it refuses) become
// XmlRpcParseError.
class Env {
public:
    Env() { xmlrpc_env_init(&env_); }
    ~Env() { xmlrpc_env_clean(&env_); }
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;
    xmlrpc_env* c() { return &env_; }
    void check(const char* what) {
        if (env_.fault_occurred)
            throw XmlRpcParseError(false, std::string(what) + ": " + env_.fault_string);
    }

private:
    xmlrpc_env env_;
};

CValue checked(xmlrpc_value* v, Env& env, const char* what) {
    CValue owned(v);
    env.check(what);
    return owned;
}

// ASCII text of a number, or empty if it has anything else (the callers then refuse it).
std::string asciiOf(QStringView text) {
    std::string out;
    if (text.size() > kMaxNumberChars)
        return out;
    out.reserve(static_cast<std::size_t>(text.size()));
    for (const QChar c : text) {
        if (c.unicode() > 0x7F)
            return {};
        out.push_back(static_cast<char>(c.unicode()));
    }
    return out;
}

template <typename Int> bool parseInteger(QStringView text, Int* out) {
    const std::string s = asciiOf(text);
    const char* begin = s.data();
    const char* end = s.data() + s.size();
    // from_chars takes a '-' but no '+'; "+-1" stays refused.
    if (begin != end && *begin == '+' && ++begin != end && *begin == '-')
        return false;
    const auto [ptr, ec] = std::from_chars(begin, end, *out);
    return ec == std::errc() && ptr == end;
}

bool parseDouble(QStringView text, double* out) {
    const std::string s = asciiOf(text);
    const char* begin = s.data();
    const char* end = s.data() + s.size();
    if (begin != end && *begin == '+' && ++begin != end && *begin == '-')
        return false;
    const auto [ptr, ec] = std::from_chars(begin, end, *out, std::chars_format::general);
    // No inf or nan: XML-RPC has no text for them.
    return ec == std::errc() && ptr == end && std::isfinite(*out);
}

// "YYYYMMDDTHH:MM:SS" as the spec and xmlrpc-c write it, also with dashes ("YYYY-MM-DD"), an
// optional fraction (xmlrpc-c writes microseconds) and an optional "Z". XML-RPC has no time
// zones: an offset is refused rather than silently dropped.
bool parseDateTime(QStringView text, xmlrpc_datetime* dt) {
    const std::string s = asciiOf(text.trimmed());
    std::size_t i = 0;
    auto digits = [&](std::size_t n, unsigned* out) {
        if (s.size() - i < n)
            return false;
        unsigned v = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const char c = s[i + k];
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + unsigned(c - '0');
        }
        i += n;
        *out = v;
        return true;
    };
    auto skip = [&](char c) {
        if (i < s.size() && s[i] == c)
            ++i;
    };
    *dt = xmlrpc_datetime{};
    if (!digits(4, &dt->Y))
        return false;
    skip('-');
    if (!digits(2, &dt->M))
        return false;
    skip('-');
    if (!digits(2, &dt->D) || i >= s.size() || s[i++] != 'T' || !digits(2, &dt->h))
        return false;
    skip(':');
    if (!digits(2, &dt->m))
        return false;
    skip(':');
    if (!digits(2, &dt->s))
        return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        const std::size_t first = i;
        unsigned scale = 100000;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            dt->u += unsigned(s[i] - '0') * scale; // digits past microseconds are dropped
            scale /= 10;
            ++i;
        }
        if (i == first)
            return false;
    }
    skip('Z');
    return i == s.size() && dt->Y >= 1 && dt->M >= 1 && dt->M <= 12 && dt->D >= 1 && dt->D <= 31 &&
           dt->h <= 23 && dt->m <= 59 && dt->s <= 59;
}

// Decodes base64 straight from the reader's UTF-16 text, piece by piece, skipping the white
// space senders put in (xmlrpc-c breaks the text every 76 characters): one pass, no compacted
// copy. Strict like QByteArray's AbortOnBase64DecodingErrors: only the standard alphabet, '='
// only at the end; an unpadded last group is accepted, a single dangling character is not.
class Base64Decoder {
public:
    bool feed(QStringView piece) {
        const auto need = out_.size() + piece.size() / 4 * 3 + 3;
        if (out_.capacity() < need) // geometric: entities can split the text into small pieces
            out_.reserve(std::max(2 * out_.capacity(), need));
        for (const QChar qc : piece) {
            const char16_t c = qc.unicode();
            if (c == u' ' || c == u'\t' || c == u'\n' || c == u'\r')
                continue;
            if (c == u'=') {
                ++padding_;
                continue;
            }
            const int v = c < 128 ? kValue[c] : -1;
            if (v < 0 || padding_ > 0)
                return false; // a character outside the alphabet, or data after '='
            group_ = group_ << 6 | std::uint32_t(v);
            if (++count_ == 4) {
                const char bytes[3] = {char(group_ >> 16), char(group_ >> 8), char(group_)};
                out_.append(bytes, 3);
                count_ = 0;
                group_ = 0;
            }
        }
        return true;
    }
    // The bytes, or nullopt if the text ends badly.
    std::optional<QByteArray> finish() {
        if (count_ == 1 || padding_ > 2 || (padding_ > 0 && count_ + padding_ != 4))
            return std::nullopt;
        if (count_ == 2)
            out_.append(char(group_ >> 4));
        if (count_ == 3) {
            const char bytes[2] = {char(group_ >> 10), char(group_ >> 2)};
            out_.append(bytes, 2);
        }
        return std::move(out_);
    }

private:
    static constexpr auto kValue = [] {
        std::array<std::int8_t, 128> t{};
        t.fill(-1);
        const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i)
            t[static_cast<std::size_t>(alphabet[i])] = static_cast<std::int8_t>(i);
        return t;
    }();
    QByteArray out_;
    std::uint32_t group_ = 0;
    int count_ = 0;
    int padding_ = 0;
};

class Reader {
public:
    // With `blobs`, the document is the XML of a blob answer and its base64 references point
    // into them (xmlrpc_blobs.h).
    Reader(std::string_view xml, const XmlRpcLimits& limits,
           std::optional<std::string_view> blobs = std::nullopt)
        : limits_(limits), xml_(documentOf(xml, limits)), blobs_(blobs) {
        // "ex:nil" and "ex:i8" are matched by their qualified names: peers send them without
        // declaring the prefix.
        xml_.setNamespaceProcessing(false);
    }

    XmlRpcCall call() {
        XmlRpcCall out;
        expectRoot("methodCall");
        expectStart("methodName");
        out.methodName = readText("methodName", nullptr).toStdString();
        if (nextTag() == QXmlStreamReader::StartElement) {
            requireName("params");
            while (nextTag() == QXmlStreamReader::StartElement) {
                requireName("param");
                expectStart("value");
                out.params.add(readValue(1).cpp());
                expectEnd("param");
            }
            expectEnd("methodCall");
        }
        expectEndOfDocument();
        return out;
    }

    xmlrpc_c::rpcOutcome response() {
        expectRoot("methodResponse");
        if (nextTag() != QXmlStreamReader::StartElement)
            malformed("an empty <methodResponse>");
        if (tagIs("fault")) {
            expectStart("value");
            CValue fault = readValue(1);
            expectEnd("fault");
            expectEnd("methodResponse");
            expectEndOfDocument();
            return xmlrpc_c::rpcOutcome(faultOf(fault));
        }
        requireName("params");
        expectStart("param");
        expectStart("value");
        CValue result = readValue(1);
        expectEnd("param");
        expectEnd("params");
        expectEnd("methodResponse");
        expectEndOfDocument();
        return xmlrpc_c::rpcOutcome(result.cpp());
    }

private:
    // The document for QXmlStreamReader, after the size check. fromRawData: no copy (`xml`
    // outlives the reader).
    static QByteArray documentOf(std::string_view xml, const XmlRpcLimits& limits) {
        if (xml.size() > limits.maxDocumentBytes)
            throw XmlRpcParseError(true, "document of " + std::to_string(xml.size()) +
                                             " bytes exceeds the limit of " +
                                             std::to_string(limits.maxDocumentBytes));
        return QByteArray::fromRawData(xml.data(), static_cast<qsizetype>(xml.size()));
    }

    [[noreturn]] void fail(bool limit, const std::string& why) const {
        throw XmlRpcParseError(limit, why + " (line " + std::to_string(xml_.lineNumber()) +
                                          ", column " + std::to_string(xml_.columnNumber()) + ")");
    }
    [[noreturn]] void malformed(const std::string& why) const { fail(false, why); }
    [[noreturn]] void overLimit(const std::string& why) const { fail(true, why); }

    std::string tag() const { return xml_.qualifiedName().toString().toStdString(); }
    bool tagIs(const char* name) const { return xml_.qualifiedName() == QLatin1StringView(name); }
    void requireName(const char* name) const {
        if (!tagIs(name))
            malformed(std::string("expected <") + name + ">, found <" + tag() + ">");
    }

    // The next token that is not a comment or a processing instruction. Refuses what Charla
    // never accepts: a DTD (and with it every entity declaration), an entity reference
    // QXmlStreamReader could not resolve, XML errors.
    QXmlStreamReader::TokenType next() {
        for (;;) {
            const auto type = xml_.readNext();
            switch (type) {
            case QXmlStreamReader::Invalid:
                if (xml_.error() == QXmlStreamReader::PrematureEndOfDocumentError)
                    malformed("the document ends too early");
                malformed("not well-formed XML: " + xml_.errorString().toStdString());
            case QXmlStreamReader::DTD:
                malformed("a DTD is not allowed");
            case QXmlStreamReader::EntityReference:
                malformed("undeclared entity &" + xml_.name().toString().toStdString() + ";");
            case QXmlStreamReader::StartElement:
                if (++elements_ > limits_.maxElements)
                    overLimit("more than " + std::to_string(limits_.maxElements) + " elements");
                return type;
            case QXmlStreamReader::Comment:
            case QXmlStreamReader::ProcessingInstruction:
            case QXmlStreamReader::StartDocument:
                continue;
            default:
                return type; // Characters, EndElement, EndDocument, NoToken
            }
        }
    }

    // The next start or end tag; text between them must be white space.
    QXmlStreamReader::TokenType nextTag() {
        for (;;) {
            const auto type = next();
            if (type == QXmlStreamReader::Characters) {
                if (!xml_.isWhitespace())
                    malformed("unexpected text '" + xml_.text().left(40).toString().toStdString() +
                              "'");
                continue;
            }
            if (type == QXmlStreamReader::StartElement || type == QXmlStreamReader::EndElement)
                return type;
            malformed("unexpected end of the document");
        }
    }

    void expectRoot(const char* name) {
        if (nextTag() != QXmlStreamReader::StartElement)
            malformed(std::string("expected <") + name + ">");
        requireName(name);
    }
    void expectStart(const char* name) {
        if (nextTag() != QXmlStreamReader::StartElement)
            malformed(std::string("expected <") + name + "> in <" + tag() + ">");
        requireName(name);
    }
    void expectEnd(const char* name) {
        if (nextTag() != QXmlStreamReader::EndElement)
            malformed(std::string("unexpected <") + tag() + "> before </" + name + ">");
    }
    void expectEndOfDocument() {
        for (;;) {
            const auto type = next();
            if (type == QXmlStreamReader::EndDocument)
                return;
            if (type != QXmlStreamReader::Characters || !xml_.isWhitespace())
                malformed("content after the root element");
        }
    }

    // The text of a leaf element up to its end tag (several tokens when entities or CDATA split
    // it). With `sink`, each piece goes there instead of into the returned string.
    template <typename Sink> QString readText(const char* element, Sink* sink) {
        QString text;
        for (;;) {
            const auto type = next();
            if (type == QXmlStreamReader::Characters) {
                if constexpr (std::is_same_v<Sink, std::nullptr_t>)
                    text += xml_.text();
                else
                    (*sink)(xml_.text());
                continue;
            }
            if (type == QXmlStreamReader::EndElement)
                return text;
            if (type == QXmlStreamReader::StartElement)
                malformed("<" + tag() + "> inside <" + element + ">");
            malformed(std::string("unterminated <") + element + ">");
        }
    }
    QString readText(const char* element, std::nullptr_t) {
        return readText<std::nullptr_t>(element, nullptr);
    }

    // A leaf's text as UTF-8, converted piece by piece as it is read (no UTF-16 copy first).
    QByteArray readUtf8(const char* element) {
        QByteArray utf8;
        auto sink = [&](QStringView piece) {
            if (utf8.isEmpty())
                utf8 = piece.toUtf8();
            else
                utf8 += piece.toUtf8();
        };
        readText(element, &sink);
        return utf8;
    }

    CValue makeString(const QByteArray& utf8) {
        if (static_cast<std::size_t>(utf8.size()) > limits_.maxStringBytes)
            overLimit("a string of " + std::to_string(utf8.size()) +
                      " bytes exceeds the limit of " + std::to_string(limits_.maxStringBytes));
        Env env;
        // _cr: keep a CR that arrived as &#13; (plain xmlrpc_string_new turns it into LF).
        xmlrpc_value* v = xmlrpc_string_new_lp_cr(env.c(), static_cast<std::size_t>(utf8.size()),
                                                  utf8.constData());
        if (!v && !xmlrpcStringsHoldAnyUnicode())
            malformed("this build of xmlrpc-c cannot hold characters outside the BMP in a string");
        return checked(v, env, "string");
    }

    CValue readBase64() {
        Base64Decoder decoder;
        bool valid = true;
        auto sink = [&](QStringView piece) { valid = valid && decoder.feed(piece); };
        readText("base64", &sink);
        const std::optional<QByteArray> bytes = valid ? decoder.finish() : std::nullopt;
        if (!bytes)
            malformed("<base64> is not valid base64");
        std::string_view value(bytes->constData(), static_cast<std::size_t>(bytes->size()));
        if (blobs_)
            if (const std::optional<BlobRef> ref = decodeBlobRef(value))
                value = blobOf(*ref);
        if (value.size() > limits_.maxStringBytes)
            overLimit("a base64 value of " + std::to_string(value.size()) +
                      " bytes exceeds the limit of " + std::to_string(limits_.maxStringBytes));
        Env env;
        return checked(xmlrpc_base64_new(env.c(), value.size(),
                                         reinterpret_cast<const unsigned char*>(value.data())),
                       env, "base64");
    }

    // The bytes a reference of a blob answer points to. References may not reach past the
    // blobs, nor together take more bytes than there are: a few bytes of XML must not make the
    // reader copy one blob a hundred thousand times.
    std::string_view blobOf(BlobRef ref) {
        const std::size_t end = std::size_t{ref.offset} + ref.length;
        if (end > blobs_->size())
            malformed("a blob reference past the end of the blobs (" + std::to_string(end) +
                      " of " + std::to_string(blobs_->size()) + " bytes)");
        blobBytesTaken_ += ref.length;
        if (blobBytesTaken_ > blobs_->size())
            malformed("blob references take more bytes than the blobs hold");
        return blobs_->substr(ref.offset, ref.length);
    }

    // After <value>: one typed element, or bare text (a string), up to </value>.
    CValue readValue(int depth) {
        if (depth > limits_.maxDepth)
            overLimit("values nested deeper than " + std::to_string(limits_.maxDepth));
        QString text;
        std::optional<CValue> typed;
        for (;;) {
            const auto type = next();
            if (type == QXmlStreamReader::Characters) {
                if (typed && !xml_.isWhitespace())
                    malformed("text after the typed value in <value>");
                if (!typed)
                    text += xml_.text();
                continue;
            }
            if (type == QXmlStreamReader::EndElement)
                break;
            if (type != QXmlStreamReader::StartElement)
                malformed("unterminated <value>");
            if (typed)
                malformed("two values in one <value>: <" + tag() + "> after the first");
            if (!QStringView(text).trimmed().isEmpty())
                malformed("text before <" + tag() + "> in <value>");
            typed.emplace(readTyped(depth));
        }
        if (typed)
            return std::move(*typed);
        return makeString(text.toUtf8()); // <value>text</value> is a string, as the spec says
    }

    CValue readTyped(int depth) {
        Env env;
        const QStringView name = xml_.qualifiedName();
        if (name == u"string")
            return makeString(readUtf8("string"));
        if (name == u"int" || name == u"i4") {
            const std::string which = tag();
            int v = 0;
            if (!parseInteger(readText("int", nullptr), &v))
                malformed("<" + which + "> is not a 32-bit integer");
            return checked(xmlrpc_int_new(env.c(), v), env, "int");
        }
        if (name == u"i8" || name == u"ex:i8") {
            const std::string which = tag();
            std::int64_t v = 0;
            if (!parseInteger(readText("i8", nullptr), &v))
                malformed("<" + which + "> is not a 64-bit integer");
            return checked(xmlrpc_i8_new(env.c(), v), env, "i8");
        }
        if (name == u"boolean") {
            const QString t = readText("boolean", nullptr);
            if (t != u"0" && t != u"1")
                malformed("<boolean> is neither 0 nor 1");
            return checked(xmlrpc_bool_new(env.c(), t == u"1"), env, "boolean");
        }
        if (name == u"double") {
            double v = 0;
            if (!parseDouble(readText("double", nullptr), &v))
                malformed("<double> is not a finite number");
            return checked(xmlrpc_double_new(env.c(), v), env, "double");
        }
        if (name == u"dateTime.iso8601") {
            xmlrpc_datetime dt{};
            if (!parseDateTime(readText("dateTime.iso8601", nullptr), &dt))
                malformed("<dateTime.iso8601> is not YYYYMMDDTHH:MM:SS");
            return checked(xmlrpc_datetime_new(env.c(), dt), env, "dateTime.iso8601");
        }
        if (name == u"base64")
            return readBase64();
        if (name == u"nil" || name == u"ex:nil") {
            if (!readText("nil", nullptr).isEmpty())
                malformed("<nil> has content");
            return checked(xmlrpc_nil_new(env.c()), env, "nil");
        }
        if (name == u"struct")
            return readStruct(depth);
        if (name == u"array")
            return readArray(depth);
        malformed("unknown type <" + tag() + ">");
    }

    CValue readStruct(int depth) {
        Env env;
        CValue s = checked(xmlrpc_struct_new(env.c()), env, "struct");
        std::size_t members = 0;
        while (nextTag() == QXmlStreamReader::StartElement) {
            requireName("member");
            if (++members > limits_.maxStructMembers)
                overLimit("a struct of more than " + std::to_string(limits_.maxStructMembers) +
                          " members");
            expectStart("name");
            const QByteArray name = readText("name", nullptr).toUtf8();
            expectStart("value");
            CValue value = readValue(depth + 1);
            expectEnd("member");
            const auto len = static_cast<std::size_t>(name.size());
            // A repeated name would make what a handler reads depend on which copy wins.
            if (xmlrpc_struct_has_key_n(env.c(), s.get(), name.constData(), len))
                malformed("member '" + name.toStdString() + "' twice in one <struct>");
            xmlrpc_struct_set_value_n(env.c(), s.get(), name.constData(), len, value.get());
            env.check("struct member");
        }
        return s;
    }

    CValue readArray(int depth) {
        Env env;
        CValue a = checked(xmlrpc_array_new(env.c()), env, "array");
        expectStart("data");
        while (nextTag() == QXmlStreamReader::StartElement) {
            requireName("value");
            CValue item = readValue(depth + 1);
            xmlrpc_array_append_item(env.c(), a.get(), item.get());
            env.check("array item");
        }
        expectEnd("array");
        return a;
    }

    xmlrpc_c::fault faultOf(const CValue& v) const {
        const xmlrpc_c::value value = v.cpp();
        if (value.type() != xmlrpc_c::value::TYPE_STRUCT)
            malformed("a <fault> that is not a struct");
        const std::map<std::string, xmlrpc_c::value> members = xmlrpc_c::value_struct(value);
        const auto code = members.find("faultCode");
        const auto text = members.find("faultString");
        if (code == members.end() || code->second.type() != xmlrpc_c::value::TYPE_INT ||
            text == members.end() || text->second.type() != xmlrpc_c::value::TYPE_STRING)
            malformed("a <fault> without an int faultCode and a string faultString");
        return xmlrpc_c::fault(static_cast<std::string>(xmlrpc_c::value_string(text->second)),
                               static_cast<xmlrpc_c::fault::code_t>(
                                   static_cast<int>(xmlrpc_c::value_int(code->second))));
    }

    const XmlRpcLimits& limits_;
    QXmlStreamReader xml_;
    std::optional<std::string_view> blobs_;
    std::size_t blobBytesTaken_ = 0;
    std::size_t elements_ = 0;
};

} // namespace

XmlRpcCall parseXmlRpcCall(std::string_view xml, const XmlRpcLimits& limits) {
    return Reader(xml, limits).call();
}

xmlrpc_c::rpcOutcome parseXmlRpcResponse(std::string_view xml, const XmlRpcLimits& limits) {
    return Reader(xml, limits).response();
}

xmlrpc_c::rpcOutcome parseBlobResponse(std::string_view body, std::size_t xmlLength,
                                       const XmlRpcLimits& limits) {
    if (xmlLength > body.size())
        throw XmlRpcParseError(false, "the XML of a blob answer is said to be " +
                                          std::to_string(xmlLength) + " bytes, the answer has " +
                                          std::to_string(body.size()));
    return Reader(body.substr(0, xmlLength), limits, body.substr(xmlLength)).response();
}

} // namespace charla::host
