// Writes the seed corpus (tests/fuzz/corpus/<target>/) from real messages: XML-RPC calls made
// with xmlrpc_c::xml::generateCall from the same serializers the plugins use, plus a few broken
// ones. Usage: fuzz_seed_generator <corpus directory>
#include "core/plugin_manifest.h"

#include "plugin_headers.h"

#include <charla/sdk/fault.h>

#include <xmlrpc-c/xml.hpp>

#include <QDateTime>
#include <QUuid>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Struct = std::map<std::string, xmlrpc_c::value>;

namespace {

fs::path root;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
    fs::create_directories(root / target);
    std::ofstream(root / target / name, std::ios::binary) << bytes;
}

std::string bytesOf(const std::vector<std::uint8_t>& v) {
    return std::string(v.begin(), v.end());
}

std::string call(const std::string& method, const xmlrpc_c::paramList& params) {
    std::string xml;
    xmlrpc_c::xml::generateCall(method, params, &xml);
    return xml;
}

std::string call1(const std::string& method, const xmlrpc_c::value& v) {
    xmlrpc_c::paramList p;
    p.add(v);
    return call(method, p);
}

const std::string kCallId = "5b1c6a5e-1f0e-4c1a-9d55-0d6c6bb3f0a1";

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus directory>\n", argv[0]);
        return 2;
    }
    root = argv[1];

    // ---- fuzz_rpc_dispatch: raw /RPC2 bodies
    const std::string d = "fuzz_rpc_dispatch";
    write(d, "host_ping.xml", call("host.ping", xmlrpc_c::paramList()));
    write(d, "list_methods.xml", call("system.listMethods", xmlrpc_c::paramList()));
    {
        Struct plugin{
            {"id", xmlrpc_c::value_string("audio")},
            {"version", xmlrpc_c::value_string("1.0.0")},
            {"sends",
             xmlrpc_c::value_array(std::vector<xmlrpc_c::value>{xmlrpc_c::value_string("audio")})},
            {"receives",
             xmlrpc_c::value_array(std::vector<xmlrpc_c::value>{xmlrpc_c::value_string("audio")})},
            {"params",
             xmlrpc_c::value_struct(Struct{{"codecs", xmlrpc_c::value_string("opus,pcm16")}})}};
        Struct hello{{"app", xmlrpc_c::value_string("Charla")},
                     {"version", xmlrpc_c::value_string("0.1.0")},
                     {"protocol", xmlrpc_c::value_int(1)},
                     {"user", xmlrpc_c::value_string("Bob")},
                     {"plugins_serial", xmlrpc_c::value_int(3)},
                     {"plugins", xmlrpc_c::value_array(std::vector<xmlrpc_c::value>{
                                     xmlrpc_c::value_struct(plugin)})}};
        write(d, "host_hello.xml", call1("host.hello", xmlrpc_c::value_struct(hello)));
        hello.erase("user");
        write(d, "host_hello_no_user.xml", call1("host.hello", xmlrpc_c::value_struct(hello)));
    }
    write(d, "call_invite.xml",
          call1("call.invite",
                xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(kCallId)}})));
    write(d, "call_answer.xml",
          call1("call.answer",
                xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(kCallId)},
                                              {"accept", xmlrpc_c::value_boolean(true)}})));
    write(d, "call_hangup.xml",
          call1("call.hangup",
                xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string(kCallId)},
                                              {"reason", xmlrpc_c::value_string("hangup")}})));
    write(d, "call_invite_not_uuid.xml",
          call1("call.invite",
                xmlrpc_c::value_struct(Struct{{"call_id", xmlrpc_c::value_string("x")}})));
    // Answers, as the client reads them (their signature over the answer binding, issue 13):
    // host.ping's, and the refusal a call without the secret gets (unsigned).
    {
        std::string ping;
        xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(xmlrpc_c::value_struct(
                                            Struct{{"app", xmlrpc_c::value_string("Charla")},
                                                   {"protocol", xmlrpc_c::value_int(1)},
                                                   {"plugins_serial", xmlrpc_c::value_int(3)}})),
                                        &ping);
        write(d, "answer_host_ping.xml", ping);
        std::string refused;
        xmlrpc_c::xml::generateResponse(
            xmlrpc_c::rpcOutcome(xmlrpc_c::fault(
                "unauthorized: missing or wrong X-Charla-Signature (shared secret, bound to this "
                "TLS connection)",
                static_cast<xmlrpc_c::fault::code_t>(401))),
            &refused);
        write(d, "answer_fault_401.xml", refused);
    }
    write(d, "unknown_method.xml", call("no.such.method", xmlrpc_c::paramList()));
    write(d, "malformed.xml", "<?xml version=\"1.0\"?><methodCall><methodName>host.ping");
    write(d, "not_xml.txt", "GET / HTTP/1.0\r\n\r\n");
    write(
        d, "all_types.xml",
        "<?xml version=\"1.0\"?><methodCall><methodName>host.hello</methodName><params>"
        "<param><value><struct><member><name>a</name><value><i4>1</i4></value></member>"
        "<member><name>b</name><value><i8>9000000000</i8></value></member>"
        "<member><name>c</name><value><double>1.5</double></value></member>"
        "<member><name>d</name><value><boolean>1</boolean></value></member>"
        "<member><name>e</name><value><dateTime.iso8601>20240501T12:34:56</dateTime.iso8601></"
        "value></member>"
        "<member><name>f</name><value><base64>aGVsbG8=</base64></value></member>"
        "<member><name>g</name><value><nil/></value></member>"
        "<member><name>h</name><value><array><data><value>x</value></data></array></value></member>"
        "</struct></value></param></params></methodCall>");

#if CHARLA_FUZZ_TEXT
    {
        charla::text::TextMessage m{
            QUuid::fromString(QStringLiteral("{8c1d3f0e-4d6b-4a7e-9b1a-2f3c4d5e6f70}")),
            QDateTime::fromString("2024-05-01T12:34:56.789Z", Qt::ISODateWithMs),
            QStringLiteral("Hello, Bob!")};
        write(d, "text_send.xml", call1(charla::text::kSendMethod, charla::text::toXmlRpc(m)));
        charla::text::TextMessage emoji = m;
        emoji.body = QString::fromUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80");
        write(d, "text_send_emoji.xml",
              call1(charla::text::kSendMethod, charla::text::toXmlRpc(emoji)));

        // fuzz_text_message: mode byte, then id\0sent_at\0body[\0body_utf8] or an XML call.
        const std::string t = "fuzz_text_message";
        const std::string id = charla::text::wireId(m.id), at = charla::text::wireTime(m.sentAt);
        write(t, "struct_valid", std::string("\x00", 1) + id + '\0' + at + '\0' + "Hello");
        write(t, "struct_utf8",
              std::string("\x00", 1) + id + '\0' + at + '\0' + "?" + '\0' +
                  "\xf0\x9f\x98\x80 smile");
        write(t, "struct_local_time",
              std::string("\x00", 1) + id + '\0' + "2024-05-01T12:34:56" + '\0' + "x");
        write(t, "struct_offset",
              std::string("\x00", 1) + id + '\0' + "2024-05-01T14:34:56+02:00" + '\0' + "x");
        write(t, "struct_bad_utf8",
              std::string("\x00", 1) + id + '\0' + at + '\0' + "x" + '\0' + "\xc3\x28");
        write(t, "struct_no_body", std::string("\x08", 1) + id + '\0' + at + '\0' + "x");
        write(t, "struct_braced_id",
              std::string("\x00", 1) + "{" + id + "}" + '\0' + at + '\0' + "x");
        write(t, "xml_valid", "\x01" + call1(charla::text::kSendMethod, charla::text::toXmlRpc(m)));
        write(t, "xml_emoji",
              "\x01" + call1(charla::text::kSendMethod, charla::text::toXmlRpc(emoji)));
        write(t, "xml_int_body",
              "\x01<?xml version=\"1.0\"?><methodCall><methodName>text.send</methodName>"
              "<params><param><value><struct><member><name>id</name><value>" +
                  id + "</value></member><member><name>sent_at</name><value>" + at +
                  "</value></member><member><name>body</name><value><int>5</int></value>"
                  "</member></struct></value></param></params></methodCall>");
    }
#endif

#if CHARLA_FUZZ_AUDIO
    {
        using namespace charla::audio;
        const std::string a = "fuzz_audio_packet";
        PcmFrame pcm{};
        for (std::size_t i = 0; i < pcm.size(); ++i)
            pcm[i] = static_cast<std::int16_t>(8000 * std::sin(i * 2 * M_PI * 440 / 48000.0));
        AudioEncoder opus(Codec::Opus), raw(Codec::Pcm16);
        AudioPacket p1{Codec::Opus, 0x1234abcd, {}};
        for (std::uint32_t s = 0; s < 3; ++s)
            p1.frames.push_back({100 + s, 1'700'000'000'000'000 + 20'000 * s, opus.encode(pcm)});
        AudioPacket p2{Codec::Pcm16, 42, {{7, 1'700'000'000'000'000, raw.encode(pcm)}}};
        AudioPacket p3{Codec::Opus, 1, {{0, 0, {0x08}}}}; // one-byte SILK 20 ms packet (DTX)
        for (const auto& [name, p] :
             {std::pair{"opus_3frames", p1}, {"pcm_1frame", p2}, {"opus_dtx", p3}}) {
            write(a, name, bytesOf(serializePacket(p)));
            write(d, std::string("audio_frame_") + name + ".xml",
                  call(kFrameMethod, toFrameParams(p)));
        }
        std::string cut = bytesOf(serializePacket(p1));
        write(a, "truncated", cut.substr(0, cut.size() - 5));
        std::string badVersion = bytesOf(serializePacket(p3));
        badVersion[0] = 2;
        write(a, "bad_version", badVersion);
        write(a, "header_only", std::string("\x01\x01\x01\x00\x00\x00\x00\x01", 8));
    }
#endif

#if CHARLA_FUZZ_VIDEO
    {
        using namespace charla::video;
        const std::string v = "fuzz_video_frame";
        cv::Mat img(16, 24, CV_8UC3);
        for (int y = 0; y < img.rows; ++y)
            for (int x = 0; x < img.cols; ++x)
                img.at<cv::Vec3b>(y, x) = cv::Vec3b(x * 10, y * 15, (x + y) * 5);
        const std::vector<std::uint8_t> jpeg = encodeJpeg(img, 50);
        cv::Mat grey(8, 8, CV_8UC1, cv::Scalar(128));
        std::vector<std::uint8_t> progressive;
        cv::imencode(".jpg", img, progressive,
                     {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_QUALITY, 30});
        std::vector<std::uint8_t> greyJpeg;
        cv::imencode(".jpg", grey, greyJpeg, {cv::IMWRITE_JPEG_QUALITY, 30});
        write(v, "bytes_baseline", "\x00" + bytesOf(jpeg));
        write(v, "string_baseline", "\x01" + bytesOf(jpeg));
        write(v, "bytes_progressive", std::string("\x00", 1) + bytesOf(progressive));
        write(v, "bytes_grey", std::string("\x00", 1) + bytesOf(greyJpeg));
        write(v, "bytes_lying_width", std::string("\x04", 1) + bytesOf(jpeg));
        write(v, "bytes_truncated",
              std::string("\x00", 1) + bytesOf(jpeg).substr(0, jpeg.size() / 2));
        write(v, "base64_text", std::string("\x02\x00\x18\x00\x10", 5) + base64Encode(jpeg));
        write(v, "base64_bad", std::string("\x02\x00\x01\x00\x01", 5) + "ab=c\r\nZ");
        std::string xml;
        xmlrpc_c::xml::generateCall(kFrameMethod, frameParams(3, 1.7e12, 24, 16, jpeg), &xml);
        write(v, "xml_frame", "\x03" + xml);
        write(d, "video_frame.xml", xml);
        xmlrpc_c::xml::generateCall(kFrameMethod, frameParams(4, 1.7e12, 24, 16, jpeg, true), &xml);
        write(v, "xml_frame_base64", "\x03" + xml);
        write(d, "video_frame_base64.xml", xml);
    }
    {
        // fuzz_vp8_frame: flags byte, then frames as 2-byte big-endian length + bytes: a real
        // keyframe and delta frames of a moving picture, and broken variants of them.
        using namespace charla::video;
        const std::string v = "fuzz_vp8_frame";
        Vp8Encoder encoder;
        std::vector<std::string> frames;
        for (int i = 0; i < 4; ++i) {
            cv::Mat img(48, 64, CV_8UC3);
            for (int y = 0; y < img.rows; ++y)
                for (int x = 0; x < img.cols; ++x)
                    img.at<cv::Vec3b>(y, x) = cv::Vec3b((x + 3 * i) * 4, y * 5, (x + y + i) * 3);
            std::vector<std::uint8_t> out;
            encoder.encode(img, 30, out);
            frames.push_back(bytesOf(out));
        }
        auto stream = [](char flags, const std::vector<std::string>& list) {
            std::string s(1, flags);
            for (const std::string& f : list) {
                s += static_cast<char>((f.size() >> 8) & 0xFF);
                s += static_cast<char>(f.size() & 0xFF);
                s += f;
            }
            return s;
        };
        write(v, "stream", stream(0, frames));
        write(v, "stream_string", stream(1, frames));
        write(v, "stream_lying_width", stream(2, frames));
        write(v, "delta_first", stream(0, {frames[1], frames[2], frames[0], frames[3]}));
        write(v, "gap", stream(0, {frames[0], frames[2], frames[3]}));
        write(v, "truncated_key",
              stream(0, {frames[0].substr(0, frames[0].size() / 2), frames[1]}));
        std::string huge = frames[0];
        huge[6] = huge[8] = '\xFF';
        huge[7] = huge[9] = '\x3F';
        write(v, "absurd_size", stream(0, {huge, frames[1]}));
    }
#endif

    // ---- fuzz_xmlrpc_reader: every call above, and answers: from xmlrpc-c's writer, and by hand
    // what only foreign peers send (ex: tags, emoji, character references), too deep, a DTD.
    const std::string r = "fuzz_xmlrpc_reader";
    fs::create_directories(root / r);
    for (const auto& entry : fs::directory_iterator(root / d))
        if (entry.path().extension() == ".xml")
            fs::copy_file(entry.path(), root / r / entry.path().filename(),
                          fs::copy_options::overwrite_existing);
    {
        std::string xml;
        xmlrpc_c::xml::generateResponse(
            xmlrpc_c::rpcOutcome(xmlrpc_c::value_struct(Struct{
                {"seq", xmlrpc_c::value_int(7)},
                {"list", xmlrpc_c::value_array(std::vector<xmlrpc_c::value>{
                             xmlrpc_c::value_nil(), xmlrpc_c::value_i8(-5),
                             xmlrpc_c::value_double(0.25), xmlrpc_c::value_boolean(true)})}})),
            &xml);
        write(r, "response_generated.xml", xml);
        xml.clear();
        xmlrpc_c::xml::generateResponse(
            xmlrpc_c::rpcOutcome(
                charla::sdk::fault(charla::sdk::kFaultUnknownMethod, "unknown method 'x'")),
            &xml);
        write(r, "response_fault_generated.xml", xml);
    }
    write(r, "response_struct.xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<params>\r\n"
          "<param><value><struct>\r\n<member><name>seq</name>\r\n<value><i4>7</i4></value>"
          "</member>\r\n<member><name>hola \xf0\x9f\x91\x8b</name>\r\n<value><array><data>\r\n"
          "<value><ex:nil/></value>\r\n<value><ex:i8>-5</ex:i8></value>\r\n<value>"
          "<dateTime.iso8601>20240501T12:34:56.123456</dateTime.iso8601></value>\r\n</data>"
          "</array></value></member>\r\n</struct></value></param>\r\n</params>\r\n"
          "</methodResponse>\r\n");
    write(r, "response_fault.xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<fault>\r\n"
          "<value><struct>\r\n<member><name>faultCode</name>\r\n<value><i4>-32601</i4></value>"
          "</member>\r\n<member><name>faultString</name>\r\n<value><string>unknown method "
          "&apos;x&apos; &#x1F44B;</string></value></member>\r\n</struct></value>\r\n</fault>"
          "\r\n</methodResponse>\r\n");
    {
        std::string deep = "<methodCall><methodName>m</methodName><params><param>";
        for (int i = 0; i < 70; ++i)
            deep += "<value><array><data>";
        for (int i = 0; i < 70; ++i)
            deep += "</data></array></value>";
        write(r, "call_deep_70.xml", deep + "</param></params></methodCall>");
    }
    write(r, "dtd.xml",
          "<?xml version=\"1.0\"?><!DOCTYPE methodCall [<!ENTITY a \"aaaa\">]><methodCall>"
          "<methodName>&a;</methodName></methodCall>");

    // ---- fuzz_manifest: JSON manifests as charla_add_plugin() writes them
    const std::string mf = "fuzz_manifest";
    write(mf, "valid.json", R"({
  "charla_plugin": 1,
  "id": "fuzz",
  "name": "Video",
  "version": "1.0.0",
  "vendor": "Charla",
  "description": "Camera video in calls",
  "sends": ["video"],
  "receives": ["video"],
  "sdk_abi": "1.0",
  "qt": "6.4",
  "options": [{"name": "camera", "value": "SOURCE", "help": "Video source"}],
  "library": "libcharla_fuzz.so"
}
)");
    write(
        mf, "missing_library.json",
        R"({"id":"text","name":"T","version":"1","sdk_abi":"1.0","qt":"6.4","sends":[],"receives":[],"library":"libnope.so"})");
    write(
        mf, "reserved_id.json",
        R"({"id":"host","name":"T","version":"1","sdk_abi":"1.0","qt":"6.4","sends":[],"receives":[],"library":"libcharla_fuzz.so"})");
    write(
        mf, "path_library.json",
        R"({"id":"x","name":"T","version":"1","sdk_abi":"2.7","qt":"5.15","sends":["a"],"receives":[1],"library":"../libcharla_fuzz.so"})");
    write(mf, "not_object.json", "[1, 2, 3]");
    write(mf, "truncated.json", R"({"id": "text", "name": "Te)");
    std::printf("corpus written to %s\n", root.c_str());
    return 0;
}
