// One persistent HTTP connection to the peer, on libcurl's multi interface.
//
// Why not xmlrpc-c's own curl transport: it waits in 3-second ticks, so its timeouts fire late
// (a 500 ms timeout fails after ~3 s) and an interrupt takes up to 3 s to be seen, which breaks
// "a plugin stops within 1 s even while the peer hangs". Here curl_multi_poll() is woken at once
// by curl_multi_wakeup(), timeouts are exact to the millisecond, and the multi handle keeps the
// TCP connection open between calls. xmlrpc-c still writes and parses the XML.
#pragma once

#include <charla/sdk/channel.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace charla::security {
class TlsContext;
struct DatagramKey;
} // namespace charla::security

namespace charla::host {

class CurlPeerStream : public sdk::PeerStream {
public:
    // With a non-empty `secret`, every call carries X-Charla-Signature (docs/security.md), over
    // TLS bound to the connection the call goes out on (docs/protocol.md "Shared secret"). With
    // `tls` (and an https:// url) the connection is TLS 1.3 with our certificate, and the server's
    // key must be the one known for `contact` ("host:port"; trust on first use).
    // With both, every answer must be signed with the secret over its connection's answer
    // binding, and a call other than host.ping goes out only to a server key that proved the
    // secret (TlsContext::provedSecret): until then it fails with Kind::Unreachable before a byte
    // of it is sent, and an answer that is not signed fails with Kind::BadResponse and
    // faultCode() 401 (a refusal, fault 401 or 403, needs no signature: it is thrown as a fault).
    CurlPeerStream(std::string name, std::string url, std::string secret = {},
                   std::shared_ptr<security::TlsContext> tls = nullptr, std::string contact = {});
    ~CurlPeerStream() override;
    CurlPeerStream(const CurlPeerStream&) = delete;
    CurlPeerStream& operator=(const CurlPeerStream&) = delete;

    xmlrpc_c::value call(const std::string& method, const xmlrpc_c::paramList& params,
                         std::chrono::milliseconds timeout) override;
    std::string name() const override { return name_; }

    // Thread-safe. Makes the call in progress (if any) return at once, and every later call
    // fail, with Kind::Interrupted.
    void interrupt();

    // Before the first call, over TLS: after every answered call on a connection whose datagram
    // key (security/datagram_keys.h) differs from the last one given, `sink` gets it, on the
    // calling thread. Answered means the server finished the handshake, so it has the key too.
    void setDatagramKeySink(std::function<void(const security::DatagramKey&)> sink);

    // Bytes sent in request bodies (for the benchmarks' wire figures).
    std::uint64_t bytesSent() const { return bytesSent_; }

private:
    // libcurl's CURLOPT_PREREQFUNCTION: the connection for this call is ready (new or reused),
    // the request not written yet.
    static int onConnectionReady(void* self, char*, char*, int, int);
    // libcurl's CURLOPT_HEADERFUNCTION: keeps the answer's signature and XML length.
    static size_t onHeader(char* data, size_t size, size_t count, void* self);
    void installPrereq();
    // With a secret over TLS: whether this call's answer carries a good signature.
    bool answerProvesSecret(const std::string& answer) const;

    std::string name_;
    std::string url_;
    std::string secret_;
    std::shared_ptr<security::TlsContext> tls_;
    std::string contact_;   // read by the TLS verify callback: outlives the connection
    std::mutex callMutex_;  // one call at a time on the connection
    void* multi_ = nullptr; // CURLM*
    void* easy_ = nullptr;  // CURL*, reused so the connection stays open
    // The request headers: one list for calls that ask for a blob answer, one for the others.
    // With a secret, the signature's hex digits inside a list's last entry, written for each
    // call by onConnectionReady(), before libcurl reads the headers (it reads them after that
    // callback, when it builds the request: lib/multi.c MSTATE_DO, then Curl_http).
    struct Headers {
        void* list = nullptr; // curl_slist*
        char* signatureDigits = nullptr;
    };
    Headers makeHeaders(bool askForBlobs) const;
    Headers plainHeaders_;
    Headers blobHeaders_;
    char* signatureDigits_ = nullptr; // the digits of this call's list
    // Methods whose answers held base64 values: their calls ask for blob answers.
    std::set<std::string> blobMethods_;
    std::optional<std::size_t> xmlLength_; // this call's X-Charla-Xml-Length
    const std::string* body_ = nullptr;    // the call being made, while call() runs
    // With a secret over TLS (proofRequired_), per call: may it go to a key that has not proved
    // the secret (host.ping only), was it held back for that reason, the server key and answer
    // binding of its connection, and the answer's signature header.
    bool proofRequired_ = false;
    bool mayGoUnproved_ = false;
    bool heldBack_ = false;
    std::string serverKey_;
    std::string answerBinding_;
    std::string answerSignature_;
    std::atomic<bool> interrupted_{false};
    std::function<void(const security::DatagramKey&)> keySink_;
    std::unique_ptr<security::DatagramKey> connectionKey_; // this call's connection, call() only
    std::unique_ptr<security::DatagramKey> givenKey_;      // what keySink_ had last
    std::atomic<std::uint64_t> bytesSent_{0};
};

} // namespace charla::host
