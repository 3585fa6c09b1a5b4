// The XML-RPC dispatch path: RpcServer::processCall(table, body) on a method table populated like
// a running host's: system.listMethods, host.ping and host.hello (a PeerLink on a HostChannel
// that never listens), call.invite/answer/hangup (a CallManager), text.send (the text plugin's
// TextChat with a store in a scratch directory), audio.frame (packet parser + receiver) and
// video.frame (the frame validator). The input is the raw HTTP body of one POST to /RPC2.
//
// Properties beyond "no crash":
//   - every answer is a well-formed XML-RPC response that the host's reader parses back;
//   - no handler lets an exception other than a fault escape on hostile input (the host would
//     mark its plugin failed, letting a peer switch off a feature with one call);
//   - the access check (RpcServer::refusal) refuses a stranger and a wrong signature: over plain
//     HTTP the body-only signature; over TLS the signature bound to the connection (a binding
//     derived from the input stands for the connection's exporter value), where a body-only
//     signature, one bound to another connection (a relay's other side) and one made as an
//     answer's are all refused;
//   - the same input read as an answer: only its signature over the answer binding proves the
//     secret to the client (signatureMatches), not a call's signature over the same bytes, nor
//     one for another connection.
#include "fuzz_common.h"

#include "core/call_manager.h"
#include "core/host_channel.h"
#include "core/peer_link.h"
#include "core/rpc_server.h"
#include "core/xmlrpc_reader.h"

#include "plugin_headers.h"

#include <QCoreApplication>
#include <QCryptographicHash>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

using namespace charla;

namespace {

struct Host {
    host::HostChannel channel;
    std::unique_ptr<host::PeerLink> link;
    std::unique_ptr<host::CallManager> calls;
#if CHARLA_FUZZ_TEXT
    std::unique_ptr<text::TextChat> chat;
#endif
#if CHARLA_FUZZ_AUDIO
    audio::AudioReceiver receiver;
#endif
};

Host* host_ = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::setUp(argc, argv);
    // Never destroyed: libFuzzer may exit from any thread, and the CallManager's destructor
    // would wait for its signalling thread.
    host_ = new Host;
    // The contact: a closed loopback port, so anything the handlers send fails at once.
    host_->channel.setPeerAddress({"127.0.0.1", 1});
    host_->channel.methods().setFailureHandler(
        [](const std::string& owner, const std::string& what) {
            // A handler threw something other than a fault: the host would disable `owner`.
            std::fprintf(stderr, "\n==== a handler of '%s' failed on hostile input: %s\n",
                         owner.c_str(), what.c_str());
            std::abort();
        });
    host_->link = std::make_unique<host::PeerLink>(host_->channel, "fuzz");
    host_->calls = std::make_unique<host::CallManager>(host_->channel);
    host_->calls->setRingTimeout(std::chrono::milliseconds(50));
    QObject::connect(host_->link.get(), &host::PeerLink::peerChanged, host_->calls.get(),
                     &host::CallManager::peerChanged, Qt::QueuedConnection);

#if CHARLA_FUZZ_TEXT
    host_->chat = std::make_unique<text::TextChat>(
        QStringLiteral("fuzz"), QString::fromStdString(fuzz::scratchDir() + "/text.sqlite"));
    sdk::MethodSpec send; // as TextPlugin::initialize registers it
    send.name = text::kSendMethod;
    send.signature = "S:S";
    send.maxPayloadBytes = text::kMaxSendPayloadBytes;
    send.handler = [chat = host_->chat.get()](const xmlrpc_c::paramList& params) {
        return chat->handleSendCall(params);
    };
    host_->channel.methods().add("text", std::move(send));
#endif
#if CHARLA_FUZZ_AUDIO
    host_->receiver.setEnabled(true);
    sdk::MethodSpec frame;
    frame.name = audio::kFrameMethod;
    frame.signature = "i:6";
    frame.maxPayloadBytes = audio::kMaxPacketBytes;
    frame.handler = [receiver = &host_->receiver](const xmlrpc_c::paramList& params) {
        const audio::AudioPacket packet = audio::parseFrameParams(params);
        const int stored = receiver->push(packet);
        (void)receiver->pull();
        return xmlrpc_c::value_int(stored);
    };
    host_->channel.methods().add("audio", std::move(frame));
#endif
#if CHARLA_FUZZ_VIDEO
    sdk::MethodSpec video;
    video.name = video::kFrameMethod;
    video.signature = "S:S";
    video.maxPayloadBytes = video::kMaxFramePayloadBytes;
    video.handler = [](const xmlrpc_c::paramList& params) {
        video::WireFrame frame;
        const video::FrameError error = video::parseFrame(params, &frame);
        if (error != video::FrameError::None)
            throw sdk::fault(video::faultCodeFor(error),
                             std::string("video.frame: ") + video::toString(error));
        return xmlrpc_c::value_struct(
            std::map<std::string, xmlrpc_c::value>{{"seq", xmlrpc_c::value_int(frame.seq)}});
    };
    host_->channel.methods().add("video", std::move(video));
#endif
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    if (fuzz::skipKnownXmlrpcCrash(body))
        return 0;

    // The access check comes first on the server thread: a stranger and a wrong signature are
    // refused whatever the body.
    {
        host::AccessPolicy policy;
        policy.allowedPeerIp = "192.0.2.1";
        policy.secret = "fuzz-secret";
        CHARLA_FUZZ_CHECK(host::RpcServer::refusal(policy, "192.0.2.2", "", body).has_value(),
                          "a stranger was let in");
        CHARLA_FUZZ_CHECK(
            host::RpcServer::refusal(policy, "192.0.2.1", body.substr(0, 64), body).has_value(),
            "a wrong signature was accepted");
        const std::string good = host::signBody(policy.secret, body);
        CHARLA_FUZZ_CHECK(!host::RpcServer::refusal(policy, "192.0.2.1", good, body).has_value(),
                          "the right signature was refused");

        // Over TLS: 32-byte bindings as the connection's exporter gives them (the call's and the
        // answer's labels), derived from the input so that they vary with it.
        const auto derive = [&body](const char* label) {
            QCryptographicHash hash(QCryptographicHash::Sha256);
            hash.addData(QByteArrayView(label));
            hash.addData(QByteArrayView(body.data(), static_cast<qsizetype>(body.size())));
            return hash.result().toStdString();
        };
        const std::string binding = derive("call");
        const std::string answerBinding = derive("answer");
        std::string relayed = binding; // the same call, signed on a relay's other connection
        relayed[body.size() % relayed.size()] ^= 0x01;
        const auto refused = [&](const std::string& signature) {
            return host::RpcServer::refusal(policy, "192.0.2.1", signature, body, binding)
                .has_value();
        };
        const std::string bound = host::signCall(policy.secret, binding, body);
        CHARLA_FUZZ_CHECK(!refused(bound), "the right bound signature was refused");
        CHARLA_FUZZ_CHECK(refused(good), "a body-only signature was accepted over TLS");
        CHARLA_FUZZ_CHECK(refused(host::signCall(policy.secret, relayed, body)),
                          "a signature for another TLS connection was accepted");
        CHARLA_FUZZ_CHECK(refused(host::signCall(policy.secret, answerBinding, body)),
                          "an answer's signature was accepted as a call's");
        CHARLA_FUZZ_CHECK(refused(bound.substr(0, bound.size() / 2)),
                          "half a bound signature was accepted");
        CHARLA_FUZZ_CHECK(refused(QByteArray::fromStdString(bound).toUpper().toStdString()) ||
                              bound.find_first_of("abcdef") == std::string::npos,
                          "an upper-case signature was accepted (the protocol says lower case)");

        // The input as an answer the client reads (CurlPeerStream): only the answer binding's
        // signature proves that the server holds the secret.
        CHARLA_FUZZ_CHECK(
            host::signatureMatches(policy.secret, answerBinding, body,
                                   host::signCall(policy.secret, answerBinding, body)),
            "a signed answer did not prove the secret");
        CHARLA_FUZZ_CHECK(!host::signatureMatches(policy.secret, answerBinding, body, bound),
                          "a call's signature proved the secret as an answer's");
        CHARLA_FUZZ_CHECK(!host::signatureMatches(policy.secret, answerBinding, body, ""),
                          "an unsigned answer proved the secret");
        std::string otherAnswer = answerBinding;
        otherAnswer[0] ^= 0x80;
        CHARLA_FUZZ_CHECK(!host::signatureMatches(policy.secret, answerBinding, body,
                                                  host::signCall(policy.secret, otherAnswer, body)),
                          "an answer signed on another TLS connection proved the secret");
    }

    const std::string response = host::RpcServer::processCall(host_->channel.methods(), body);
    try {
        (void)host::parseXmlRpcResponse(response);
    } catch (const std::exception& e) {
        fuzz::fail(__FILE__,
                   std::string("processCall answered with a malformed response (") + e.what() +
                       "): " + response.substr(0, 400),
                   data, size);
    }
    // Deliver what the handlers queued for the GUI thread (call state, conversation refresh).
    QCoreApplication::processEvents();
    return 0;
}
