// The XML-RPC server: xmlrpc-c's Abyss HTTP server on its own thread, on a socket Charla binds
// itself (a port in use or a foreign address gives a clear error; tests can ask for port 0).
//
// Abyss hands each call's XML to our processor, which parses it with xmlrpc-c and dispatches
// through the MethodTable. We skip xmlrpc-c's registry on purpose: it cannot remove a method and
// its built-in system.listMethods cannot be replaced, while Charla's list must change the moment
// a plugin is disabled.
#pragma once

#include "core/method_table.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace charla::host {

class StartError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class RpcServer {
public:
    explicit RpcServer(MethodTable& table);
    ~RpcServer();
    RpcServer(const RpcServer&) = delete;
    RpcServer& operator=(const RpcServer&) = delete;

    // Binds `address`:`port` (port 0 picks a free one) and starts serving. Throws StartError with
    // a readable reason.
    void start(const std::string& address, std::uint16_t port);
    // Stops accepting, finishes the calls in progress and joins the server thread.
    void stop();
    std::uint16_t port() const { return port_; }

    // Turns one call document into a response document (a fault for anything malformed).
    // Public for the tests and the fuzzers.
    static std::string processCall(const MethodTable& table, const std::string& callXml);

private:
    struct Abyss;
    MethodTable& table_;
    std::unique_ptr<Abyss> abyss_;
    std::thread thread_;
    std::uint16_t port_ = 0;
};

} // namespace charla::host
