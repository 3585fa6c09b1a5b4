// Charla's own HTTP/1.1 server for XML-RPC: the connection layer on Charla's terms
// (docs/security.md "Connections", docs/decisions.md).
//
// One I/O thread (epoll, non-blocking sockets, an eventfd to wake it) accepts, reads requests
// and writes responses; a small fixed pool of workers runs the handler on complete requests,
// one request at a time per connection. Before a byte is read, a connection must pass the accept
// filter and the caps (per source address and in total; a source at its cap loses its stalest
// connection, not its active ones). Every state has a deadline: a whole request within a bounded
// time from its first byte, an idle keep-alive connection, a response the peer does not read.
// stop() wakes the loop at once. It speaks just what Charla's clients (libcurl, Python's
// xmlrpc.client) need: POST to one path with Content-Length, persistent connections, no
// pipelining, no chunked bodies.
//
// With an SSL_CTX it speaks only TLS (docs/security.md "Encrypted transport"): after accept a
// non-blocking handshake in the same loop, under the request deadline; a connection whose first
// byte is not a TLS handshake record (plain HTTP) is closed without a byte sent; the key the
// client's certificate carries must pass acceptPeerKey before anything is read.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace charla::host {

struct HttpLimits {
    std::size_t maxConnectionsPerSource = 32; // Charla opens ~6 streams; room for reconnects
    std::size_t maxConnections = 128;         // all sources together
    std::size_t maxHeaderBytes = 16 * 1024;
    std::size_t maxBodyBytes = 16 * 1024 * 1024;
    // A request must arrive whole within this time from its first byte, plus the time its body
    // takes at minBodyBytesPerSecond (a 16 MiB call on a slow link is not a slowloris).
    std::chrono::milliseconds requestDeadline{10'000};
    std::size_t minBodyBytesPerSecond = 256 * 1024;
    std::chrono::milliseconds idleTimeout{60'000}; // keep-alive between requests
    // A response must be taken by the peer within this time (plus its size at the same rate).
    std::chrono::milliseconds writeDeadline{10'000};
    int workers = 8;
    // Workers at a lower CPU priority for the requests HttpCallbacks::background picks.
    int backgroundWorkers = 2;
};

struct HttpRequest {
    std::string peerIp;  // dotted IPv4
    std::string peerKey; // over TLS: the client's raw Ed25519 public key; empty over plain HTTP
    // Over TLS: the connection's exporter value for the shared secret's signature
    // (security/tls.h exportSecretBinding); empty over plain HTTP.
    std::string channelBinding;
    // Over TLS: the binding of the answer's signature (security/tls.h exportAnswerBinding).
    std::string answerBinding;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // names in lower case
    // The value of a header (name in lower case), or empty.
    std::string header(std::string_view lowerName) const;
};

// What a handler answers: a body of its content type and extra headers (e.g. X-Charla-Signature).
struct HttpAnswer {
    std::string body;
    std::string contentType = "text/xml";
    std::vector<std::pair<std::string, std::string>> headers;
};

// What the I/O thread needs to know from the outside; called on the I/O thread or the workers,
// never under a lock of the server.
struct HttpCallbacks {
    // At accept, before anything is read: false closes the connection.
    std::function<bool(const std::string& peerIp)> acceptFrom;
    // Over TLS, once the handshake is done, before anything is read: the raw Ed25519 key of the
    // client's certificate (empty if it is no Ed25519 key). False closes the connection.
    std::function<bool(const std::string& peerIp, const std::string& peerKey)> acceptPeerKey;
    // Over TLS, once acceptPeerKey accepted: the connection's id (unique in this server) and its
    // TLS state, valid during the call only (the datagram keys are exported here).
    std::function<void(std::uint64_t connection, SSL* ssl)> tlsEstablished;
    // A connection tlsEstablished was told of is closed.
    std::function<void(std::uint64_t connection)> tlsClosed;
    // A complete POST to the path: returns the response. Runs on a worker.
    std::function<HttpAnswer(const HttpRequest&)> handle;
    // Whether a complete request is bulk work (a file's bytes), run by a background worker at
    // nice 10 so that it never takes the CPU from a call (charla/sdk/background_thread.h).
    // Unset: none is. Runs on the I/O thread: look at the headers only.
    std::function<bool(const HttpRequest&)> background;
};

class HttpServer {
public:
    // Takes a listening, bound socket (closed by the destructor); `path` is the one served. With
    // `tls` (kept alive by the caller while the server runs) every connection is TLS.
    HttpServer(int listenFd, std::string path, HttpLimits limits, HttpCallbacks callbacks,
               SSL_CTX* tls = nullptr);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Starts the I/O thread (named `threadName`) and the workers.
    void start(const std::string& threadName);
    // Closes every connection at once, lets the handlers in progress finish (their answers are
    // dropped), joins every thread. Idempotent.
    void stop();

    // For tests and diagnostics: connections currently open.
    std::size_t openConnections() const;

private:
    struct Job {
        std::uint64_t connection = 0;
        bool close = false; // the response says Connection: close
        HttpRequest request;
    };
    struct Done {
        std::uint64_t connection = 0;
        bool close = false;
        std::string response; // the whole HTTP response
    };
    class Loop; // the I/O thread's state (http_server.cpp)

    struct Queue {
        std::condition_variable ready;
        std::deque<Job> jobs; // at most one per connection: bounded by the caps
    };
    void runWorker(Queue& queue);
    void wake();

    int listenFd_;
    int wakeFd_ = -1; // eventfd: stop, and finished jobs to write back
    std::string path_;
    SSL_CTX* tls_ = nullptr;
    HttpLimits limits_;
    HttpCallbacks callbacks_;

    std::mutex mutex_;     // guards the queues and stopping_
    Queue jobs_;           // for the workers
    Queue backgroundJobs_; // for the background workers
    std::vector<Done> done_;
    bool stopping_ = false;
    std::atomic<std::size_t> open_{0};

    std::thread ioThread_;
    std::vector<std::thread> workers_;
};

} // namespace charla::host
