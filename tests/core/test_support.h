// Helpers shared by the core tests: calls over real HTTP and raw TCP servers that misbehave on
// purpose (waiting, ports and the TCP proxy are tests/support's).
#pragma once

#include "core/peer_stream.h"

#include "loopback_listener.h"
#include "ports.h"        // charla::test::freePort, reserveTwoPorts (tests/support)
#include "session_pair.h" // charla::test::SessionPair, loopbackConfig
#include "tcp_proxy.h"    // charla::test::TcpProxy
#include "wait.h"         // charla::test::waitUntil, pumpFor

#include <charla/sdk/channel.h>

#include <xmlrpc-c/base.hpp>

#include <QCoreApplication>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace charla::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Directory of the fixture plugins of one scenario, e.g. pluginDir("good").
std::string pluginDir(const std::string& scenario);

inline long long msSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string urlFor(std::uint16_t port, const std::string& path = "/RPC2");

// One call on a fresh CurlPeerStream to 127.0.0.1:port. Throws sdk::PeerCallError.
xmlrpc_c::value rpc(std::uint16_t port, const std::string& method,
                    const xmlrpc_c::paramList& params = xmlrpc_c::paramList(),
                    std::chrono::milliseconds timeout = 5s);
// The fault code of a call that must fail with a fault; 0 if it succeeded or failed otherwise.
int rpcFaultCode(std::uint16_t port, const std::string& method,
                 const xmlrpc_c::paramList& params = xmlrpc_c::paramList());
std::vector<std::string> listMethods(std::uint16_t port);
bool contains(const std::vector<std::string>& names, const std::string& name);

xmlrpc_c::paramList params(std::initializer_list<xmlrpc_c::value> values);
std::map<std::string, xmlrpc_c::value> asStruct(const xmlrpc_c::value& v);
int intMember(const xmlrpc_c::value& structValue, const std::string& key);

// A raw HTTP POST with libcurl (bodies that are not well-formed XML-RPC).
struct HttpReply {
    long status = 0;  // 0 if no HTTP answer came
    int curlCode = 0; // CURLcode
    std::string body;
};
HttpReply httpPost(std::uint16_t port, const std::string& body,
                   std::chrono::milliseconds timeout = 10s,
                   const std::vector<std::string>& extraHeaders = {}); // "Name: value"

// Parses a methodResponse; returns the fault code, or 0 for a successful response.
int faultCodeOf(const std::string& responseXml);

// A method that answers its one string parameter, with a payload limit (fault 413 above it).
sdk::MethodSpec echoSpec(const std::string& name = "t.echo", std::size_t limit = 64 * 1024);

// A TCP socket on 127.0.0.1 bound to a free port. listen == false: connecting is refused.
// With `acceptAndHold`, a thread accepts every connection, reads what arrives and never answers.
class RawServer {
public:
    RawServer(bool listen, bool acceptAndHold);
    ~RawServer();
    std::uint16_t port() const { return port_; }
    int accepted() const { return accepted_; }
    std::size_t bytesReceived() const { return bytes_; }

private:
    void run();
    std::unique_ptr<LoopbackListener> listener_; // when listening
    int unlistened_ = -1;                        // when not
    std::uint16_t port_ = 0;
    std::atomic<int> accepted_{0};
    std::atomic<std::size_t> bytes_{0};
    std::thread thread_;
};

// A minimal HTTP server on 127.0.0.1: answers every POST, on every connection, with HTTP 200 and
// `body` (an answer a peer could send: malformed, hostile, huge). Stops writing when the client
// hangs up.
class CannedHttpServer {
public:
    // `headers`: the answer's header lines but Content-Length, each ending in \r\n.
    explicit CannedHttpServer(std::string body, std::string headers = "Content-Type: text/xml\r\n");
    ~CannedHttpServer();
    std::uint16_t port() const { return listener_.port(); }
    // Bytes of answer the client took before it hung up or the answer ended.
    std::size_t bytesWritten() const { return written_; }

private:
    void run();
    void serve(int connection);
    std::string body_;
    std::string headers_;
    LoopbackListener listener_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> written_{0};
    std::thread thread_;
};

} // namespace charla::test
