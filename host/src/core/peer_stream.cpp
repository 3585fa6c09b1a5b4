#include "core/peer_stream.h"

#include "core/logging.h"
#include "core/rpc_server.h"
#include "core/xmlrpc_blobs.h"
#include "core/xmlrpc_reader.h"
#include "security/datagram_keys.h"
#include "security/tls.h"

#include <xmlrpc-c/xml.hpp>

#include <curl/curl.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

namespace charla::host {

using sdk::PeerCallError;

namespace {

// The answer being received, bounded: a peer answering 40 MB must not make us buffer 40 MB.
struct ResponseBuffer {
    std::string body;
    std::size_t limit = 0;
    bool overflowed = false;
};

size_t appendBounded(char* data, size_t size, size_t count, void* target) {
    auto* buffer = static_cast<ResponseBuffer*>(target);
    const size_t n = size * count;
    if (buffer->body.size() + n > buffer->limit) {
        buffer->overflowed = true;
        return 0; // anything but n makes curl abort the transfer (CURLE_WRITE_ERROR)
    }
    buffer->body.append(data, n);
    return n;
}

CURLM* multiOf(void* p) {
    return static_cast<CURLM*>(p);
}
CURL* easyOf(void* p) {
    return static_cast<CURL*>(p);
}

} // namespace

CurlPeerStream::CurlPeerStream(std::string name, std::string url, std::string secret,
                               std::shared_ptr<security::TlsContext> tls, std::string contact)
    : name_(std::move(name)), url_(std::move(url)), secret_(std::move(secret)),
      tls_(std::move(tls)), contact_(std::move(contact)) {
    multi_ = curl_multi_init();
    easy_ = curl_easy_init();
    plainHeaders_ = makeHeaders(false);
    blobHeaders_ = makeHeaders(true);
    CURL* easy = easyOf(easy_);
    curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &appendBounded);
    if (tls_) {
        // Trust is the contact's pinned key (checked in the SSL_CTX's verify callback at every
        // handshake, so a key accepted later applies at once), never a CA or a host name.
        curl_easy_setopt(easy, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_3);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L); // every handshake shows the key
        auto setUp = [](CURL*, void* sslCtx, void* stream) -> CURLcode {
            const auto* self = static_cast<const CurlPeerStream*>(stream);
            self->tls_->configureClient(static_cast<SSL_CTX*>(sslCtx), &self->contact_);
            return CURLE_OK;
        };
        curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, static_cast<curl_ssl_ctx_callback>(setUp));
        curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, this);
    }
    if (!secret_.empty())
        installPrereq();
    proofRequired_ = !secret_.empty() && tls_;
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &CurlPeerStream::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
}

CurlPeerStream::Headers CurlPeerStream::makeHeaders(bool askForBlobs) const {
    // Older Charlas (Abyss) insist on the content type. Every other header but Host is trimmed:
    // media streams make 50 calls a second, so each byte here costs 50 B/s.
    curl_slist* list = curl_slist_append(nullptr, "Content-Type: text/xml");
    list = curl_slist_append(list, "Expect:"); // no 100-continue round trip on big calls
    // curl's default is "Accept: */*"; a blob answer only to a call that asks for one.
    list = curl_slist_append(
        list, askForBlobs ? (std::string("Accept: ") + kBlobContentType).c_str() : "Accept:");
    Headers headers;
    if (!secret_.empty()) {
        // A placeholder as long as the digits, overwritten in place for every call: the list
        // libcurl holds stays the same (no setopt from inside its callback).
        constexpr char kName[] = "X-Charla-Signature: ";
        list = curl_slist_append(list, (kName + std::string(64, '0')).c_str());
        curl_slist* last = list;
        while (last->next)
            last = last->next;
        headers.signatureDigits = last->data + sizeof kName - 1;
    }
    headers.list = list;
    return headers;
}

CurlPeerStream::~CurlPeerStream() {
    curl_easy_cleanup(easyOf(easy_));
    curl_multi_cleanup(multiOf(multi_));
    curl_slist_free_all(static_cast<curl_slist*>(plainHeaders_.list));
    curl_slist_free_all(static_cast<curl_slist*>(blobHeaders_.list));
}

void CurlPeerStream::setDatagramKeySink(std::function<void(const security::DatagramKey&)> sink) {
    keySink_ = std::move(sink);
    if (keySink_ && tls_)
        installPrereq();
}

void CurlPeerStream::installPrereq() {
    curl_easy_setopt(easyOf(easy_), CURLOPT_PREREQFUNCTION,
                     static_cast<curl_prereq_callback>(&CurlPeerStream::onConnectionReady));
    curl_easy_setopt(easyOf(easy_), CURLOPT_PREREQDATA, this);
}

namespace {

// The value of `line` if it is the header `lowerName` ("name:"), trimmed; else nullopt.
std::optional<std::string_view> headerValue(std::string_view line, std::string_view lowerName) {
    if (line.size() <= lowerName.size() ||
        !std::equal(lowerName.begin(), lowerName.end(), line.begin(), [](char a, char b) {
            return a == static_cast<char>(std::tolower(static_cast<unsigned char>(b)));
        }))
        return std::nullopt;
    line.remove_prefix(lowerName.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
        line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ' ||
                             line.back() == '\t'))
        line.remove_suffix(1);
    return line;
}

} // namespace

size_t CurlPeerStream::onHeader(char* data, size_t size, size_t count, void* self) {
    auto* stream = static_cast<CurlPeerStream*>(self);
    const size_t n = size * count;
    const std::string_view line(data, n);
    // 64 hex digits; anything much longer is not a signature and is not kept.
    if (const auto signature = headerValue(line, "x-charla-signature:"))
        stream->answerSignature_ = signature->substr(0, 128);
    if (const auto xmlLength = headerValue(line, "x-charla-xml-length:")) {
        std::size_t value = 0;
        const auto [end, error] =
            std::from_chars(xmlLength->data(), xmlLength->data() + xmlLength->size(), value);
        stream->xmlLength_ = error == std::errc() && end == xmlLength->data() + xmlLength->size()
                                 ? std::optional<std::size_t>(value)
                                 : std::nullopt;
    }
    return n;
}

bool CurlPeerStream::answerProvesSecret(const std::string& answer) const {
    return !answerBinding_.empty() &&
           signatureMatches(secret_, answerBinding_, answer, answerSignature_);
}

int CurlPeerStream::onConnectionReady(void* self, char*, char*, int, int) {
    // Called on the calling thread while the easy handle holds the connection: its SSL is at
    // hand only now, and the request is not built yet.
    auto* stream = static_cast<CurlPeerStream*>(self);
    SSL* ssl = nullptr;
    if (stream->tls_) {
        const curl_tlssessioninfo* info = nullptr;
        if (curl_easy_getinfo(easyOf(stream->easy_), CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK &&
            info && info->backend == CURLSSLBACKEND_OPENSSL && info->internals)
            ssl = static_cast<SSL*>(info->internals);
    }
    if (stream->keySink_) {
        stream->connectionKey_.reset();
        if (ssl)
            if (auto key = security::exportDatagramKey(ssl))
                stream->connectionKey_ = std::make_unique<security::DatagramKey>(*key);
    }
    if (stream->proofRequired_) {
        // The key and the answer binding of the connection this call goes out on, and the gate:
        // until that key proved the shared secret, only host.ping may go to it. A relay at first
        // contact that answers in the contact's place never gets our hello or a message.
        stream->serverKey_ =
            ssl ? security::rawEd25519Key(SSL_get0_peer_certificate(ssl)).toStdString()
                : std::string();
        stream->answerBinding_ = security::exportAnswerBinding(ssl);
        if (!stream->mayGoUnproved_ &&
            !stream->tls_->provedSecret(stream->contact_, stream->serverKey_)) {
            stream->heldBack_ = true;
            return CURL_PREREQFUNC_ABORT;
        }
    }
    if (stream->signatureDigits_ && stream->body_) {
        std::string binding;
        if (stream->tls_) {
            binding = security::exportSecretBinding(ssl);
            if (binding.empty()) {
                // Never fall back to a body-only signature over TLS: the server would refuse it.
                qCWarning(lcPeer) << "cannot bind the shared secret's signature to the TLS "
                                     "connection: call not sent";
                return CURL_PREREQFUNC_ABORT;
            }
        }
        const std::string digits = signCall(stream->secret_, binding, *stream->body_);
        std::copy(digits.begin(), digits.end(), stream->signatureDigits_);
    }
    return CURL_PREREQFUNC_OK;
}

void CurlPeerStream::interrupt() {
    interrupted_ = true;
    curl_multi_wakeup(multiOf(multi_));
}

xmlrpc_c::value CurlPeerStream::call(const std::string& method, const xmlrpc_c::paramList& params,
                                     std::chrono::milliseconds timeout) {
    std::lock_guard lock(callMutex_);
    if (interrupted_)
        throw PeerCallError(PeerCallError::Kind::Interrupted, "stream " + name_ + " is closed");
    const auto notProved = [&] {
        return PeerCallError(PeerCallError::Kind::Unreachable,
                             method + ": not sent: the contact has not proved the shared secret "
                                      "yet (no answer of its key signed with it)");
    };
    mayGoUnproved_ = method == "host.ping";
    heldBack_ = false;
    serverKey_.clear();
    answerBinding_.clear();
    answerSignature_.clear();
    xmlLength_.reset();
    // Cheap first: the key the contact presented last has not proved the secret, so no
    // connection is opened for nothing (onConnectionReady checks the connection's own key).
    if (proofRequired_ && !mayGoUnproved_ && !tls_->lastKeyProvedSecret(contact_))
        throw notProved();

    std::string body;
    xmlrpc_c::xml::generateCall(method, params, &body);
    // The same bound as the server's on a request (XmlRpcLimits::maxDocumentBytes).
    const XmlRpcLimits limits;
    ResponseBuffer buffer;
    buffer.limit = limits.maxDocumentBytes;
    const std::string& response = buffer.body;
    CURL* easy = easyOf(easy_);
    CURLM* multi = multiOf(multi_);
    // The signature is written once the connection is known (onConnectionReady).
    body_ = &body;
    struct ForgetBody {
        const std::string*& body;
        ~ForgetBody() { body = nullptr; }
    } forgetBody{body_};
    // Methods whose answers carried bytes before are asked for blob answers (xmlrpc_blobs.h):
    // the others' calls stay as short as they were.
    const bool askForBlobs = blobMethods_.count(method) != 0;
    const Headers& headers = askForBlobs ? blobHeaders_ : plainHeaders_;
    signatureDigits_ = headers.signatureDigits;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(headers.list));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &buffer);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_multi_add_handle(multi, easy);

    int running = 1;
    CURLcode result = CURLE_OK;
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        if (running)
            curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
        if (interrupted_) {
            curl_multi_remove_handle(multi, easy);
            throw PeerCallError(PeerCallError::Kind::Interrupted,
                                method + " interrupted: stream " + name_ + " closed");
        }
    }
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy)
            result = msg->data.result;
    long httpStatus = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &httpStatus);
    curl_multi_remove_handle(multi, easy);
    if (heldBack_)
        throw notProved();
    bytesSent_ += body.size();

    if (result == CURLE_OPERATION_TIMEDOUT)
        throw PeerCallError(PeerCallError::Kind::Timeout,
                            method + " timed out after " + std::to_string(timeout.count()) + " ms");
    if (buffer.overflowed)
        throw PeerCallError(PeerCallError::Kind::BadResponse,
                            method + ": the peer's response is larger than " +
                                std::to_string(limits.maxDocumentBytes / (1024 * 1024)) +
                                " MB: not read");
    if (result != CURLE_OK && tls_ && result != CURLE_COULDNT_CONNECT) {
        // A refused key fails the handshake: say why, not only "SSL connect error".
        const QString refusal = tls_->lastRefusal();
        if (!refusal.isEmpty())
            throw PeerCallError(PeerCallError::Kind::Unreachable,
                                method + ": refused the contact: " + refusal.toStdString());
    }
    if (result != CURLE_OK)
        throw PeerCallError(PeerCallError::Kind::Unreachable,
                            method + ": cannot reach " + url_ + ": " + curl_easy_strerror(result));
    if (httpStatus != 200)
        throw PeerCallError(PeerCallError::Kind::BadResponse,
                            method + ": the peer answered HTTP " + std::to_string(httpStatus) +
                                (response.empty() ? "" : ": " + response.substr(0, 200)));
    // With a secret over TLS an answer counts only if signed for this connection: the server
    // holds the secret, so its key is verified (and opens the gate above); the datagram key of
    // a connection whose answers are not is never used.
    const bool unproved = proofRequired_ && !answerProvesSecret(response);
    if (proofRequired_ && !unproved)
        tls_->verifyBySecret(contact_, serverKey_);
    if (!unproved && keySink_ && connectionKey_ && !(givenKey_ && *givenKey_ == *connectionKey_)) {
        givenKey_ = std::move(connectionKey_);
        keySink_(*givenKey_);
    }
    const char* contentType = nullptr;
    curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &contentType);
    const bool blobAnswer =
        contentType && std::string_view(contentType).rfind(kBlobContentType, 0) == 0;
    if (blobAnswer && (!askForBlobs || !xmlLength_))
        throw PeerCallError(PeerCallError::Kind::BadResponse,
                            method + (askForBlobs
                                          ? ": a blob answer without its XML length"
                                          : ": a blob answer to a call that asked for XML"));
    xmlrpc_c::rpcOutcome outcome;
    try {
        outcome = blobAnswer ? parseBlobResponse(response, *xmlLength_, limits)
                             : parseXmlRpcResponse(response, limits);
    } catch (const XmlRpcParseError& e) {
        throw PeerCallError(PeerCallError::Kind::BadResponse,
                            method +
                                (e.limitExceeded() ? ": response refused: "
                                                   : ": malformed response from the peer: ") +
                                e.what());
    }
    // A refusal is not signed (the server does not know who asks): fault 401 or 403 says
    // "refused" whoever sent it, and nothing else from an unproved answer is believed.
    const auto refusal = [&] {
        const int code = outcome.getFault().getCode();
        return code == sdk::kFaultUnauthorized || code == sdk::kFaultForbidden;
    };
    if (unproved && (outcome.succeeded() || !refusal()))
        throw PeerCallError(PeerCallError::Kind::BadResponse,
                            method + ": the answer is not signed with the shared secret (the "
                                     "secrets differ, or someone answers in the contact's place)",
                            sdk::kFaultUnauthorized);
    if (!outcome.succeeded()) {
        const xmlrpc_c::fault f = outcome.getFault();
        throw PeerCallError(PeerCallError::Kind::Fault,
                            method + ": the peer answered with fault " +
                                std::to_string(f.getCode()) + ": " + f.getDescription(),
                            f.getCode());
    }
    if (!askForBlobs && holdsBytes(outcome.getResult()))
        blobMethods_.insert(method);
    return outcome.getResult();
}

} // namespace charla::host
