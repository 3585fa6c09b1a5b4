// The files plugin's chunk path, both ends (docs/protocol-files.md):
//   the receiver's check of a files.read answer (parseReadAnswer), and
//   the sender's files.read handler and the receiver's other handlers (offer, answer, pause,
//   cancel, done) on real engines with a real store and a real file in a scratch directory.
//
// Input layout: the first byte picks the mode.
//   mode % 3 == 0: a files.read answer built directly: 8 bytes of offset (the answer's), 4 of the
//                  length asked, the rest the data; bits 2..4 of the mode drop or retype members.
//                  Accepted data must be 1..length bytes and the offset the one asked.
//   mode % 3 == 1: a files.read call on the sender: 8 bytes offset (as a double), 4 length, then
//                  the id (the known transfer's if empty). Every answer must be the file's own
//                  bytes at that offset, no more than asked; anything else a fault.
//   mode % 3 == 2: the rest is a whole <methodCall> for files.*, read by the host's XML-RPC reader
//                  and handed to the receiving engine's handler. Only xmlrpc_c::fault may escape.
#include "fuzz_common.h"

#include "core/xmlrpc_reader.h"
#include "transfer_engine.h"

#include <xmlrpc-c/girerr.hpp>

#include <QDir>
#include <QFile>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <string>

using namespace charla;
using files::Direction;
using files::State;
using files::TransferEngine;

namespace {

using Struct = std::map<std::string, xmlrpc_c::value>;

constexpr const char* kKnownId = "known-transfer";
std::string fileBytes;
// Never destroyed: at exit Qt SQL's own globals go first, and a store closed after them crashes.
// Still reachable through these pointers, so not a leak.
TransferEngine* sender = nullptr;
TransferEngine* receiver = nullptr;

template <typename T> T take(const std::uint8_t*& p, std::size_t& n) {
    T v{};
    if (n >= sizeof(T)) {
        std::memcpy(&v, p, sizeof(T));
        p += sizeof(T);
        n -= sizeof(T);
    }
    return v;
}

void answerMode(std::uint8_t mode, const std::uint8_t* p, std::size_t n, const std::uint8_t* data,
                std::size_t size) {
    const auto answerOffset = take<std::int64_t>(p, n);
    const int length = static_cast<int>(take<std::uint32_t>(p, n) % (2 * files::kMaxChunkBytes));
    const qint64 asked = answerOffset & 1 ? answerOffset : std::llabs(answerOffset % 100000);
    Struct members;
    if (!(mode & 4))
        members["offset"] = xmlrpc_c::value_i8(answerOffset);
    if (!(mode & 8)) {
        try {
            members["data"] =
                mode & 16 ? xmlrpc_c::value(xmlrpc_c::value_string(std::string(p, p + n)))
                          : xmlrpc_c::value(
                                xmlrpc_c::value_bytestring(std::vector<unsigned char>(p, p + n)));
        } catch (const girerr::error&) {
            return; // not UTF-8: xmlrpc-c refuses to make the value
        }
    }
    try {
        const auto got = files::parseReadAnswer(xmlrpc_c::value_struct(members), asked, length);
        CHARLA_FUZZ_CHECK(!got.empty() && got.size() <= static_cast<std::size_t>(length),
                          "an accepted chunk is empty or longer than asked");
        CHARLA_FUZZ_CHECK(answerOffset == asked, "a chunk at another offset was accepted");
    } catch (const xmlrpc_c::fault&) {
    }
}

void readMode(const std::uint8_t* p, std::size_t n, const std::uint8_t* data, std::size_t size) {
    const double offset = take<double>(p, n);
    const int length = static_cast<int>(take<std::int32_t>(p, n));
    const std::string id = n ? std::string(p, p + n) : std::string(kKnownId);
    xmlrpc_c::value idValue;
    try {
        idValue = xmlrpc_c::value_string(id);
    } catch (const girerr::error&) {
        return; // not UTF-8: xmlrpc-c refuses to make the value, no reader would deliver it
    }
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_struct(Struct{{"id", idValue},
                                             {"offset", xmlrpc_c::value_double(offset)},
                                             {"length", xmlrpc_c::value_int(length)}}));
    try {
        const xmlrpc_c::value result = sender->handleRead(params);
        const auto chunk = xmlrpc_c::value_struct(result).cvalue();
        const auto at = static_cast<qint64>(xmlrpc_c::value_i8(chunk.at("offset")).cvalue());
        const auto bytes = xmlrpc_c::value_bytestring(chunk.at("data")).vectorUcharValue();
        CHARLA_FUZZ_CHECK(id == kKnownId, "an unknown id was served");
        CHARLA_FUZZ_CHECK(std::isfinite(offset) && offset == static_cast<double>(at),
                          "served another offset than asked");
        CHARLA_FUZZ_CHECK(length >= 1 && bytes.size() <= static_cast<std::size_t>(length),
                          "served more than asked");
        CHARLA_FUZZ_CHECK(at >= 0 && at + static_cast<qint64>(bytes.size()) <=
                                         static_cast<qint64>(fileBytes.size()),
                          "served bytes outside the file");
        // An empty chunk's data() may be null, which memcmp must not see even for 0 bytes.
        CHARLA_FUZZ_CHECK(bytes.empty() ||
                              std::memcmp(bytes.data(), fileBytes.data() + at, bytes.size()) == 0,
                          "served bytes that are not the file's");
    } catch (const xmlrpc_c::fault&) {
    }
}

void callMode(const std::uint8_t* p, std::size_t n) {
    host::XmlRpcCall call;
    try {
        call = host::parseXmlRpcCall(std::string_view(reinterpret_cast<const char*>(p), n));
    } catch (const std::exception&) {
        return;
    }
    using Handler = xmlrpc_c::value (TransferEngine::*)(const xmlrpc_c::paramList&);
    static const std::map<std::string, Handler> handlers = {
        {"files.offer", &TransferEngine::handleOffer},
        {"files.answer", &TransferEngine::handleAnswer},
        {"files.read", &TransferEngine::handleRead},
        {"files.pause", &TransferEngine::handlePause},
        {"files.cancel", &TransferEngine::handleCancel},
        {"files.done", &TransferEngine::handleDone}};
    const auto it = handlers.find(call.methodName);
    if (it == handlers.end())
        return;
    try {
        (receiver->*(it->second))(call.params);
    } catch (const xmlrpc_c::fault&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::setUp(argc, argv);
    const QDir dir(QString::fromStdString(fuzz::scratchDir()));
    // A file of 3000 distinct-ish bytes, offered and known to the sender's store.
    for (int i = 0; i < 3000; ++i)
        fileBytes.push_back(static_cast<char>((i * 131 + i / 256) & 0xff));
    const QString source = dir.filePath("source.bin");
    QFile f(source);
    if (!f.open(QIODevice::WriteOnly) ||
        f.write(fileBytes.data(), qint64(fileBytes.size())) != qint64(fileBytes.size()))
        std::abort();
    f.close();
    {
        files::TransferStore store(dir.filePath("sender.sqlite"));
        files::Transfer t;
        t.id = kKnownId;
        t.direction = Direction::Outgoing;
        t.name = "source.bin";
        t.size = qint64(fileBytes.size());
        t.sha256 = QString(64, '0');
        t.path = source;
        t.state = State::Offered;
        store.insert(t);
    }
    files::EngineConfig config;
    config.storePath = dir.filePath("sender.sqlite");
    config.downloadDir = dir.filePath("downloads-sender");
    sender = new TransferEngine(config);
    config.storePath = dir.filePath("receiver.sqlite");
    config.downloadDir = dir.filePath("downloads");
    receiver = new TransferEngine(config);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = fuzz::splitMode(data, size);
    if (!input)
        return 0;
    switch (input->mode % 3) {
    case 0:
        answerMode(input->mode, input->payload, input->size, data, size);
        break;
    case 1:
        readMode(input->payload, input->size, data, size);
        break;
    default:
        callMode(input->payload, input->size);
        break;
    }
    return 0;
}
