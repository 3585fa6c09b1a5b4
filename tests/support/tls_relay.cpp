#include "tls_relay.h"

#include "core/xmlrpc_reader.h"

#include <xmlrpc-c/xml.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <stdexcept>

namespace charla::test {

namespace {

SSL_CTX* makeContext(const SSL_METHOD* method, const security::Identity& key) {
    SSL_CTX* ctx = SSL_CTX_new(method);
    if (!ctx || SSL_CTX_use_certificate(ctx, key.certificate()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key.key()) != 1)
        throw std::runtime_error("TlsRelay: cannot make an SSL_CTX");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    // Asks for the client's certificate (as Charla does) but accepts anything: an attacker.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    SSL_CTX_set_num_tickets(ctx, 0);
    return ctx;
}

// A bounded wait for a blocking socket: a peer that stops answering cannot hold a relay thread.
void limitWaits(int fd) {
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

using Struct = std::map<std::string, xmlrpc_c::value>;

xmlrpc_c::value strings(std::initializer_list<const char*> items) {
    std::vector<xmlrpc_c::value> out;
    for (const char* item : items)
        out.push_back(xmlrpc_c::value_string(item));
    return xmlrpc_c::value_array(out);
}

// What a Charla named "bob" with the text plugin would answer to `call`.
xmlrpc_c::value answerTo(const host::XmlRpcCall& call) {
    if (call.methodName == "host.ping")
        return xmlrpc_c::value_struct(Struct{{"app", xmlrpc_c::value_string("Charla")},
                                             {"protocol", xmlrpc_c::value_int(1)},
                                             {"plugins_serial", xmlrpc_c::value_int(1)}});
    if (call.methodName == "host.hello") {
        const xmlrpc_c::value text =
            xmlrpc_c::value_struct(Struct{{"id", xmlrpc_c::value_string("text")},
                                          {"version", xmlrpc_c::value_string("1")},
                                          {"sends", strings({"text"})},
                                          {"receives", strings({"text"})}});
        return xmlrpc_c::value_struct(
            Struct{{"app", xmlrpc_c::value_string("Charla")},
                   {"version", xmlrpc_c::value_string("0.1.0")},
                   {"protocol", xmlrpc_c::value_int(1)},
                   {"user", xmlrpc_c::value_string("bob")},
                   {"plugins_serial", xmlrpc_c::value_int(1)},
                   {"plugins", xmlrpc_c::value_array(std::vector<xmlrpc_c::value>{text})}});
    }
    if (call.methodName == "text.send" && call.params.size() == 1) {
        const Struct message = xmlrpc_c::value_struct(call.params[0]);
        return xmlrpc_c::value_struct(
            Struct{{"id", message.at("id")}, {"status", xmlrpc_c::value_string("delivered")}});
    }
    return xmlrpc_c::value_struct(Struct{});
}

// The answer document to `call` (a methodCall document): what answerTo() says, or an empty
// struct for anything it cannot read (an attacker answers something).
std::string impersonate(const std::string& call) {
    std::string response;
    try {
        xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(answerTo(host::parseXmlRpcCall(call))),
                                        &response);
    } catch (const std::exception&) {
        xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(xmlrpc_c::value_struct(Struct{})),
                                        &response);
    }
    return response;
}

} // namespace

TlsRelay::TlsRelay(std::uint16_t target, const security::Identity& key, Mode mode)
    : mode_(mode), server_(makeContext(TLS_server_method(), key)),
      client_(makeContext(TLS_client_method(), key)),
      relay_(target, [this](int client, int upstream) { relay(client, upstream); }) {}

TlsRelay::~TlsRelay() {
    relay_.stop(); // its threads use the contexts
    SSL_CTX_free(server_);
    SSL_CTX_free(client_);
}

void TlsRelay::relay(int client, int upstream) {
    limitWaits(client);
    limitWaits(upstream);
    SSL* up = SSL_new(client_);
    SSL* down = SSL_new(server_);
    SSL_set_fd(up, upstream);
    SSL_set_fd(down, client);
    if (mode_ == Mode::AnswersItself) {
        ::close(upstream); // it plays the contact: no one behind it
        if (SSL_accept(down) == 1) {
            ++downstreamHandshakes_;
            answer(down, client);
        }
        ERR_clear_error();
        SSL_free(up);
        SSL_free(down);
        ::close(client);
        return;
    }
    // Both handshakes whatever the other's outcome: each peer gets to see the relay's key.
    const bool upOk = SSL_connect(up) == 1;
    if (upOk)
        ++upstreamHandshakes_;
    const bool downOk = SSL_accept(down) == 1;
    if (downOk)
        ++downstreamHandshakes_;
    ERR_clear_error();
    if (upOk && downOk) {
        char buffer[16384];
        SSL* ends[2] = {down, up};
        pollfd p[3] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}, {relay_.wakeFd(), POLLIN, 0}};
        for (bool open = true; open;) {
            const bool pending = SSL_pending(down) > 0 || SSL_pending(up) > 0;
            if (!pending && ::poll(p, 3, 1000) <= 0)
                continue;
            if (p[2].revents)
                break;
            for (int i = 0; i < 2 && open; ++i) {
                if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)) && SSL_pending(ends[i]) == 0)
                    continue;
                const int n = SSL_read(ends[i], buffer, sizeof buffer);
                if (n <= 0 || SSL_write(ends[1 - i], buffer, n) != n) {
                    open = false;
                    break;
                }
                bytesRelayed_ += static_cast<std::uint64_t>(n);
            }
            p[0].revents = p[1].revents = 0;
        }
    }
    ERR_clear_error();
    SSL_free(up);
    SSL_free(down);
    ::close(client);
    ::close(upstream);
}

std::string TlsRelay::heard() const {
    std::lock_guard lock(heardMutex_);
    return heard_;
}

std::vector<std::string> TlsRelay::methodsCalled() const {
    std::lock_guard lock(heardMutex_);
    return methods_;
}

void TlsRelay::answer(SSL* down, int client) {
    // HTTP/1.1 as Charla's clients speak it: one request at a time, with Content-Length.
    std::string in;
    char buffer[16384];
    pollfd p[2] = {{client, POLLIN, 0}, {relay_.wakeFd(), POLLIN, 0}};
    for (;;) {
        const std::size_t headEnd = in.find("\r\n\r\n");
        if (headEnd != std::string::npos) {
            std::size_t length = 0;
            const std::size_t at = in.find("Content-Length:");
            if (at != std::string::npos && at < headEnd)
                length = std::strtoul(in.c_str() + at + 15, nullptr, 10);
            if (in.size() >= headEnd + 4 + length) {
                const std::string request = in.substr(0, headEnd + 4 + length);
                in.erase(0, request.size());
                const std::string body = request.substr(headEnd + 4);
                std::string method = "?";
                try {
                    method = host::parseXmlRpcCall(body).methodName;
                } catch (const std::exception&) {
                }
                {
                    std::lock_guard lock(heardMutex_);
                    heard_ += request;
                    methods_.push_back(method);
                }
                bytesRelayed_ += request.size();
                const std::string xml = impersonate(body);
                const std::string response =
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " +
                    std::to_string(xml.size()) + "\r\n\r\n" + xml;
                if (SSL_write(down, response.data(), static_cast<int>(response.size())) !=
                    static_cast<int>(response.size()))
                    return;
                continue;
            }
        }
        if (SSL_pending(down) == 0) {
            if (::poll(p, 2, 1000) <= 0)
                continue;
            if (p[1].revents)
                return;
        }
        const int n = SSL_read(down, buffer, sizeof buffer);
        if (n <= 0)
            return;
        in.append(buffer, static_cast<std::size_t>(n));
    }
}

} // namespace charla::test
