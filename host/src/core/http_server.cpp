#include "core/http_server.h"

#include "core/logging.h"
#include "core/thread_name.h"
#include "security/tls.h"

#include <charla/sdk/background_thread.h>

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <optional>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>

namespace charla::host {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kListenKey = 0;
constexpr std::uint64_t kWakeKey = 1;
constexpr std::uint64_t kFirstConnectionKey = 2;
// After an answer that closes the connection, what the peer still sends is read and dropped for
// this long, so that closing with unread data (a reset) cannot destroy the answer in flight.
constexpr std::chrono::milliseconds kDrainTime{2000};
// Accepting fails with EMFILE while the process is out of descriptors: retry after a pause
// instead of spinning on the ever-readable listening socket.
constexpr std::chrono::milliseconds kAcceptPause{100};
// The first byte of every TLS connection: a handshake record.
constexpr unsigned char kTlsHandshakeRecord = 0x16;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::string statusResponse(int status, std::string_view reason, std::string_view extraHeaders) {
    const std::string body = std::string(reason) + "\n";
    return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
           "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n" + std::string(extraHeaders) + "\r\n" + body;
}

long long msUntil(Clock::time_point when, Clock::time_point now) {
    return std::chrono::ceil<std::chrono::milliseconds>(when - now).count();
}

// Logs at most once a minute per key: a flood must not flood the log.
class LogLimiter {
public:
    bool shouldLog(const std::string& key, Clock::time_point now) {
        if (last_.size() > 4096)
            last_.clear(); // many sources: forget rather than grow
        auto [it, inserted] = last_.try_emplace(key, now);
        if (!inserted && now - it->second < std::chrono::minutes(1))
            return false;
        it->second = now;
        return true;
    }

private:
    std::unordered_map<std::string, Clock::time_point> last_;
};

enum class Direction { Read, Write };

// What SSL_read/SSL_write returned, as recv/send would say it: the bytes, 0 for the peer's
// close_notify on a read, else -1 with errno EAGAIN (wait until the socket is ready) or the
// error a broken socket gives in that direction.
ssize_t asSocketResult(SSL* ssl, int n, Direction direction) {
    if (n > 0)
        return n;
    switch (SSL_get_error(ssl, n)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        if (direction == Direction::Read)
            return 0;
        [[fallthrough]];
    default:
        ERR_clear_error();
        errno = direction == Direction::Read ? ECONNRESET : EPIPE;
        return -1;
    }
}

int clampedSize(std::size_t size) {
    return static_cast<int>(std::min<std::size_t>(size, INT_MAX));
}

} // namespace

std::string HttpRequest::header(std::string_view lowerName) const {
    for (const auto& [name, value] : headers)
        if (name == lowerName)
            return value;
    return {};
}

// The I/O thread's whole state: only that thread touches it.
class HttpServer::Loop {
public:
    explicit Loop(HttpServer& server) : s_(server) {}
    ~Loop() {
        for (auto& [id, c] : connections_) {
            SSL_free(c.ssl);
            ::close(c.fd);
        }
        if (epoll_ >= 0)
            ::close(epoll_);
    }
    void run();

private:
    enum class State {
        Handshaking, // TLS: before the handshake is done and the client's key accepted
        Reading,     // waiting for (the rest of) a request; idle when `in` is empty
        Working,     // a worker has the request
        Writing,     // the response is going out
        Draining,    // answered and half-closed: drop what still comes, close on EOF
    };
    struct Connection {
        int fd = -1;
        std::uint32_t source = 0; // IPv4, network order
        std::string peerIp;
        State state = State::Reading;
        bool served = false;     // at least one request answered
        bool closeAfter = false; // close once the response is out
        bool peerGone = false;   // hung up while its request was with a worker
        std::string in;
        std::size_t headerEnd = 0; // offset of the body; 0 while the headers are incomplete
        std::size_t scanned = 0;   // `in` holds no header end before this offset
        std::size_t contentLength = 0;
        HttpRequest request;
        std::string out;
        std::size_t outPos = 0;
        Clock::time_point since;    // idle since / first byte of the request / answer started
        Clock::time_point deadline; // unused while Working
        std::uint32_t events = 0;   // registered with epoll
        SSL* ssl = nullptr;         // over TLS
        bool sawTlsRecord = false;  // the first byte was a TLS handshake record
        std::string peerKey;        // the client's raw Ed25519 key, once accepted
        std::string binding;        // exportSecretBinding() of the connection, once accepted
        std::string answerBinding;  // exportAnswerBinding(), the same
        bool announced = false;     // tlsEstablished was called: tlsClosed will be
    };

    void acceptAll(Clock::time_point now);
    bool makeRoomFor(std::uint32_t source, const std::string& ip, Clock::time_point now);
    std::optional<std::uint64_t> evictionCandidate(std::optional<std::uint32_t> source) const;
    void onEvent(std::uint64_t id, std::uint32_t events, Clock::time_point now);
    void readRequest(std::uint64_t id, Connection& c, Clock::time_point now);
    void handshake(std::uint64_t id, Connection& c, Clock::time_point now);
    // recv()/send() through TLS when the connection has it: >0 bytes, 0 the peer closed, -1 with
    // errno (EAGAIN when TLS needs the socket again).
    static ssize_t receive(Connection& c, char* data, std::size_t size);
    static ssize_t transmit(Connection& c, const char* data, std::size_t size);
    void startRequestClock(Connection& c, Clock::time_point now);
    // Parses the complete headers; false if the connection was answered with an error.
    bool parseHeaders(std::uint64_t id, Connection& c, Clock::time_point now);
    void dispatch(std::uint64_t id, Connection& c);
    // These may close the connection: `c` is not to be touched after them.
    void answerError(std::uint64_t id, Connection& c, int status, std::string_view reason,
                     std::string_view extraHeaders, Clock::time_point now);
    void startWriting(std::uint64_t id, Connection& c, std::string response, Clock::time_point now);
    void writeSome(std::uint64_t id, Connection& c, Clock::time_point now);
    void finishResponse(std::uint64_t id, Connection& c, Clock::time_point now);
    void drain(std::uint64_t id, Connection& c);
    void collectDone(Clock::time_point now);
    void expire(Clock::time_point now);
    int nextTimeoutMs(Clock::time_point now) const;
    void watch(std::uint64_t id, Connection& c, std::uint32_t events);
    void closeConnection(std::uint64_t id);
    void becomeIdle(Connection& c, Clock::time_point now);
    // How long `bytes` take at the slowest rate allowed (HttpLimits::minBodyBytesPerSecond).
    std::chrono::milliseconds timeToTransfer(std::size_t bytes) const;

    HttpServer& s_;
    int epoll_ = -1;
    std::uint64_t nextId_ = kFirstConnectionKey;
    std::map<std::uint64_t, Connection> connections_;
    std::unordered_map<std::uint32_t, std::size_t> perSource_;
    std::optional<Clock::time_point> acceptPausedUntil_;
    LogLimiter log_;
};

void HttpServer::Loop::watch(std::uint64_t id, Connection& c, std::uint32_t events) {
    if (c.events == events)
        return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = id;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    c.events = events;
}

void HttpServer::Loop::closeConnection(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it == connections_.end())
        return;
    if (it->second.announced && s_.callbacks_.tlsClosed)
        s_.callbacks_.tlsClosed(id);
    SSL_free(it->second.ssl);
    ::close(it->second.fd); // also removes it from epoll
    auto src = perSource_.find(it->second.source);
    if (src != perSource_.end() && --src->second == 0)
        perSource_.erase(src);
    connections_.erase(it);
    s_.open_ = connections_.size();
}

void HttpServer::Loop::becomeIdle(Connection& c, Clock::time_point now) {
    c.state = State::Reading;
    c.headerEnd = 0;
    c.scanned = 0;
    c.contentLength = 0;
    c.request = HttpRequest{};
    c.since = now;
    c.deadline = now + s_.limits_.idleTimeout;
}

std::chrono::milliseconds HttpServer::Loop::timeToTransfer(std::size_t bytes) const {
    return std::chrono::milliseconds(bytes * 1000 /
                                     std::max<std::size_t>(1, s_.limits_.minBodyBytesPerSecond));
}

void HttpServer::Loop::run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenKey;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, s_.listenFd_, &ev);
    ev.data.u64 = kWakeKey;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, s_.wakeFd_, &ev);

    std::array<epoll_event, 64> events{};
    for (;;) {
        const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                                   nextTimeoutMs(Clock::now()));
        const auto now = Clock::now();
        for (int i = 0; i < n; ++i) {
            const std::uint64_t key = events[i].data.u64;
            if (key == kListenKey) {
                acceptAll(now);
            } else if (key == kWakeKey) {
                std::uint64_t count = 0;
                [[maybe_unused]] auto r = ::read(s_.wakeFd_, &count, sizeof count);
            } else {
                onEvent(key, events[i].events, now);
            }
        }
        {
            std::lock_guard lock(s_.mutex_);
            if (s_.stopping_)
                return; // ~Loop closes every connection
        }
        collectDone(now);
        expire(Clock::now());
    }
}

void HttpServer::Loop::acceptAll(Clock::time_point now) {
    for (;;) {
        sockaddr_in addr{};
        socklen_t len = sizeof addr;
        const int fd = ::accept4(s_.listenFd_, reinterpret_cast<sockaddr*>(&addr), &len,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                if (log_.shouldLog("accept", now))
                    qCWarning(lcChannel) << "cannot accept connections:" << std::strerror(errno);
                epoll_event ev{};
                ev.data.u64 = kListenKey;
                ::epoll_ctl(epoll_, EPOLL_CTL_MOD, s_.listenFd_, &ev);
                acceptPausedUntil_ = now + kAcceptPause;
            }
            return; // EAGAIN: all taken
        }
        char text[INET_ADDRSTRLEN] = {};
        if (addr.sin_family == AF_INET)
            ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof text);
        const std::string ip = text;
        // The address rule first, before a byte is read: a stranger gets nothing but a close.
        bool allowed = false;
        try {
            allowed = addr.sin_family == AF_INET &&
                      (!s_.callbacks_.acceptFrom || s_.callbacks_.acceptFrom(ip));
        } catch (...) {
        }
        if (!allowed) {
            ::close(fd);
            if (log_.shouldLog("refused " + ip, now))
                qCWarning(lcChannel).noquote()
                    << "closed a connection from" << QString::fromStdString(ip)
                    << "at accept: not the contact's address (logged once a minute per address)";
            continue;
        }
        if (!makeRoomFor(addr.sin_addr.s_addr, ip, now)) {
            ::close(fd);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const std::uint64_t id = nextId_++;
        Connection& c = connections_[id];
        c.fd = fd;
        c.source = addr.sin_addr.s_addr;
        c.peerIp = ip;
        becomeIdle(c, now);
        if (s_.tls_) {
            c.ssl = SSL_new(s_.tls_);
            if (c.ssl) {
                SSL_set_fd(c.ssl, fd);
                SSL_set_accept_state(c.ssl);
            }
            c.state = State::Handshaking;
            startRequestClock(c, now); // the handshake has the request's deadline
        }
        c.events = EPOLLIN | EPOLLRDHUP;
        epoll_event ev{};
        ev.events = c.events;
        ev.data.u64 = id;
        ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
        ++perSource_[c.source];
        s_.open_ = connections_.size();
    }
}

// Who goes when there is no room: a connection that is closing anyway, then one that never
// completed a request (a flood's), then one that did; within each, the one waiting longest (idle
// since, or first byte of a partial request). A request with a worker or an answer going out is
// never cut.
std::optional<std::uint64_t>
HttpServer::Loop::evictionCandidate(std::optional<std::uint32_t> source) const {
    std::optional<std::uint64_t> best;
    std::pair<int, Clock::time_point> bestKey{};
    for (const auto& [id, c] : connections_) {
        if (source && c.source != *source)
            continue;
        int rank = 0;
        if (c.state == State::Draining)
            rank = 0;
        else if (c.state == State::Handshaking)
            rank = 1;
        else if (c.state == State::Reading)
            rank = c.served ? 2 : 1;
        else
            continue;
        const std::pair<int, Clock::time_point> key{rank, c.since};
        if (!best || key < bestKey) {
            best = id;
            bestKey = key;
        }
    }
    return best;
}

bool HttpServer::Loop::makeRoomFor(std::uint32_t source, const std::string& ip,
                                   Clock::time_point now) {
    auto sourceFull = [&] {
        const auto it = perSource_.find(source);
        return it != perSource_.end() && it->second >= s_.limits_.maxConnectionsPerSource;
    };
    // Idle means nothing waiting in the kernel: in a burst of connects, a connection can be
    // accepted with its whole request already sent and be the stalest before its first read.
    // Such a connection is read (and its request dispatched) instead of cut; a bounded number
    // per accept, so a source that trickles bytes into many connections cannot stall the loop.
    int lastChances = 8;
    while (sourceFull() || connections_.size() >= s_.limits_.maxConnections) {
        const bool perSourceCap = sourceFull();
        const auto victim = evictionCandidate(perSourceCap ? std::optional(source) : std::nullopt);
        if (victim) {
            Connection& c = connections_.at(*victim);
            int waiting = 0;
            if (lastChances > 0 && c.state == State::Reading &&
                ::ioctl(c.fd, FIONREAD, &waiting) == 0 && waiting > 0) {
                --lastChances;
                readRequest(*victim, c, now); // may dispatch, answer or close it
                continue;
            }
        }
        const char* cap = perSourceCap ? "per-source" : "total";
        if (log_.shouldLog(std::string(cap) + ip, now))
            qCWarning(lcChannel).noquote()
                << QString::fromStdString(ip) << "reached the" << cap << "connection cap:"
                << (victim ? "closed the stalest connection" : "refused the new connection")
                << "(logged once a minute)";
        if (!victim)
            return false;
        closeConnection(*victim);
    }
    return true;
}

void HttpServer::Loop::onEvent(std::uint64_t id, std::uint32_t events, Clock::time_point now) {
    auto it = connections_.find(id);
    if (it == connections_.end())
        return;
    Connection& c = it->second;
    switch (c.state) {
    case State::Handshaking:
        handshake(id, c, now);
        break;
    case State::Reading:
        readRequest(id, c, now);
        break;
    case State::Working:
        // Nothing is watched but hang-ups (reported regardless): keep the slot until the worker
        // is done, so closing and reconnecting cannot pile up jobs.
        if (events & (EPOLLHUP | EPOLLERR)) {
            ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
            c.peerGone = true;
        }
        break;
    case State::Writing:
        if (events & (EPOLLHUP | EPOLLERR))
            closeConnection(id);
        else
            writeSome(id, c, now);
        break;
    case State::Draining:
        drain(id, c);
        break;
    }
}

void HttpServer::Loop::readRequest(std::uint64_t id, Connection& c, Clock::time_point now) {
    // Reads until the request is whole (then stops: one request at a time, what follows waits
    // in the kernel) or the socket is empty. The header limit bounds what is read before the
    // body's size is known.
    std::array<char, 64 * 1024> buffer;
    // A big body is read a slice per turn, so the other connections are not kept waiting (the
    // level-triggered epoll reports the rest on the next turn).
    std::size_t budget = 1024 * 1024;
    for (;;) {
        if (c.headerEnd == 0 && !c.in.empty()) {
            const std::size_t end = c.in.find("\r\n\r\n", c.scanned);
            if (end == std::string::npos) {
                if (c.in.size() > s_.limits_.maxHeaderBytes) {
                    answerError(id, c, 431, "Request Header Fields Too Large", {}, now);
                    return;
                }
                c.scanned = c.in.size() >= 3 ? c.in.size() - 3 : 0;
            } else {
                if (end > s_.limits_.maxHeaderBytes) {
                    answerError(id, c, 431, "Request Header Fields Too Large", {}, now);
                    return;
                }
                c.headerEnd = end + 4;
                if (!parseHeaders(id, c, now))
                    return;
            }
        }
        if (c.headerEnd != 0 && c.in.size() >= c.headerEnd + c.contentLength) {
            dispatch(id, c);
            return;
        }
        // TLS may hold the rest of a record that the kernel no longer reports: take it now.
        if (budget == 0 && !(c.ssl && SSL_pending(c.ssl) > 0))
            return;
        const std::size_t want =
            c.headerEnd != 0 ? std::min(buffer.size(), c.headerEnd + c.contentLength - c.in.size())
                             : std::min(buffer.size(), s_.limits_.maxHeaderBytes + 4 - c.in.size());
        const ssize_t n = receive(c, buffer.data(), want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            closeConnection(id); // the peer hung up (idle or mid-request)
            return;
        }
        if (c.in.empty())
            startRequestClock(c, now);
        c.in.append(buffer.data(), static_cast<std::size_t>(n));
        budget -= std::min(budget, static_cast<std::size_t>(n));
    }
}

void HttpServer::Loop::handshake(std::uint64_t id, Connection& c, Clock::time_point now) {
    if (!c.ssl) {
        closeConnection(id); // SSL_new failed (out of memory)
        return;
    }
    if (!c.sawTlsRecord) {
        // Plain HTTP (or anything not TLS) gets nothing, not even an alert: closed unanswered.
        unsigned char first = 0;
        const ssize_t n = ::recv(c.fd, &first, 1, MSG_PEEK);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (n <= 0) {
            closeConnection(id);
            return;
        }
        if (first != kTlsHandshakeRecord) {
            if (log_.shouldLog("not tls " + c.peerIp, now))
                qCWarning(lcSecurity).noquote()
                    << "closed a connection from" << QString::fromStdString(c.peerIp)
                    << "unanswered: it does not speak TLS (plain HTTP?) and this Charla allows "
                       "only encrypted connections (logged once a minute)";
            closeConnection(id);
            return;
        }
        c.sawTlsRecord = true;
    }
    ERR_clear_error();
    const int r = SSL_do_handshake(c.ssl);
    if (r == 1) {
        c.peerKey = security::rawEd25519Key(SSL_get0_peer_certificate(c.ssl)).toStdString();
        bool accepted = false;
        try {
            accepted =
                !s_.callbacks_.acceptPeerKey || s_.callbacks_.acceptPeerKey(c.peerIp, c.peerKey);
        } catch (...) {
        }
        if (!accepted) {
            closeConnection(id); // the callback said why
            return;
        }
        // Every request on a TLS connection carries its binding: a signature is never checked
        // over the body alone here (that would let a relay pass a signed call on).
        c.binding = security::exportSecretBinding(c.ssl);
        c.answerBinding = security::exportAnswerBinding(c.ssl);
        if (c.binding.empty() || c.answerBinding.empty()) {
            qCWarning(lcSecurity).noquote()
                << "closed a TLS connection from" << QString::fromStdString(c.peerIp)
                << ": cannot export its channel binding";
            closeConnection(id);
            return;
        }
        if (s_.callbacks_.tlsEstablished) {
            c.announced = true;
            s_.callbacks_.tlsEstablished(id, c.ssl);
        }
        becomeIdle(c, now);
        watch(id, c, EPOLLIN | EPOLLRDHUP);
        readRequest(id, c, now); // the first request may have come with the handshake's end
        return;
    }
    const int error = SSL_get_error(c.ssl, r);
    if (error == SSL_ERROR_WANT_READ) {
        watch(id, c, EPOLLIN | EPOLLRDHUP);
        return;
    }
    if (error == SSL_ERROR_WANT_WRITE) {
        watch(id, c, EPOLLOUT);
        return;
    }
    if (log_.shouldLog("tls failed " + c.peerIp, now)) {
        char text[256] = "the peer closed the connection";
        if (const unsigned long code = ERR_peek_error())
            ERR_error_string_n(code, text, sizeof text);
        qCWarning(lcSecurity).noquote() << "TLS handshake with" << QString::fromStdString(c.peerIp)
                                        << "failed:" << text << "(logged once a minute)";
    }
    ERR_clear_error();
    closeConnection(id);
}

ssize_t HttpServer::Loop::receive(Connection& c, char* data, std::size_t size) {
    if (!c.ssl)
        return ::recv(c.fd, data, size, 0);
    ERR_clear_error();
    return asSocketResult(c.ssl, SSL_read(c.ssl, data, clampedSize(size)), Direction::Read);
}

ssize_t HttpServer::Loop::transmit(Connection& c, const char* data, std::size_t size) {
    if (!c.ssl)
        return ::send(c.fd, data, size, MSG_NOSIGNAL);
    ERR_clear_error();
    return asSocketResult(c.ssl, SSL_write(c.ssl, data, clampedSize(size)), Direction::Write);
}

void HttpServer::Loop::startRequestClock(Connection& c, Clock::time_point now) {
    c.since = now;
    c.deadline = now + s_.limits_.requestDeadline;
}

bool HttpServer::Loop::parseHeaders(std::uint64_t id, Connection& c, Clock::time_point now) {
    const std::string_view head(c.in.data(), c.headerEnd - 4);
    const std::size_t lineEnd = head.find("\r\n");
    const std::string_view requestLine = head.substr(0, lineEnd);
    const std::size_t sp1 = requestLine.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : requestLine.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || requestLine.find(' ', sp2 + 1) != std::string_view::npos) {
        answerError(id, c, 400, "Bad Request", {}, now);
        return false;
    }
    const std::string_view method = requestLine.substr(0, sp1);
    const std::string_view target = requestLine.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = requestLine.substr(sp2 + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        if (version.substr(0, 5) == "HTTP/")
            answerError(id, c, 505, "HTTP Version Not Supported", {}, now);
        else
            answerError(id, c, 400, "Bad Request", {}, now);
        return false;
    }
    HttpRequest& r = c.request;
    r = HttpRequest{};
    r.peerIp = c.peerIp;
    r.peerKey = c.peerKey;
    r.channelBinding = c.binding;
    r.answerBinding = c.answerBinding;
    std::optional<std::size_t> contentLength;
    bool chunked = false;
    std::string connection;
    std::string expect;
    std::size_t pos = lineEnd == std::string_view::npos ? head.size() : lineEnd + 2;
    while (pos < head.size()) {
        std::size_t next = head.find("\r\n", pos);
        if (next == std::string_view::npos)
            next = head.size();
        const std::string_view line = head.substr(pos, next - pos);
        pos = next + 2;
        const std::size_t colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos ||
            line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
            answerError(id, c, 400, "Bad Request", {}, now);
            return false;
        }
        std::string name = lower(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (name == "content-length") {
            std::size_t length = 0;
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), length);
            if (ec != std::errc() || end != value.data() + value.size() || value.empty() ||
                (contentLength && *contentLength != length)) {
                answerError(id, c, 400, "Bad Request", {}, now);
                return false;
            }
            contentLength = length;
        } else if (name == "transfer-encoding") {
            chunked = true;
        } else if (name == "connection") {
            connection = lower(value);
        } else if (name == "expect") {
            expect = lower(value);
        }
        r.headers.emplace_back(std::move(name), std::string(value));
    }
    if (target != s_.path_) {
        answerError(id, c, 404, "Not Found", {}, now);
        return false;
    }
    if (method != "POST") {
        answerError(id, c, 405, "Method Not Allowed", "Allow: POST\r\n", now);
        return false;
    }
    if (chunked) {
        answerError(id, c, 501, "Not Implemented", {}, now);
        return false;
    }
    if (!contentLength) {
        answerError(id, c, 411, "Length Required", {}, now);
        return false;
    }
    if (*contentLength > s_.limits_.maxBodyBytes) {
        answerError(id, c, 413, "Payload Too Large", {}, now);
        return false;
    }
    c.contentLength = *contentLength;
    c.closeAfter = version == "HTTP/1.0" ? connection.find("keep-alive") == std::string::npos
                                         : connection.find("close") != std::string::npos;
    // A big body gets the time it takes at the minimum rate on top of the request deadline.
    c.deadline = c.since + s_.limits_.requestDeadline + timeToTransfer(c.contentLength);
    if (expect == "100-continue" && c.in.size() < c.headerEnd + c.contentLength) {
        // Best effort: a client that misses it sends the body after its own short wait anyway.
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        [[maybe_unused]] auto sent = transmit(c, kContinue.data(), kContinue.size());
    }
    return true;
}

void HttpServer::Loop::dispatch(std::uint64_t id, Connection& c) {
    Job job{id, c.closeAfter, std::move(c.request)};
    // The buffer goes with the job, so an idle connection keeps no big allocation.
    std::string rest = c.in.substr(c.headerEnd + c.contentLength); // usually empty
    job.request.body = std::move(c.in);
    job.request.body.erase(0, c.headerEnd);
    job.request.body.resize(c.contentLength);
    c.in = std::move(rest);
    c.state = State::Working;
    watch(id, c, 0); // hang-ups are still reported
    Queue& queue = s_.callbacks_.background && s_.callbacks_.background(job.request)
                       ? s_.backgroundJobs_
                       : s_.jobs_;
    {
        std::lock_guard lock(s_.mutex_);
        queue.jobs.push_back(std::move(job));
    }
    queue.ready.notify_one();
}

void HttpServer::Loop::answerError(std::uint64_t id, Connection& c, int status,
                                   std::string_view reason, std::string_view extraHeaders,
                                   Clock::time_point now) {
    if (log_.shouldLog(std::to_string(status) + c.peerIp, now))
        qCInfo(lcChannel).noquote()
            << "answered HTTP" << status << "to" << QString::fromStdString(c.peerIp)
            << "and closed (logged once a minute)";
    c.closeAfter = true;
    c.in.clear();
    startWriting(id, c, statusResponse(status, reason, extraHeaders), now);
}

void HttpServer::Loop::startWriting(std::uint64_t id, Connection& c, std::string response,
                                    Clock::time_point now) {
    c.state = State::Writing;
    c.out = std::move(response);
    c.outPos = 0;
    c.since = now;
    c.deadline = now + s_.limits_.writeDeadline + timeToTransfer(c.out.size());
    writeSome(id, c, now); // most answers fit in the socket buffer at once
}

void HttpServer::Loop::writeSome(std::uint64_t id, Connection& c, Clock::time_point now) {
    while (c.outPos < c.out.size()) {
        const ssize_t n = transmit(c, c.out.data() + c.outPos, c.out.size() - c.outPos);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                watch(id, c, EPOLLOUT);
                return;
            }
            closeConnection(id);
            return;
        }
        c.outPos += static_cast<std::size_t>(n);
    }
    finishResponse(id, c, now);
}

void HttpServer::Loop::finishResponse(std::uint64_t id, Connection& c, Clock::time_point now) {
    c.out = std::string();
    c.outPos = 0;
    if (c.closeAfter) {
        if (c.ssl)
            SSL_shutdown(c.ssl); // close_notify: the answer was whole, not cut
        ::shutdown(c.fd, SHUT_WR);
        c.state = State::Draining;
        c.in = std::string();
        c.since = now;
        c.deadline = now + kDrainTime;
        watch(id, c, EPOLLIN | EPOLLRDHUP);
        return;
    }
    c.served = true;
    becomeIdle(c, now);
    watch(id, c, EPOLLIN | EPOLLRDHUP);
    // The next request came with the last one's bytes (or TLS holds them already decrypted).
    if (!c.in.empty() || (c.ssl && SSL_pending(c.ssl) > 0)) {
        startRequestClock(c, now);
        readRequest(id, c, now);
    }
}

void HttpServer::Loop::drain(std::uint64_t id, Connection& c) {
    std::array<char, 16 * 1024> sink;
    for (;;) {
        const ssize_t n = ::recv(c.fd, sink.data(), sink.size(), 0);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        closeConnection(id);
        return;
    }
}

void HttpServer::Loop::collectDone(Clock::time_point now) {
    std::vector<Done> done;
    {
        std::lock_guard lock(s_.mutex_);
        done.swap(s_.done_);
    }
    for (Done& d : done) {
        auto it = connections_.find(d.connection);
        if (it == connections_.end())
            continue;
        Connection& c = it->second;
        if (c.peerGone) {
            closeConnection(d.connection);
            continue;
        }
        c.closeAfter = c.closeAfter || d.close;
        startWriting(d.connection, c, std::move(d.response), now);
    }
}

void HttpServer::Loop::expire(Clock::time_point now) {
    if (acceptPausedUntil_ && now >= *acceptPausedUntil_) {
        acceptPausedUntil_.reset();
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kListenKey;
        ::epoll_ctl(epoll_, EPOLL_CTL_MOD, s_.listenFd_, &ev);
    }
    std::vector<std::uint64_t> late;
    for (const auto& [id, c] : connections_)
        if (c.state != State::Working && now >= c.deadline)
            late.push_back(id);
    for (std::uint64_t id : late) {
        const Connection& c = connections_.at(id);
        if (c.state == State::Reading && !c.in.empty() && log_.shouldLog("late " + c.peerIp, now))
            qCWarning(lcChannel).noquote()
                << "closed a connection from" << QString::fromStdString(c.peerIp)
                << "whose request did not arrive whole in time (logged once a minute)";
        if (c.state == State::Handshaking && log_.shouldLog("slow tls " + c.peerIp, now))
            qCWarning(lcSecurity).noquote()
                << "closed a connection from" << QString::fromStdString(c.peerIp)
                << "whose TLS handshake did not finish in time (logged once a minute)";
        if (c.state == State::Writing && log_.shouldLog("unread " + c.peerIp, now))
            qCWarning(lcChannel).noquote()
                << "closed a connection from" << QString::fromStdString(c.peerIp)
                << "that did not read its answer in time (logged once a minute)";
        closeConnection(id);
    }
}

int HttpServer::Loop::nextTimeoutMs(Clock::time_point now) const {
    std::optional<Clock::time_point> next = acceptPausedUntil_;
    for (const auto& [id, c] : connections_)
        if (c.state != State::Working && (!next || c.deadline < *next))
            next = c.deadline;
    if (!next)
        return -1;
    return static_cast<int>(std::clamp<long long>(msUntil(*next, now), 0, 60'000));
}

HttpServer::HttpServer(int listenFd, std::string path, HttpLimits limits, HttpCallbacks callbacks,
                       SSL_CTX* tls)
    : listenFd_(listenFd), path_(std::move(path)), tls_(tls), limits_(limits),
      callbacks_(std::move(callbacks)) {
    // The loop accepts until EAGAIN: a blocking listener would stop it on the last accept.
    ::fcntl(listenFd_, F_SETFL, ::fcntl(listenFd_, F_GETFL) | O_NONBLOCK);
    wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

HttpServer::~HttpServer() {
    stop();
    if (wakeFd_ >= 0)
        ::close(wakeFd_);
    if (listenFd_ >= 0)
        ::close(listenFd_);
}

void HttpServer::wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof one);
}

void HttpServer::start(const std::string& threadName) {
    if (ioThread_.joinable())
        return;
    for (int i = 0; i < std::max(1, limits_.workers); ++i)
        workers_.emplace_back([this] {
            nameThisThread("charla-rpc-worker");
            runWorker(jobs_);
        });
    for (int i = 0; callbacks_.background && i < std::max(1, limits_.backgroundWorkers); ++i)
        workers_.emplace_back([this] {
            nameThisThread("charla-rpc-bulk");
            if (const int error = sdk::runThisThreadInBackground())
                qCWarning(lcChannel)
                    << "a bulk request worker keeps its CPU priority:" << std::strerror(error);
            runWorker(backgroundJobs_);
        });
    ioThread_ = std::thread([this, threadName] {
        nameThisThread(threadName);
        Loop(*this).run();
    });
}

void HttpServer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.jobs.clear(); // not started: never will be
        backgroundJobs_.jobs.clear();
    }
    jobs_.ready.notify_all();
    backgroundJobs_.ready.notify_all();
    wake();
    if (ioThread_.joinable())
        ioThread_.join();
    for (auto& w : workers_)
        w.join();
    workers_.clear();
    open_ = 0;
}

std::size_t HttpServer::openConnections() const {
    return open_;
}

void HttpServer::runWorker(Queue& queue) {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            queue.ready.wait(lock, [&] { return stopping_ || !queue.jobs.empty(); });
            if (stopping_)
                return;
            job = std::move(queue.jobs.front());
            queue.jobs.pop_front();
        }
        std::string response;
        bool close = job.close;
        try {
            const HttpAnswer answer = callbacks_.handle(job.request);
            response = "HTTP/1.1 200 OK\r\nContent-Type: " + answer.contentType +
                       "\r\nContent-Length: " + std::to_string(answer.body.size()) + "\r\n";
            for (const auto& [name, value] : answer.headers)
                response += name + ": " + value + "\r\n";
            response +=
                (job.close ? "Connection: close\r\n" : "") + std::string("\r\n") + answer.body;
        } catch (const std::exception& e) {
            qCWarning(lcChannel) << "the request handler failed:" << e.what();
            response = statusResponse(500, "Internal Server Error", {});
            close = true;
        }
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
            done_.push_back(Done{job.connection, close, std::move(response)});
        }
        wake();
    }
}

} // namespace charla::host
