// The Channel as a plugin sees it: the only way a plugin talks to the peer.
//
// A plugin registers, during Plugin::initialize():
//   - XML-RPC methods in its own namespace ("text.send"), served while the plugin is enabled;
//   - worker threads (the capture -> queue -> sender pair), started and joined by the Channel;
// and opens PeerStreams: one persistent HTTP connection to the peer each, so that a large video
// frame never waits in front of a text message. Since ABI 1.1 a plugin may also exchange
// datagrams with the peer's plugin of the same id (UDP, docs/protocol.md "Datagrams"): cheap,
// unordered and lossy, for media that would rather be late than wait.
#pragma once

#include <charla/sdk/export.h>
#include <charla/sdk/fault.h>
#include <charla/sdk/peer_info.h>
#include <charla/sdk/version.h>

#include <xmlrpc-c/base.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>

namespace charla::sdk {

// A method a plugin serves. The handler runs on one of the server's threads, concurrently with
// other calls: it must validate, hand the work off and return at once (never block on the GUI).
struct MethodSpec {
    std::string name;      // "<plugin id>.<verb>", e.g. "text.send"
    std::string signature; // XML-RPC signature string, e.g. "S:S" (system.methodSignature)
    std::string help;      // served by system.methodHelp, like the signature (not enforced)
    std::size_t maxPayloadBytes = 64 * 1024; // bytes of strings/base64 in the params, enforced
    std::function<xmlrpc_c::value(const xmlrpc_c::paramList&)> handler;
};

// A thread the Channel starts after Plugin::start() and stops (request_stop, then join) before
// the plugin is destroyed. The body must return soon after the token asks it to stop: calls made
// through a PeerStream of the same plugin are interrupted at that moment.
struct WorkerSpec {
    std::string name;
    std::function<void(std::stop_token)> body;
};

// Thrown by PeerStream::call when the call did not complete: the peer is unreachable, timed
// out, the stream was interrupted, or the peer answered with a fault (faultCode() != 0).
class CHARLA_SDK_API PeerCallError : public std::runtime_error {
public:
    enum class Kind { Unreachable, Timeout, Interrupted, Fault, BadResponse };
    PeerCallError(Kind kind, const std::string& what, int faultCode = 0);
    ~PeerCallError() override;
    Kind kind() const { return kind_; }
    int faultCode() const { return faultCode_; }

private:
    Kind kind_;
    int faultCode_;
};

// One persistent connection to the peer. Use it from one thread at a time.
class CHARLA_SDK_API PeerStream {
public:
    virtual ~PeerStream();
    // Calls `method` on the peer. Throws PeerCallError. Returns the result value.
    virtual xmlrpc_c::value call(const std::string& method, const xmlrpc_c::paramList& params,
                                 std::chrono::milliseconds timeout) = 0;
    virtual std::string name() const = 0;
};

class CHARLA_SDK_API Channel {
public:
    virtual ~Channel();

    // Registration: only valid inside Plugin::initialize(). Throws std::invalid_argument for a
    // name outside the plugin's namespace or one registered twice.
    virtual void registerMethod(MethodSpec spec) = 0;
    virtual void registerWorker(WorkerSpec spec) = 0;

    // Opens a named stream to the peer (e.g. "text"). Usable from any time after initialize();
    // it is interrupted and closed when the plugin is disabled.
    virtual std::shared_ptr<PeerStream> openStream(const std::string& name) = 0;

    // The latest knowledge about the contact (thread-safe copy).
    virtual PeerInfo peer() const = 0;

#if CHARLA_SDK_TARGET_ABI_MINOR >= 1
    // --- ABI 1.1 (appended, so plugins built against 1.0 keep working; the defaults say "no
    // datagrams", for Channels that do not carry them) ---

    // Receives the payloads of datagrams the contact's plugin of the same id sent with
    // sendDatagram(). Only valid inside Plugin::initialize(), at most once; removed when the plugin
    // is disabled (like its methods). The handler runs on the host's datagram thread, one call at a
    // time: it must validate, hand off and return at once. Datagrams from anyone but the contact,
    // unsigned ones when a secret is set, and malformed ones never reach it. Returns false if this
    // host cannot carry datagrams (then use XML-RPC); throws std::logic_error outside initialize().
    using DatagramHandler = std::function<void(const std::uint8_t* data, std::size_t size)>;
    virtual bool registerDatagramHandler(DatagramHandler handler);
    // Sends one datagram to the contact's plugin of the same id. Never blocks on the network: false
    // when it could not be handed to the kernel (buffer full, no contact, too large, no datagram
    // support). Any thread. Delivery, order and uniqueness are not guaranteed.
    virtual bool sendDatagram(const std::uint8_t* data, std::size_t size);
    // The largest payload sendDatagram() accepts (0: no datagram support).
    virtual std::size_t maxDatagramPayload() const;
#endif
};

} // namespace charla::sdk
