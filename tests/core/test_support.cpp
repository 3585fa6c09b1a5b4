#include "test_support.h"

#include <xmlrpc-c/xml.hpp>

#include <curl/curl.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace charla::test {

namespace {

size_t appendToString(char* data, size_t size, size_t count, void* target) {
    static_cast<std::string*>(target)->append(data, size * count);
    return size * count;
}

} // namespace

std::string pluginDir(const std::string& scenario) {
    return std::string(CHARLA_TEST_PLUGINS_DIR) + "/" + scenario;
}

std::string urlFor(std::uint16_t port, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port) + path;
}

xmlrpc_c::value rpc(std::uint16_t port, const std::string& method,
                    const xmlrpc_c::paramList& params, std::chrono::milliseconds timeout) {
    return contactStream(port)->call(method, params, timeout);
}

int rpcFaultCode(std::uint16_t port, const std::string& method, const xmlrpc_c::paramList& params) {
    try {
        rpc(port, method, params);
    } catch (const sdk::PeerCallError& e) {
        if (e.kind() == sdk::PeerCallError::Kind::Fault)
            return e.faultCode();
    }
    return 0;
}

std::vector<std::string> listMethods(std::uint16_t port) {
    std::vector<std::string> out;
    for (const auto& v : xmlrpc_c::value_array(rpc(port, "system.listMethods")).vectorValueValue())
        out.push_back(xmlrpc_c::value_string(v));
    return out;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    for (const auto& n : names)
        if (n == name)
            return true;
    return false;
}

xmlrpc_c::paramList params(std::initializer_list<xmlrpc_c::value> values) {
    xmlrpc_c::paramList out;
    for (const auto& v : values)
        out.add(v);
    return out;
}

std::map<std::string, xmlrpc_c::value> asStruct(const xmlrpc_c::value& v) {
    return xmlrpc_c::value_struct(v);
}

int intMember(const xmlrpc_c::value& structValue, const std::string& key) {
    return xmlrpc_c::value_int(asStruct(structValue).at(key));
}

HttpReply httpPost(std::uint16_t port, const std::string& body, std::chrono::milliseconds timeout,
                   const std::vector<std::string>& extraHeaders) {
    HttpReply reply;
    CURL* easy = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/xml");
    headers = curl_slist_append(headers, "Expect:");
    for (const std::string& header : extraHeaders)
        headers = curl_slist_append(headers, header.c_str());
    const std::string url = urlFor(port);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &appendToString);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    reply.curlCode = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    return reply;
}

sdk::MethodSpec echoSpec(const std::string& name, std::size_t limit) {
    sdk::MethodSpec spec;
    spec.name = name;
    spec.maxPayloadBytes = limit;
    spec.handler = [](const xmlrpc_c::paramList& p) {
        return xmlrpc_c::value_string(p.getString(0));
    };
    return spec;
}

int faultCodeOf(const std::string& responseXml) {
    xmlrpc_c::rpcOutcome outcome;
    xmlrpc_c::xml::parseResponse(responseXml, &outcome);
    return outcome.succeeded() ? 0 : outcome.getFault().getCode();
}

RawServer::RawServer(bool listen, bool acceptAndHold) {
    if (!listen) {
        unlistened_ = loopbackSocket(false, &port_);
        return;
    }
    listener_ = std::make_unique<LoopbackListener>();
    port_ = listener_->port();
    if (acceptAndHold)
        thread_ = std::thread([this] { run(); });
}

RawServer::~RawServer() {
    if (thread_.joinable()) {
        listener_->wake();
        thread_.join();
    }
    if (unlistened_ >= 0)
        ::close(unlistened_);
}

void RawServer::run() {
    std::vector<pollfd> fds{{listener_->wakeFd(), POLLIN, 0}, {listener_->fd(), POLLIN, 0}};
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0)
            continue;
        if (fds[0].revents)
            break;
        if (fds[1].revents & POLLIN) {
            int c = ::accept4(listener_->fd(), nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) {
                ++accepted_;
                fds.push_back({c, POLLIN, 0});
            }
        }
        for (std::size_t i = 2; i < fds.size(); ++i) {
            if (!fds[i].revents)
                continue;
            char buf[65536];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                bytes_ += static_cast<std::size_t>(n);
            } else {
                ::close(fds[i].fd);
                fds[i].fd = -1; // poll ignores negative descriptors
            }
        }
    }
    for (std::size_t i = 2; i < fds.size(); ++i)
        if (fds[i].fd >= 0)
            ::close(fds[i].fd);
}

CannedHttpServer::CannedHttpServer(std::string body, std::string headers)
    : body_(std::move(body)), headers_(std::move(headers)) {
    thread_ = std::thread([this] { run(); });
}

CannedHttpServer::~CannedHttpServer() {
    stopping_ = true;
    listener_.wake();
    thread_.join();
}

void CannedHttpServer::run() {
    for (int c; (c = listener_.accept()) >= 0;) {
        serve(c);
        ::close(c);
    }
}

// One connection, one client at a time (a CurlPeerStream makes one call at a time).
void CannedHttpServer::serve(int c) {
    std::string request;
    for (;;) {
        // The request: headers, then Content-Length bytes of body.
        std::size_t headerEnd = std::string::npos;
        std::size_t need = 0;
        for (;;) {
            headerEnd = request.find("\r\n\r\n");
            if (headerEnd != std::string::npos) {
                const auto at = request.find("Content-Length: ");
                need = headerEnd + 4 +
                       (at < headerEnd ? std::stoul(request.substr(at + 16)) : std::size_t(0));
                if (request.size() >= need)
                    break;
            }
            pollfd p[2] = {{listener_.wakeFd(), POLLIN, 0}, {c, POLLIN, 0}};
            if (::poll(p, 2, -1) < 0 || p[0].revents)
                return;
            char buf[65536];
            const ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0)
                return;
            request.append(buf, static_cast<std::size_t>(n));
        }
        request.erase(0, need);
        const std::string head = "HTTP/1.1 200 OK\r\n" + headers_ +
                                 "Content-Length: " + std::to_string(body_.size()) + "\r\n\r\n";
        if (::send(c, head.data(), head.size(), MSG_NOSIGNAL) != ssize_t(head.size()))
            return;
        for (std::size_t off = 0; off < body_.size();) {
            const ssize_t n =
                ::send(c, body_.data() + off, std::min<std::size_t>(body_.size() - off, 65536),
                       MSG_NOSIGNAL);
            if (n <= 0 || stopping_)
                return; // the client hung up
            off += static_cast<std::size_t>(n);
            written_ += static_cast<std::size_t>(n);
        }
    }
}

} // namespace charla::test
