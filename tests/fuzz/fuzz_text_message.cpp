// The text plugin's decoder: parseTextMessage / parseSendParams on values built from the input.
//
// Input layout: the first byte picks the mode.
//   even: a text.send struct built directly from the rest, split at NUL bytes into
//         id, sent_at, body and body_utf8 (the fourth, when present, becomes a base64 member);
//         bits 1..4 of the first byte drop a member or give it the wrong type. No XML involved,
//         so the fuzzer reaches the UUID, ISO 8601 and UTF-8 checks quickly.
//   odd:  the rest is a whole XML-RPC <methodCall>, parsed with xmlrpc-c as the server would.
// A message that is accepted must survive toXmlRpc -> XML -> parseSendParams unchanged (what a
// receiver stores is what the sender meant, and our own serializer produces what we accept).
#include "fuzz_common.h"

#include "text_message.h"

#include <xmlrpc-c/girerr.hpp>
#include <xmlrpc-c/xml.hpp>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

using namespace charla;

namespace {

std::vector<std::string> splitAtNul(const std::uint8_t* p, std::size_t n, std::size_t maxParts) {
    std::vector<std::string> parts(1);
    for (std::size_t i = 0; i < n; ++i) {
        if (p[i] == 0 && parts.size() < maxParts)
            parts.emplace_back();
        else
            parts.back().push_back(static_cast<char>(p[i]));
    }
    return parts;
}

xmlrpc_c::paramList structFromBytes(std::uint8_t mode, const std::uint8_t* p, std::size_t n) {
    const auto parts = splitAtNul(p, n, 4);
    std::map<std::string, xmlrpc_c::value> members;
    const char* names[] = {"id", "sent_at", "body"};
    for (std::size_t i = 0; i < 3 && i < parts.size(); ++i) {
        if (mode & (2u << i)) // drop it
            continue;
        members.emplace(names[i], xmlrpc_c::value_string(parts[i]));
    }
    if (parts.size() > 3) {
        std::vector<unsigned char> bytes(parts[3].begin(), parts[3].end());
        if (mode & 0x10)
            members.emplace("body_utf8", xmlrpc_c::value_string(parts[3])); // wrong type
        else
            members.emplace("body_utf8", xmlrpc_c::value_bytestring(bytes));
    }
    xmlrpc_c::paramList params;
    if (mode & 0x20)
        params.add(xmlrpc_c::value_array(
            std::vector<xmlrpc_c::value>{xmlrpc_c::value_struct(members)})); // not a struct
    else
        params.add(xmlrpc_c::value_struct(members));
    if (mode & 0x40)
        params.add(xmlrpc_c::value_int(1)); // one parameter too many
    return params;
}

// Whether every character survives unescaped XML 1.0 text (CR does not: it becomes LF).
bool xmlSafe(const QString& text) {
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if ((u < 0x20 && u != 0x09 && u != 0x0A) || u == 0xFFFE || u == 0xFFFF)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::optional<fuzz::ModedInput> in = fuzz::splitMode(data, size);
    if (!in)
        return 0;
    xmlrpc_c::paramList params;
    try {
        if (in->mode & 1) {
            const std::string xml(reinterpret_cast<const char*>(in->payload), in->size);
            if (fuzz::skipKnownXmlrpcCrash(xml))
                return 0;
            std::string name;
            xmlrpc_c::xml::parseCall(xml, &name, &params);
        } else {
            params = structFromBytes(in->mode, in->payload, in->size);
        }
    } catch (const std::exception&) {
        return 0; // not a call / not a value xmlrpc-c accepts: not what this target is about
    }

    text::TextMessage message;
    try {
        if (params.size() == 1)
            (void)text::parseTextMessage(params[0]);
        message = text::parseSendParams(params);
    } catch (const xmlrpc_c::fault& f) {
        CHARLA_FUZZ_CHECK(f.getCode() == -32602, "fault with code " + std::to_string(f.getCode()) +
                                                     ": " + f.getDescription());
        return 0;
    }
    // Anything else escaping (std::exception, girerr::error) makes the host mark the text plugin
    // failed: libFuzzer reports it as an uncaught exception.

    CHARLA_FUZZ_CHECK(!message.id.isNull(), "accepted a null id");
    CHARLA_FUZZ_CHECK(message.sentAt.isValid(), "accepted an invalid time");
    CHARLA_FUZZ_CHECK(!message.body.isEmpty(), "accepted an empty body");

    // Round trip through our own serializer and the wire.
    // Known bugs (tests/fuzz/README.md, "Findings"): a body with a character XML 1.0 cannot
    // carry (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF) is written by toXmlRpc as raw XML
    // that the peer refuses, and a CR arrives as LF (XML end-of-line normalization).
    // CHARLA_FUZZ_IGNORE_KNOWN=1 skips such bodies so that fuzzing can look for other bugs until
    // they are fixed; regressions/fuzz_text_message/ reproduces them.
    if (std::getenv("CHARLA_FUZZ_IGNORE_KNOWN") && !xmlSafe(message.body))
        return 0;
    const xmlrpc_c::value again = text::toXmlRpc(message);
    xmlrpc_c::paramList out;
    out.add(again);
    std::string xml;
    try {
        xmlrpc_c::xml::generateCall(text::kSendMethod, out, &xml);
    } catch (const std::exception& e) {
        fuzz::fail(__FILE__, std::string("an accepted message cannot be re-sent: ") + e.what(),
                   data, size);
    }
    std::string name;
    xmlrpc_c::paramList back;
    text::TextMessage reparsed;
    try {
        xmlrpc_c::xml::parseCall(xml, &name, &back);
    } catch (const std::exception& e) {
        fuzz::fail(__FILE__,
                   std::string("an accepted message, re-sent by toXmlRpc, is not valid XML-RPC: ") +
                       e.what(),
                   data, size);
    }
    try {
        reparsed = text::parseSendParams(back);
    } catch (const xmlrpc_c::fault& f) {
        fuzz::fail(__FILE__, "an accepted message, re-sent, is refused: " + f.getDescription(),
                   data, size);
    }
    CHARLA_FUZZ_CHECK(reparsed.id == message.id, "id changed in a round trip");
    CHARLA_FUZZ_CHECK(reparsed.sentAt == message.sentAt,
                      "sent_at changed in a round trip: " + text::wireTime(message.sentAt) +
                          " -> " + text::wireTime(reparsed.sentAt));
    CHARLA_FUZZ_CHECK(reparsed.body == message.body, "body changed in a round trip");
    return 0;
}
