// Charla's XML-RPC reader: every type against xmlrpc-c's own writer, any Unicode character, each
// limit, and the malformed documents it must refuse cleanly.
#include "core/xmlrpc_blobs.h"
#include "core/xmlrpc_reader.h"
#include "core/xmlrpc_unicode.h"

#include <xmlrpc-c/xml.hpp>

#include <gtest/gtest.h>

#include <QByteArray>

#include <ctime>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace charla::test {
namespace {

using host::parseXmlRpcCall;
using host::parseXmlRpcResponse;
using host::XmlRpcLimits;
using host::XmlRpcParseError;
using Struct = std::map<std::string, xmlrpc_c::value>;

// A canonical text of a value, type included, for comparing two trees.
std::string describe(const xmlrpc_c::value& v) {
    std::ostringstream out;
    switch (v.type()) {
    case xmlrpc_c::value::TYPE_INT:
        out << "int:" << int(xmlrpc_c::value_int(v));
        break;
    case xmlrpc_c::value::TYPE_I8:
        out << "i8:" << xmlrpc_int64(xmlrpc_c::value_i8(v));
        break;
    case xmlrpc_c::value::TYPE_BOOLEAN:
        out << "bool:" << bool(xmlrpc_c::value_boolean(v));
        break;
    case xmlrpc_c::value::TYPE_DOUBLE:
        out.precision(17);
        out << "double:" << double(xmlrpc_c::value_double(v));
        break;
    case xmlrpc_c::value::TYPE_DATETIME:
        out << "datetime:" << xmlrpc_c::value_datetime(v).iso8601Value();
        break;
    case xmlrpc_c::value::TYPE_STRING:
        out << "string:[" << std::string(xmlrpc_c::value_string(v)) << "]";
        break;
    case xmlrpc_c::value::TYPE_BYTESTRING: {
        const auto bytes = xmlrpc_c::value_bytestring(v).vectorUcharValue();
        out << "base64:" << std::string(bytes.begin(), bytes.end());
        break;
    }
    case xmlrpc_c::value::TYPE_ARRAY:
        out << "[";
        for (const auto& item : xmlrpc_c::value_array(v).vectorValueValue())
            out << describe(item) << ",";
        out << "]";
        break;
    case xmlrpc_c::value::TYPE_STRUCT:
        out << "{";
        for (const auto& [key, item] : Struct(xmlrpc_c::value_struct(v)))
            out << key << "=" << describe(item) << ",";
        out << "}";
        break;
    case xmlrpc_c::value::TYPE_NIL:
        out << "nil";
        break;
    default:
        out << "type " << int(v.type());
    }
    return out.str();
}

std::string describe(const xmlrpc_c::paramList& p) {
    std::string out;
    for (unsigned i = 0; i < p.size(); ++i)
        out += describe(p[i]) + ";";
    return out;
}

std::string generateCall(const std::string& method, const xmlrpc_c::paramList& p) {
    std::string xml;
    xmlrpc_c::xml::generateCall(method, p, &xml);
    return xml;
}

std::string call1(const std::string& valueXml) {
    return "<?xml version=\"1.0\"?><methodCall><methodName>m</methodName><params><param><value>" +
           valueXml + "</value></param></params></methodCall>";
}

// The error a document gets; fails the test if it parsed.
std::optional<XmlRpcParseError> callError(const std::string& xml, const XmlRpcLimits& limits = {}) {
    try {
        parseXmlRpcCall(xml, limits);
    } catch (const XmlRpcParseError& e) {
        return e;
    }
    return std::nullopt;
}

const char kEmoji[] = "hola \xF0\x9F\x91\x8B"; // "hola 👋"

TEST(XmlRpcReader, EveryTypeRoundTripsThroughXmlrpcCsWriter) {
    std::vector<unsigned char> jpeg(300 * 1024); // base64 with a line break every 76 characters
    for (std::size_t i = 0; i < jpeg.size(); ++i)
        jpeg[i] = static_cast<unsigned char>(i * 7 + i / 251);
    timeval tv{1700000000, 123456};
    Struct inner{{"deep", xmlrpc_c::value_array({xmlrpc_c::value_nil(), xmlrpc_c::value_int(-1)})}};
    xmlrpc_c::paramList p;
    p.add(xmlrpc_c::value_int(-2147483647 - 1))
        .add(xmlrpc_c::value_int(2147483647))
        .add(xmlrpc_c::value_i8(-9223372036854775807LL - 1))
        .add(xmlrpc_c::value_boolean(true))
        .add(xmlrpc_c::value_boolean(false))
        .add(xmlrpc_c::value_double(0.1))
        .add(xmlrpc_c::value_double(-1e300))
        .add(xmlrpc_c::value_double(4.9e-324))
        .add(xmlrpc_c::value_string(""))
        .add(xmlrpc_c::value_string("tab\t<&> ]]> \"quotes\" 'apostrophes' newline\n"))
        .add(xmlrpc_c::value_string(kEmoji))
        .add(xmlrpc_c::value_datetime(time_t(1700000000)))
        .add(xmlrpc_c::value_datetime(tv))
        .add(xmlrpc_c::value_bytestring(jpeg))
        .add(xmlrpc_c::value_bytestring(std::vector<unsigned char>()))
        .add(xmlrpc_c::value_nil())
        .add(xmlrpc_c::value_array(std::vector<xmlrpc_c::value>()))
        .add(xmlrpc_c::value_struct(Struct()))
        .add(xmlrpc_c::value_struct(
            Struct{{kEmoji, xmlrpc_c::value_struct(inner)}, {"x", xmlrpc_c::value_int(1)}}));
    const auto call = parseXmlRpcCall(generateCall("video.frame", p));
    EXPECT_EQ(call.methodName, "video.frame");
    ASSERT_EQ(call.params.size(), p.size());
    EXPECT_EQ(describe(call.params), describe(p));

    for (unsigned i = 0; i < p.size(); ++i) {
        std::string xml;
        xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(p[i]), &xml);
        const auto outcome = parseXmlRpcResponse(xml);
        ASSERT_TRUE(outcome.succeeded()) << i;
        EXPECT_EQ(describe(outcome.getResult()), describe(p[i])) << i;
    }
}

// Every padding case of the decoder, against xmlrpc-c's encoder (padded, broken every 76
// characters) and against unpadded text.
TEST(XmlRpcReader, Base64DecodesEveryLength) {
    for (std::size_t n = 0; n < 200; ++n) {
        std::vector<unsigned char> bytes(n);
        for (std::size_t i = 0; i < n; ++i)
            bytes[i] = static_cast<unsigned char>(255 - i * 13);
        xmlrpc_c::paramList p;
        p.add(xmlrpc_c::value_bytestring(bytes));
        const auto call = parseXmlRpcCall(generateCall("m", p));
        EXPECT_EQ(describe(call.params), describe(p)) << n;
        std::string unpadded = QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(n))
                                   .toBase64(QByteArray::OmitTrailingEquals)
                                   .toStdString();
        EXPECT_EQ(describe(parseXmlRpcCall(call1("<base64>" + unpadded + "</base64>")).params),
                  describe(p))
            << n;
    }
    for (const char* bad : {"A", "AAAAA", "AA=A", "AA===", "A===", "AAA==", "=AAA", "AA=\n=x"})
        EXPECT_TRUE(callError(call1(std::string("<base64>") + bad + "</base64>"))) << bad;
}

TEST(XmlRpcReader, AnyUnicodeCharacterArrivesAsSent) {
    ASSERT_TRUE(host::xmlrpcStringsHoldAnyUnicode()) << "xmlrpc_unicode.cpp is not in effect";
    const std::string text = std::string(kEmoji) + " \xF0\x9D\x84\x9E \xF4\x8F\xBF\xBD \xC3\xA9";
    // Raw UTF-8, as a character reference (how Python's xmlrpc.client may escape), in CDATA, and
    // a CR that can only travel as a reference.
    EXPECT_EQ(describe(parseXmlRpcCall(call1("<string>" + text + "</string>")).params[0]),
              "string:[" + text + "]");
    EXPECT_EQ(describe(parseXmlRpcCall(call1("<string>hola &#x1F44B;</string>")).params[0]),
              "string:[" + std::string(kEmoji) + "]");
    EXPECT_EQ(describe(parseXmlRpcCall(call1("<![CDATA[hola \xF0\x9F\x91\x8B]]>")).params[0]),
              "string:[" + std::string(kEmoji) + "]");
    EXPECT_EQ(describe(parseXmlRpcCall(call1("<string>a&#13;&#10;b</string>")).params[0]),
              "string:[a\r\nb]");
    // A fault string with an emoji, as a foreign peer may send it (written by hand: xmlrpc-c's
    // own writer turns such characters in a fault string into 0x7F).
    const auto outcome = parseXmlRpcResponse(
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>42"
        "</int></value></member><member><name>faultString</name><value><string>" +
        std::string(kEmoji) +
        "</string></value></member></struct></value></fault>"
        "</methodResponse>");
    ASSERT_FALSE(outcome.succeeded());
    EXPECT_EQ(outcome.getFault().getCode(), 42);
    EXPECT_EQ(outcome.getFault().getDescription(), kEmoji);
    // Text that is not UTF-8 is still refused when a handler builds a string of it.
    EXPECT_THROW(xmlrpc_c::value_string("\xF0\x9F\x91"), std::exception);
    EXPECT_THROW(xmlrpc_c::value_string("\xED\xA0\x80"), std::exception) << "a lone surrogate";
    EXPECT_THROW(xmlrpc_c::value_string("\xC0\xAF"), std::exception) << "an overlong form";
}

TEST(XmlRpcReader, AcceptsWhatOtherImplementationsSend) {
    const auto one = [](const std::string& valueXml) {
        return describe(parseXmlRpcCall(call1(valueXml)).params[0]);
    };
    EXPECT_EQ(one("bare text"), "string:[bare text]");
    EXPECT_EQ(one(""), "string:[]");
    EXPECT_EQ(one("<i4>+7</i4>"), "int:7");
    EXPECT_EQ(one("<ex:i8>-5</ex:i8>"), "i8:-5");
    EXPECT_EQ(one("<ex:nil/>"), "nil");
    EXPECT_EQ(one("<double>1e+100</double>"), describe(xmlrpc_c::value_double(1e100)));
    EXPECT_EQ(one("<dateTime.iso8601>2024-05-01T12:34:56Z</dateTime.iso8601>"),
              one("<dateTime.iso8601>20240501T12:34:56</dateTime.iso8601>"));
    EXPECT_EQ(one("<dateTime.iso8601>20240501T12:34:56</dateTime.iso8601>"),
              describe(xmlrpc_c::value_datetime(xmlrpc_datetime{2024, 5, 1, 12, 34, 56, 0})));
    EXPECT_EQ(one("<base64>\n  aGVs\r\n  bG8=\n</base64>"), "base64:hello");
    EXPECT_EQ(one("\n  <int>1</int>\n  "), "int:1");
    EXPECT_EQ(one("<string>a<!-- note -->b</string>"), "string:[ab]");
    EXPECT_EQ(parseXmlRpcCall("<methodCall><methodName>host.ping</methodName></methodCall>")
                  .params.size(),
              0u);
    EXPECT_EQ(parseXmlRpcCall("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><methodCall>"
                              "<methodName>m</methodName><params><param><value>\xE9</value>"
                              "</param></params></methodCall>")
                  .params[0]
                  .type(),
              xmlrpc_c::value::TYPE_STRING);
}

TEST(XmlRpcReader, RefusesMalformedDocuments) {
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"empty", ""},
        {"not XML", "this is not XML"},
        {"unterminated", "<methodCall><methodName>m</methodName><params><param><value><int>1"},
        {"wrong root", "<methodResponse><params/></methodResponse>"},
        {"no method name", "<methodCall><params/></methodCall>"},
        {"two values in a value", call1("<int>1</int><int>2</int>")},
        {"text beside a typed value", call1("x<int>1</int>")},
        {"bad int", call1("<int>12a</int>")},
        {"empty int", call1("<int></int>")},
        {"int with spaces", call1("<int> 1</int>")},
        {"int overflow", call1("<int>2147483648</int>")},
        {"i4 underflow", call1("<i4>-2147483649</i4>")},
        {"i8 junk (the xmlrpc-c crash)", call1("<i8>x</i8>")},
        {"i8 overflow", call1("<i8>9223372036854775808</i8>")},
        {"plus minus", call1("<int>+-1</int>")},
        {"boolean 2", call1("<boolean>2</boolean>")},
        {"double inf", call1("<double>inf</double>")},
        {"double nan", call1("<double>nan</double>")},
        {"double junk", call1("<double>1.5x</double>")},
        {"bad base64", call1("<base64>aGVsbG8*</base64>")},
        {"base64 non-ASCII", call1("<base64>aGVs\xC3\xA9</base64>")},
        {"bad datetime", call1("<dateTime.iso8601>2024-13-01T00:00:00</dateTime.iso8601>")},
        {"datetime with offset", call1("<dateTime.iso8601>20240501T12:00:00+02:00"
                                       "</dateTime.iso8601>")},
        {"unknown type tag", call1("<float>1.5</float>")},
        {"element inside a string", call1("<string>a<b/>c</string>")},
        {"nil with content", call1("<nil>x</nil>")},
        {"member without name", call1("<struct><member><value>1</value></member></struct>")},
        {"member without value", call1("<struct><member><name>a</name></member></struct>")},
        {"duplicate member", call1("<struct><member><name>a</name><value>1</value></member>"
                                   "<member><name>a</name><value>2</value></member></struct>")},
        {"array without data", call1("<array><value>1</value></array>")},
        {"text in params", "<methodCall><methodName>m</methodName><params>x</params></methodCall>"},
        {"content after root", "<methodCall><methodName>m</methodName></methodCall><x/>"},
        {"DTD", "<?xml version=\"1.0\"?><!DOCTYPE methodCall [<!ENTITY a \"aaaa\">]>"
                "<methodCall><methodName>&a;</methodName></methodCall>"},
        {"external DTD", "<!DOCTYPE methodCall SYSTEM \"file:///etc/passwd\"><methodCall>"
                         "<methodName>m</methodName></methodCall>"},
        {"undeclared entity", call1("<string>&nope;</string>")},
        {"control character reference", call1("<string>&#1;</string>")},
    };
    for (const auto& [name, xml] : cases) {
        const auto error = callError(xml);
        ASSERT_TRUE(error) << name << " was accepted";
        EXPECT_FALSE(error->limitExceeded()) << name << ": " << error->what();
        EXPECT_GT(std::string(error->what()).size(), 10u) << name;
    }
}

TEST(XmlRpcReader, RefusesMalformedResponses) {
    for (const std::string xml : {
             "<methodResponse></methodResponse>",
             "<methodResponse><params></params></methodResponse>",
             "<methodResponse><params><param><value>1</value></param><param><value>2</value>"
             "</param></params></methodResponse>",
             "<methodResponse><fault><value><string>no</string></value></fault></methodResponse>",
             "<methodResponse><fault><value><struct><member><name>faultCode</name><value>"
             "<string>1</string></value></member><member><name>faultString</name><value>x"
             "</value></member></struct></value></fault></methodResponse>",
             "<methodCall><methodName>m</methodName></methodCall>",
         }) {
        try {
            parseXmlRpcResponse(xml);
            ADD_FAILURE() << "accepted: " << xml;
        } catch (const XmlRpcParseError& e) {
            EXPECT_FALSE(e.limitExceeded()) << e.what();
        }
    }
}

// The content of a <value> that is `depth` values deep (the outer <value> is depth 1).
std::string nestedValue(int depth) {
    std::string xml;
    for (int i = 1; i < depth; ++i)
        xml += "<array><data><value>";
    xml += "<int>1</int>";
    for (int i = 1; i < depth; ++i)
        xml += "</value></data></array>";
    return xml;
}

std::string nestedArrays(int depth) {
    return call1(nestedValue(depth));
}

TEST(XmlRpcReader, EnforcesEveryLimit) {
    const XmlRpcLimits limits;
    // Depth: 64 values deep is fine, 65 is not, and 100 000 fails as fast without recursion.
    EXPECT_NO_THROW(parseXmlRpcCall(nestedArrays(limits.maxDepth)));
    for (int depth : {limits.maxDepth + 1, 100'000}) {
        const auto error = callError(nestedArrays(depth));
        ASSERT_TRUE(error) << depth;
        EXPECT_TRUE(error->limitExceeded()) << error->what();
        EXPECT_NE(std::string(error->what()).find("deeper than 64"), std::string::npos)
            << error->what();
    }
    std::string values;
    for (int i = 0; i < 1000; ++i)
        values += "<value/>";
    const std::string wide = call1("<array><data>" + values + "</data></array>");
    XmlRpcLimits small;
    small.maxElements = 1000;
    EXPECT_NO_THROW(parseXmlRpcCall(wide));
    auto error = callError(wide, small);
    ASSERT_TRUE(error);
    EXPECT_TRUE(error->limitExceeded()) << error->what();

    std::string members;
    for (int i = 0; i < 11; ++i)
        members += "<member><name>m" + std::to_string(i) + "</name><value/></member>";
    small = XmlRpcLimits{};
    small.maxStructMembers = 10;
    error = callError(call1("<struct>" + members + "</struct>"), small);
    ASSERT_TRUE(error);
    EXPECT_TRUE(error->limitExceeded()) << error->what();

    small = XmlRpcLimits{};
    small.maxStringBytes = 8;
    EXPECT_NO_THROW(parseXmlRpcCall(call1("<string>12345678</string>"), small));
    EXPECT_NO_THROW(parseXmlRpcCall(call1("<base64>MTIzNDU2Nzg=</base64>"), small));
    for (const std::string v :
         {"<string>123456789</string>", "123456789", "<base64>MTIzNDU2Nzg5</base64>"}) {
        error = callError(call1(v), small);
        ASSERT_TRUE(error) << v;
        EXPECT_TRUE(error->limitExceeded()) << error->what();
    }

    small = XmlRpcLimits{};
    const std::string doc = call1("<string>x</string>");
    small.maxDocumentBytes = doc.size();
    EXPECT_NO_THROW(parseXmlRpcCall(doc, small));
    small.maxDocumentBytes = doc.size() - 1;
    error = callError(doc, small);
    ASSERT_TRUE(error);
    EXPECT_TRUE(error->limitExceeded()) << error->what();
    // The same limits guard a response.
    try {
        parseXmlRpcResponse("<methodResponse><params><param><value>" + nestedValue(100'000) +
                            "</value></param></params></methodResponse>");
        ADD_FAILURE() << "a response 100 000 values deep was accepted";
    } catch (const XmlRpcParseError& e) {
        EXPECT_TRUE(e.limitExceeded()) << e.what();
    }
}

xmlrpc_c::value bytesValue(const std::string& bytes) {
    return xmlrpc_c::value_bytestring(std::vector<unsigned char>(bytes.begin(), bytes.end()));
}

// A blob answer reads back as the same value, wherever its base64 values stand, and its XML
// holds no more than a reference for each.
TEST(XmlRpcBlobs, AnswerReadsBackAsTheSameValue) {
    std::string big(100'000, '\0');
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>(i * 131 % 251);
    const xmlrpc_c::value result = xmlrpc_c::value_struct(Struct{
        {"offset", xmlrpc_c::value_i8(1 << 20)},
        {"data", bytesValue(big)},
        {"empty", bytesValue("")},
        {"list", xmlrpc_c::value_array({bytesValue("CBL1 but not a reference"),
                                        xmlrpc_c::value_string(kEmoji), bytesValue("\x01\x02")})},
    });
    ASSERT_TRUE(host::holdsBytes(result));
    EXPECT_FALSE(host::holdsBytes(xmlrpc_c::value_struct(Struct{{"s", xmlrpc_c::value_int(1)}})));
    const host::BlobAnswer answer = host::writeBlobResponse(result);
    EXPECT_LT(answer.xmlLength, 2000u) << "base64 left in the XML";
    EXPECT_EQ(answer.body.size(), answer.xmlLength + big.size() + 24 + 2);
    const xmlrpc_c::rpcOutcome back = host::parseBlobResponse(answer.body, answer.xmlLength);
    ASSERT_TRUE(back.succeeded());
    EXPECT_EQ(describe(back.getResult()), describe(result));
}

TEST(XmlRpcBlobs, RefusesReferencesOutsideTheBlobsOrTakingThemTwice) {
    const auto response = [](const std::vector<std::string>& refs) {
        std::vector<xmlrpc_c::value> items;
        for (const std::string& ref : refs)
            items.push_back(bytesValue(ref));
        std::string xml;
        xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(xmlrpc_c::value_array(items)), &xml);
        return xml;
    };
    const std::string blobs(1000, 'b');
    const auto ref = [](std::uint32_t offset, std::uint32_t length) {
        return host::encodeBlobRef({offset, length});
    };
    const std::vector<std::pair<std::string, std::vector<std::string>>> hostile = {
        {"past the end", {ref(990, 11)}},
        {"past the end", {ref(0xffffffff, 2)}}, // offset + length wraps in 32 bits
        {"more bytes than the blobs hold", {ref(0, 600), ref(400, 600)}},
        {"more bytes than the blobs hold", std::vector<std::string>(5, ref(0, 1000))},
    };
    for (const auto& [reason, refs] : hostile) {
        const std::string xml = response(refs);
        try {
            host::parseBlobResponse(xml + blobs, xml.size());
            ADD_FAILURE() << "accepted: " << reason;
        } catch (const XmlRpcParseError& e) {
            EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
        }
    }
    // An XML length past the body, and a cut in the middle of the XML.
    const std::string xml = response({ref(0, 1000)});
    EXPECT_THROW(host::parseBlobResponse(xml + blobs, xml.size() + blobs.size() + 1),
                 XmlRpcParseError);
    EXPECT_THROW(host::parseBlobResponse(xml + blobs, xml.size() - 5), XmlRpcParseError);
    // The same references within bounds are read.
    const xmlrpc_c::rpcOutcome good = host::parseBlobResponse(xml + blobs, xml.size());
    EXPECT_EQ(describe(good.getResult()), "[base64:" + blobs + ",]");
}

} // namespace
} // namespace charla::test
