#include "core/datagram_socket.h"

#include "core/logging.h"
#include "core/rpc_server.h"
#include "core/thread_name.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace charla::host {

struct DatagramSocket::Target {
    DatagramPolicy policy;
    sockaddr_in peer{}; // where we send, and what a source must equal
    bool havePeer = false;
};

namespace {

// IPv4 literal, or a name resolved once here (never per datagram).
bool resolve(const std::string& host, in_addr* out) {
    if (host.empty())
        return false;
    if (inet_pton(AF_INET, host.c_str(), out) == 1)
        return true;
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found)
        return false;
    *out = reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr;
    freeaddrinfo(found);
    return true;
}

// Warn at the 1st, 10th, 100th... drop of a kind: visible without flooding the log.
bool worthWarning(std::uint64_t count) {
    while (count >= 10 && count % 10 == 0)
        count /= 10;
    return count == 1;
}

std::string sourceText(const sockaddr_in& source) {
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &source.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(source.sin_port));
}

} // namespace

DatagramSocket::DatagramSocket() : target_(std::make_shared<Target>()) {}

DatagramSocket::~DatagramSocket() {
    stop();
}

void DatagramSocket::bind(const std::string& address, std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1)
        throw StartError("cannot listen on '" + address + "': not an IPv4 address");
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        throw StartError(std::string("cannot create a UDP socket: ") + std::strerror(errno));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EADDRINUSE)
            throw StartError("UDP port " + std::to_string(port) +
                             " is already in use (Charla needs TCP and UDP on its port)");
        throw StartError("cannot bind UDP " + address + ":" + std::to_string(port) + ": " +
                         std::strerror(err));
    }
    if (::pipe2(wakePipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
        const int err = errno;
        ::close(fd);
        throw StartError(std::string("cannot create a pipe: ") + std::strerror(err));
    }
    fd_ = fd;
}

void DatagramSocket::start() {
    if (fd_ < 0 || thread_.joinable())
        return;
    stopping_ = false;
    thread_ = std::thread([this] {
        nameThisThread("charla-datagram");
        run();
    });
}

void DatagramSocket::stop() {
    stopping_ = true;
    if (thread_.joinable()) {
        const char byte = 0;
        [[maybe_unused]] const auto ignored = ::write(wakePipe_[1], &byte, 1);
        thread_.join();
    }
    for (int* fd : {&fd_, &wakePipe_[0], &wakePipe_[1]}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
}

void DatagramSocket::setPolicy(DatagramPolicy policy) {
    auto target = std::make_shared<Target>();
    target->peer.sin_family = AF_INET;
    target->peer.sin_port = htons(policy.peerPort);
    target->havePeer = policy.peerPort != 0 && resolve(policy.peerHost, &target->peer.sin_addr);
    target->policy = std::move(policy);
    std::lock_guard lock(policyMutex_);
    target_ = std::move(target);
}

std::shared_ptr<const DatagramSocket::Target> DatagramSocket::target() const {
    std::lock_guard lock(policyMutex_);
    return target_;
}

void DatagramSocket::addHandler(const std::string& pluginId, Handler handler) {
    std::lock_guard lock(handlersMutex_);
    if (!handlers_.emplace(pluginId, std::move(handler)).second)
        throw std::invalid_argument("plugin '" + pluginId + "' already has a datagram handler");
}

void DatagramSocket::removeHandler(const std::string& pluginId) {
    std::lock_guard lock(handlersMutex_);
    handlers_.erase(pluginId);
}

std::size_t DatagramSocket::maxPayload(const std::string& pluginId) const {
    const auto& policy = target()->policy;
    const std::size_t header = policy.sealed
                                   ? sealedDatagramOverhead(pluginId)
                                   : datagramHeaderBytes(pluginId, !policy.secret.empty());
    return header < kMaxDatagramBytes ? kMaxDatagramBytes - header : 0;
}

void DatagramSocket::setSendKey(const security::DatagramKey& key) {
    auto next = std::make_shared<SendKey>();
    next->key = key;
    std::lock_guard lock(policyMutex_);
    if (sendKey_ && sendKey_->key == key)
        return;
    qCInfo(lcDatagram).noquote() << "datagrams now sealed with epoch"
                                 << QString::number(key.epoch, 16).rightJustified(8, '0');
    sendKey_ = std::move(next);
}

std::optional<std::uint32_t> DatagramSocket::sendEpoch() const {
    std::lock_guard lock(policyMutex_);
    return sendKey_ ? std::optional(sendKey_->key.epoch) : std::nullopt;
}

bool DatagramSocket::send(const std::string& pluginId, const std::uint8_t* data, std::size_t size) {
    std::shared_ptr<const Target> target;
    std::shared_ptr<SendKey> key;
    {
        std::lock_guard lock(policyMutex_);
        target = target_;
        key = sendKey_;
    }
    const bool sealed = target->policy.sealed;
    if (fd_ < 0 || !target->havePeer || pluginId.empty() || pluginId.size() > kMaxDatagramIdBytes ||
        size > maxPayload(pluginId) || (sealed && !key)) {
        // Sealed without a key yet (no TLS connection to the contact answered so far): dropped,
        // never sent in clear.
        ++counters_.sendFailed;
        return false;
    }
    const std::vector<std::uint8_t> datagram =
        sealed ? buildSealedDatagram(pluginId, key->key, key->next.fetch_add(1), data, size)
               : buildDatagram(pluginId, data, size, target->policy.secret);
    if (datagram.empty()) {
        ++counters_.sendFailed;
        return false;
    }
    const ssize_t n =
        ::sendto(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&target->peer), sizeof target->peer);
    if (n != static_cast<ssize_t>(datagram.size())) {
        // EAGAIN: the socket buffer is full. ECONNREFUSED: an earlier datagram met a closed port
        // (ICMP); the next one may well arrive. Either way this one is lost, by design.
        if (worthWarning(++counters_.sendFailed))
            qCDebug(lcDatagram) << "send failed:" << std::strerror(errno);
        return false;
    }
    ++counters_.sent;
    counters_.bytesSent += datagram.size();
    return true;
}

void DatagramSocket::run() {
    // One byte more than the limit, and MSG_TRUNC: an oversize datagram is seen as such.
    std::vector<std::uint8_t> buffer(kMaxDatagramBytes + 1);
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wakePipe_[0], POLLIN, 0}};
    while (!stopping_) {
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (stopping_ || fds[1].revents)
            break;
        // Drain everything that is queued, then sleep again.
        for (int i = 0; i < 64; ++i) {
            sockaddr_in source{};
            iovec io{buffer.data(), buffer.size()};
            msghdr msg{};
            msg.msg_name = &source;
            msg.msg_namelen = sizeof source;
            msg.msg_iov = &io;
            msg.msg_iovlen = 1;
            const ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_TRUNC);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                if (errno == ECONNREFUSED || errno == EINTR)
                    continue; // an ICMP report about an earlier send, not a datagram
                qCWarning(lcDatagram) << "receive failed:" << std::strerror(errno);
                break;
            }
            receiveOne(buffer.data(), static_cast<std::size_t>(n), (msg.msg_flags & MSG_TRUNC) != 0,
                       &source);
        }
    }
}

void DatagramSocket::receiveOne(const std::uint8_t* data, std::size_t size, bool truncated,
                                const void* sourceAddress) {
    const auto& source = *static_cast<const sockaddr_in*>(sourceAddress);
    ++counters_.received;
    counters_.bytesReceived += size;
    const auto target = this->target();
    const DatagramPolicy& policy = target->policy;
    // The source check comes first: nothing of a stranger's datagram is looked at.
    const bool addressOk =
        policy.loopbackOnly
            ? (ntohl(source.sin_addr.s_addr) >> 24) == 127
            : target->havePeer && source.sin_addr.s_addr == target->peer.sin_addr.s_addr;
    if (source.sin_family != AF_INET || !addressOk || !target->havePeer ||
        source.sin_port != target->peer.sin_port) {
        if (worthWarning(++counters_.foreign))
            qCWarning(lcDatagram).noquote()
                << "dropped a datagram from" << sourceText(source).c_str()
                << "(only the contact may send)";
        return;
    }
    if (truncated || size > kMaxDatagramBytes) {
        if (worthWarning(++counters_.oversize))
            qCWarning(lcDatagram) << "dropped an oversize datagram of" << size << "bytes";
        return;
    }
    const ParsedDatagram parsed = parseDatagram(data, size, policy.sealed ? "" : policy.secret);
    if (parsed.verdict != DatagramVerdict::Ok) {
        auto& counter = parsed.verdict == DatagramVerdict::Unauthorized ? counters_.unauthorized
                                                                        : counters_.malformed;
        if (worthWarning(++counter))
            qCWarning(lcDatagram) << "dropped a datagram:" << parsed.why;
        return;
    }
    const std::uint8_t* payload = parsed.payload;
    std::size_t payloadSize = parsed.payloadSize;
    if (parsed.sealed != policy.sealed) {
        if (worthWarning(++counters_.unauthorized))
            qCWarning(lcDatagram) << "dropped a datagram:"
                                  << (policy.sealed ? "not encrypted, but this Charla talks TLS"
                                                    : "encrypted, but this Charla runs with "
                                                      "--allow-plaintext (no keys)");
        return;
    }
    if (parsed.sealed) {
        using Result = security::DatagramKeyRing::Result;
        const Result result =
            receiveKeys_.open(parsed.epoch, parsed.seq, data, parsed.headerSize, parsed.payload,
                              parsed.payloadSize, opened_, std::chrono::steady_clock::now());
        if (result != Result::Ok) {
            const bool replay = result == Result::Replayed || result == Result::TooOld;
            const char* why = result == Result::UnknownEpoch ? "no key of its epoch"
                              : result == Result::BadTag     ? "its AEAD tag does not verify"
                              : result == Result::Replayed   ? "replayed (sequence number seen)"
                                                             : "too old for the replay window";
            if (worthWarning(++(replay ? counters_.replayed : counters_.unauthorized)))
                qCWarning(lcDatagram) << "dropped a sealed datagram:" << why;
            return;
        }
        payload = opened_.data();
        payloadSize = opened_.size();
    }
    std::lock_guard lock(handlersMutex_);
    const auto it = handlers_.find(parsed.pluginId);
    if (it == handlers_.end()) {
        if (worthWarning(++counters_.unclaimed))
            qCDebug(lcDatagram).noquote()
                << "no handler for datagrams of plugin"
                << QString::fromUtf8(parsed.pluginId.data(),
                                     static_cast<qsizetype>(parsed.pluginId.size()));
        return;
    }
    ++counters_.delivered;
    try {
        it->second(payload, payloadSize);
    } catch (const std::exception& e) {
        qCWarning(lcDatagram) << "datagram handler of" << it->first.c_str() << "threw:" << e.what();
    } catch (...) {
        qCWarning(lcDatagram) << "datagram handler of" << it->first.c_str() << "threw";
    }
}

DatagramStats DatagramSocket::stats() const {
    DatagramStats s;
    s.sent = counters_.sent;
    s.bytesSent = counters_.bytesSent;
    s.sendFailed = counters_.sendFailed;
    s.received = counters_.received;
    s.bytesReceived = counters_.bytesReceived;
    s.delivered = counters_.delivered;
    s.foreign = counters_.foreign;
    s.unauthorized = counters_.unauthorized;
    s.replayed = counters_.replayed;
    s.malformed = counters_.malformed;
    s.oversize = counters_.oversize;
    s.unclaimed = counters_.unclaimed;
    return s;
}

} // namespace charla::host
