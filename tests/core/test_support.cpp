#include "test_support.h"

#include <xmlrpc-c/xml.hpp>

#include <curl/curl.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace charla::test {

namespace {

void makePipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe2() failed");
}

void wake(int fds[2]) {
    char c = 'x';
    [[maybe_unused]] auto n = ::write(fds[1], &c, 1);
}

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
    host::CurlPeerStream stream("test", urlFor(port));
    return stream.call(method, params, timeout);
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

HttpReply httpPost(std::uint16_t port, const std::string& body, std::chrono::milliseconds timeout) {
    HttpReply reply;
    CURL* easy = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/xml");
    headers = curl_slist_append(headers, "Expect:");
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
    fd_ = loopbackSocket(listen, &port_);
    if (listen && acceptAndHold) {
        makePipe(wakePipe_);
        thread_ = std::thread([this] { run(); });
    }
}

RawServer::~RawServer() {
    if (thread_.joinable()) {
        wake(wakePipe_);
        thread_.join();
    }
    for (int fd : wakePipe_)
        if (fd >= 0)
            ::close(fd);
    ::close(fd_);
}

void RawServer::run() {
    std::vector<pollfd> fds{{wakePipe_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0)
            continue;
        if (fds[0].revents)
            break;
        if (fds[1].revents & POLLIN) {
            int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
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

CannedHttpServer::CannedHttpServer(std::string body) : body_(std::move(body)) {
    fd_ = loopbackSocket(true, &port_);
    makePipe(wakePipe_);
    thread_ = std::thread([this] { run(); });
}

CannedHttpServer::~CannedHttpServer() {
    stopping_ = true;
    wake(wakePipe_);
    thread_.join();
    for (int fd : wakePipe_)
        ::close(fd);
    ::close(fd_);
}

void CannedHttpServer::run() {
    pollfd fds[2] = {{wakePipe_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
    while (!stopping_) {
        if (::poll(fds, 2, -1) < 0 || fds[0].revents)
            continue;
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
            serve(c);
            ::close(c);
        }
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
            pollfd p[2] = {{wakePipe_[0], POLLIN, 0}, {c, POLLIN, 0}};
            if (::poll(p, 2, -1) < 0 || p[0].revents)
                return;
            char buf[65536];
            const ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0)
                return;
            request.append(buf, static_cast<std::size_t>(n));
        }
        request.erase(0, need);
        const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " +
                                 std::to_string(body_.size()) + "\r\n\r\n";
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

CountingProxy::CountingProxy(std::uint16_t target) : target_(target) {
    fd_ = loopbackSocket(true, &port_);
    makePipe(wakePipe_);
    thread_ = std::thread([this] { run(); });
}

CountingProxy::~CountingProxy() {
    stopping_ = true;
    wake(wakePipe_);
    thread_.join();
    for (auto& t : pumps_)
        t.join();
    for (int fd : wakePipe_)
        ::close(fd);
    ::close(fd_);
}

void CountingProxy::run() {
    pollfd fds[2] = {{wakePipe_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
    while (!stopping_) {
        if (::poll(fds, 2, -1) < 0)
            continue;
        if (fds[0].revents)
            break;
        int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        ++accepted_;
        int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(target_);
        if (::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(upstream);
            ::close(client);
            continue;
        }
        const int wakeFd = wakePipe_[0];
        pumps_.emplace_back([client, upstream, wakeFd] {
            pollfd p[3] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}, {wakeFd, POLLIN, 0}};
            char buf[65536];
            for (;;) {
                if (::poll(p, 3, -1) < 0)
                    continue;
                if (p[2].revents)
                    break;
                bool closed = false;
                for (int i = 0; i < 2 && !closed; ++i) {
                    if (!p[i].revents)
                        continue;
                    ssize_t n = ::read(p[i].fd, buf, sizeof buf);
                    if (n <= 0) {
                        closed = true;
                        break;
                    }
                    const int to = p[1 - i].fd;
                    for (ssize_t off = 0; off < n;) {
                        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
                        if (w <= 0) {
                            closed = true;
                            break;
                        }
                        off += w;
                    }
                }
                if (closed)
                    break;
            }
            ::close(client);
            ::close(upstream);
        });
    }
}

} // namespace charla::test
