// Parse time of a realistic 720p video.frame call (the struct VideoEngine sends: seq, ts, width,
// height, codec and a 75-170 KB JPEG as <base64>, or as a base64 string) with Charla's reader
// (parseXmlRpcCall) and with xmlrpc-c's parser (xmlrpc_c::xml::parseCall), in the same run,
// interleaved call by call so that both see the same machine load. Prints p50/p95 per call and
// MB/s of document. Usage: charla_xmlrpc_bench [iterations per case, default 300]
#include "core/xmlrpc_reader.h"

#include <QXmlStreamReader>

#include <xmlrpc-c/util.h>
#include <xmlrpc-c/xml.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::string frameCall(std::size_t jpegBytes, bool asBase64Type) {
    std::vector<unsigned char> jpeg(jpegBytes);
    std::uint32_t x = 12345;
    for (auto& b : jpeg) { // JPEG entropy-coded data looks random
        x = x * 1664525u + 1013904223u;
        b = static_cast<unsigned char>(x >> 24);
    }
    std::map<std::string, xmlrpc_c::value> m;
    m.emplace("seq", xmlrpc_c::value_int(4711));
    m.emplace("ts", xmlrpc_c::value_double(1733390000123.456));
    m.emplace("width", xmlrpc_c::value_int(1280));
    m.emplace("height", xmlrpc_c::value_int(720));
    m.emplace("codec", xmlrpc_c::value_string("jpeg"));
    if (asBase64Type) {
        m.emplace("data", xmlrpc_c::value_bytestring(jpeg));
    } else {
        std::string text;
        xmlrpc_c::paramList tmp;
        tmp.add(xmlrpc_c::value_bytestring(jpeg));
        std::string xml; // the same base64 text, line breaks removed, as one string
        xmlrpc_c::xml::generateCall("x", tmp, &xml);
        const auto a = xml.find("<base64>") + 8;
        for (char c : xml.substr(a, xml.find("</base64>") - a))
            if (c != '\r' && c != '\n')
                text += c;
        m.emplace("data", xmlrpc_c::value_string(text));
    }
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_struct(m));
    std::string xml;
    xmlrpc_c::xml::generateCall("video.frame", params, &xml);
    return xml;
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * double(v.size() - 1))];
}

double sum(const std::vector<double>& v) {
    double s = 0;
    for (double d : v)
        s += d;
    return s;
}

} // namespace

int main(int argc, char** argv) {
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 16 * 1024 * 1024);
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 300;
    std::printf("video.frame call parse time, %d calls per case, interleaved\n", iterations);
    std::printf("%-24s %9s | %-8s %8s %8s %8s | %-8s %8s %8s %8s | %s | %s\n", "case", "doc KB",
                "ours", "p50 ms", "p95 ms", "MB/s", "xmlrpc-c", "p50 ms", "p95 ms", "MB/s",
                "p50 ratio", "tokenizer p50 ms");
    for (const bool asBase64Type : {true, false}) {
        for (const std::size_t kb : {75, 120, 170}) {
            const std::string xml = frameCall(kb * 1024, asBase64Type);
            std::vector<double> ours, theirs, tokens;
            for (int i = 0; i < iterations + 10; ++i) {
                const bool oursFirst = i % 2 == 0;
                double tOurs = 0, tTheirs = 0;
                for (int k = 0; k < 2; ++k) {
                    const auto start = Clock::now();
                    if ((k == 0) == oursFirst) {
                        const auto call = charla::host::parseXmlRpcCall(xml);
                        if (call.params.size() != 1)
                            std::abort();
                        tOurs =
                            std::chrono::duration<double, std::milli>(Clock::now() - start).count();
                    } else {
                        std::string name;
                        xmlrpc_c::paramList params;
                        xmlrpc_c::xml::parseCall(xml, &name, &params);
                        if (params.size() != 1)
                            std::abort();
                        tTheirs =
                            std::chrono::duration<double, std::milli>(Clock::now() - start).count();
                    }
                }
                // The floor under ours: QXmlStreamReader's tokenizer alone, nothing built.
                const auto start = Clock::now();
                QXmlStreamReader reader(
                    QByteArray::fromRawData(xml.data(), static_cast<qsizetype>(xml.size())));
                while (!reader.atEnd())
                    reader.readNext();
                const double tTokens =
                    std::chrono::duration<double, std::milli>(Clock::now() - start).count();
                if (i >= 10) { // the first ones warm caches and the allocator
                    ours.push_back(tOurs);
                    theirs.push_back(tTheirs);
                    tokens.push_back(tTokens);
                }
            }
            const double mb = double(xml.size()) / 1e6;
            const std::string name = std::string(asBase64Type ? "<base64> " : "string ") +
                                     std::to_string(kb) + " KB JPEG";
            std::printf(
                "%-24s %9.1f | %-8s %8.3f %8.3f %8.1f | %-8s %8.3f %8.3f %8.1f | %9.2f | %8.3f\n",
                name.c_str(), double(xml.size()) / 1024, "", percentile(ours, 0.5),
                percentile(ours, 0.95), mb * double(ours.size()) / (sum(ours) / 1e3), "",
                percentile(theirs, 0.5), percentile(theirs, 0.95),
                mb * double(theirs.size()) / (sum(theirs) / 1e3),
                percentile(ours, 0.5) / percentile(theirs, 0.5), percentile(tokens, 0.5));
        }
    }
    return 0;
}
