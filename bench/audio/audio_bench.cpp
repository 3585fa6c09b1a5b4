// charla_audio_bench [seconds] [extra plugin options a.b=c ...]
//
// Two complete Charla sessions in this process, each loading the real audio plugin, with a
// private PulseAudio server (440 Hz tone as the microphone, null sinks as speakers). Every byte
// between them runs through counting relays: a TCP proxy each way (HTTP headers, XML, answers)
// and a UDP relay that forwards datagrams between two ports of its own, so that each side sees
// the other's datagrams come from the port its XML-RPC goes to (the host checks that).
//
//   phase 1  idle, no call (baseline: CPU, the host's pings on the wire)
//   phase 2  one-way call, A -> B (A has no speaker, B no microphone)
// Both phases run twice in one run, on the same sound server: with --allow-plaintext's plain
// datagrams (and plain HTTP), then as two Charlas talk by default (TLS 1.3, sealed datagrams:
// docs/security.md "Media datagrams"); the last lines compare the two (docs/performance-audio.md).
// Printed: mouth-to-ear latency p50/p95/p99 as B measured it (capture timestamp -> frame handed
// to the output device; also plus PortAudio's output latency), CPU seconds per minute of call for
// the direction (process CPU minus the idle baseline and the counting proxy's threads, both
// sessions: capture, encode, send, receive, decode, play), the PulseAudio server's CPU, and bytes
// per second on the wire A -> B and back (UDP datagrams with and without their 28 B of IP/UDP
// headers, TCP payload), minus the idle baseline, and per packet.
#include "audio_packet.h"
#include "ports.h" // tests/support
#include "process_setup.h"
#include "process_stats.h"
#include "pulse_server.h"
#include "tcp_proxy.h"

#include "core/datagram.h"
#include "core/peer_stream.h"
#include "core/session.h"
#include "security/datagram_keys.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <thread>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using charla::test::freePort; // tests/support
using charla::test::processCpuSeconds;
using charla::test::TcpProxy;
using Direction = TcpProxy::Direction;

// The last chunks each way of one audio.frame call through a proxy (for CHARLA_BENCH_DUMP).
class FrameSample {
public:
    TcpProxy::Observer observer() {
        return [this](Direction direction, std::string_view chunk) { see(direction, chunk); };
    }
    std::string sample(Direction direction) const {
        std::lock_guard lock(mutex_);
        return direction == Direction::ToTarget ? request_ : answer_;
    }

private:
    void see(Direction direction, std::string_view chunk) {
        std::lock_guard lock(mutex_);
        if (direction == Direction::ToTarget) {
            lastWasFrame_ = chunk.find("audio.frame") != std::string_view::npos;
            if (lastWasFrame_) {
                request_.clear();
                answer_.clear();
            }
        }
        if (lastWasFrame_)
            (direction == Direction::ToTarget ? request_ : answer_) += chunk;
    }
    mutable std::mutex mutex_;
    bool lastWasFrame_ = false;
    std::string request_, answer_;
};

// A network between A and B that loses and delays datagrams (A -> B only): bench.loss_percent and
// bench.jitter_ms on the command line. Each datagram is dropped with that probability, or held for
// a uniformly random 0..jitter ms (so a late one may overtake, as on a real network).
struct Impairment {
    double lossPercent = 0;
    int jitterMs = 0;
};

// Datagrams between A and B through two ports of the relay's own, P1 (A's view of B) and P2 (B's
// view of A): what arrives at P1 from A leaves from P2 towards B, and back. Counts each way.
class UdpRelay {
public:
    UdpRelay(std::uint16_t p1, std::uint16_t portA, std::uint16_t p2, std::uint16_t portB,
             Impairment impairment)
        : portA_(portA), portB_(portB), impairment_(impairment) {
        fd1_ = bindUdp(p1);
        fd2_ = bindUdp(p2);
        ok_ = fd1_ >= 0 && fd2_ >= 0;
        thread_ = std::thread([this] { run(); });
    }
    ~UdpRelay() {
        stopping_ = true;
        thread_.join();
        ::close(fd1_);
        ::close(fd2_);
    }
    bool ok() const { return ok_; }
    std::uint64_t bytesAtoB() const { return bytes_[0]; }
    std::uint64_t bytesBtoA() const { return bytes_[1]; }
    std::uint64_t packetsAtoB() const { return packets_[0]; }
    std::uint64_t packetsBtoA() const { return packets_[1]; }
    std::uint64_t droppedAtoB() const { return dropped_; }
    double cpuSeconds() const { return cpuSeconds_; }

private:
    static int bindUdp(std::uint16_t port) {
        int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        const sockaddr_in addr = charla::test::loopbackAddress(port);
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return -1;
        }
        return fd;
    }
    void forward(int i, const char* data, std::size_t size) {
        const sockaddr_in to = charla::test::loopbackAddress(i == 0 ? portB_ : portA_);
        ::sendto(i == 0 ? fd2_ : fd1_, data, size, 0, reinterpret_cast<const sockaddr*>(&to),
                 sizeof to);
    }
    void run() {
        pollfd p[2] = {{fd1_, POLLIN, 0}, {fd2_, POLLIN, 0}};
        char buf[65536];
        std::mt19937 random(42);
        std::uniform_real_distribution<double> percent(0, 100);
        std::uniform_int_distribution<int> delayMicros(0, impairment_.jitterMs * 1000);
        std::multimap<Clock::time_point, std::string> held; // A -> B datagrams being delayed
        while (!stopping_) {
            cpuSeconds_ = charla::test::threadCpuSeconds();
            for (auto now = Clock::now(); !held.empty() && held.begin()->first <= now;) {
                forward(0, held.begin()->second.data(), held.begin()->second.size());
                held.erase(held.begin());
            }
            int timeoutMs = 100;
            if (!held.empty())
                timeoutMs = static_cast<int>(std::clamp<std::int64_t>(
                    std::chrono::ceil<std::chrono::milliseconds>(held.begin()->first - Clock::now())
                        .count(),
                    0, 100));
            if (!ok_ || ::poll(p, 2, timeoutMs) <= 0)
                continue;
            for (int i = 0; i < 2; ++i) {
                if (!p[i].revents)
                    continue;
                const ssize_t n = ::recv(p[i].fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n < 0)
                    continue;
                bytes_[i] += static_cast<std::uint64_t>(n);
                ++packets_[i];
                if (i == 0 && impairment_.lossPercent > 0 &&
                    percent(random) < impairment_.lossPercent) {
                    ++dropped_;
                    continue;
                }
                if (i == 0 && impairment_.jitterMs > 0)
                    held.emplace(Clock::now() + std::chrono::microseconds(delayMicros(random)),
                                 std::string(buf, static_cast<std::size_t>(n)));
                else
                    forward(i, buf, static_cast<std::size_t>(n));
            }
        }
    }

    std::uint16_t portA_, portB_;
    const Impairment impairment_;
    std::atomic<std::uint64_t> dropped_{0};
    int fd1_ = -1, fd2_ = -1;
    bool ok_ = false;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> bytes_[2] = {0, 0}, packets_[2] = {0, 0};
    std::atomic<double> cpuSeconds_{0};
    std::thread thread_;
};

void pump(std::chrono::milliseconds d) {
    const auto end = Clock::now() + d;
    while (Clock::now() < end) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        std::this_thread::sleep_for(10ms);
    }
}

// The audio plugin's figures, asked in process (the same method the contact could call; over
// the network it would need the contact's TLS key).
std::map<std::string, xmlrpc_c::value> stats(charla::host::Session& session) {
    return xmlrpc_c::value_struct(
               session.channel().methods().dispatch(charla::audio::kStatsMethod, {}))
        .cvalue();
}
double num(const std::map<std::string, xmlrpc_c::value>& s, const std::string& k) {
    const auto& v = s.at(k);
    if (v.type() == xmlrpc_c::value::TYPE_DOUBLE)
        return xmlrpc_c::value_double(v).cvalue();
    return xmlrpc_c::value_int(v).cvalue();
}

} // namespace

// What the host's crypto costs per datagram, in isolation: build a sealed datagram, parse it and
// open it with a key ring, as the sender and receiver threads do; microseconds per datagram.
double sealCostMicros(std::size_t payloadBytes) {
    charla::security::DatagramKey key;
    key.key.fill(7);
    key.iv.fill(9);
    key.epoch = 1;
    charla::security::DatagramKeyRing ring;
    ring.add(1, key);
    const std::vector<std::uint8_t> payload(payloadBytes, 0x5a);
    std::vector<std::uint8_t> out;
    constexpr int kRounds = 20000;
    const auto start = Clock::now();
    for (int i = 0; i < kRounds; ++i) {
        const auto d =
            charla::host::buildSealedDatagram("audio", key, i, payload.data(), payload.size());
        const auto p = charla::host::parseDatagram(d.data(), d.size(), "");
        if (ring.open(p.epoch, p.seq, d.data(), p.headerSize, p.payload, p.payloadSize, out,
                      Clock::now()) != charla::security::DatagramKeyRing::Result::Ok)
            return -1;
    }
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / kRounds;
}

struct Figures {
    double cpu = 0; // Charla's CPU seconds per second of call, both sessions
    double p50 = 0, p95 = 0;
    double datagramBytes = 0;
};

// One idle phase and one call between two fresh sessions, encrypted or not; prints its figures.
std::optional<Figures> measure(bool encrypted, int seconds,
                               const std::map<std::string, std::string>& extra,
                               Impairment impairment, const charla::test::PulseServer& pulse) {
    Figures figures;
    QTemporaryDir keys; // the two installations' keys and known peers
    const std::uint16_t portA = freePort(), portB = freePort();
    FrameSample sampleAB;
    TcpProxy proxyAB(portB, sampleAB.observer()); // A's calls to B, B's answers
    TcpProxy proxyBA(portA);                      // B's calls to A, A's answers
    UdpRelay relay(proxyAB.port(), portA, proxyBA.port(), portB, impairment);
    if (!relay.ok()) {
        std::fprintf(stderr, "cannot bind the UDP relay's ports\n");
        return std::nullopt;
    }
    auto make = [&](std::uint16_t port, std::uint16_t peer, const char* user,
                    std::map<std::string, std::string> options) {
        charla::host::SessionConfig c;
        c.listenAddress = "127.0.0.1";
        c.port = port;
        c.peer = {"127.0.0.1", peer};
        c.user = user;
        c.pluginDirs = {QStringLiteral(CHARLA_AUDIO_PLUGIN_DIR)};
        c.disabledPlugins = {"text", "video"};
        for (const auto& [k, v] : extra)
            options[k] = v;
        c.pluginOptions = options;
        c.pingInterval = 1000ms;
        c.plaintext = !encrypted;
        c.securityDir = keys.filePath(QString::fromUtf8(user)); // each its own key
        return std::make_unique<charla::host::Session>(c);
    };
    auto a = make(portA, proxyAB.port(), "alice", {{"audio.output", "none"}});
    auto b = make(portB, proxyBA.port(), "bob", {{"audio.input", "none"}});
    a->start();
    b->start();
    pump(3000ms); // introductions

    // TCP bytes each way: A's requests and A's answers go A -> B.
    auto tcpAtoB = [&] {
        return proxyAB.bytes(Direction::ToTarget) + proxyBA.bytes(Direction::FromTarget);
    };
    auto tcpBtoA = [&] {
        return proxyBA.bytes(Direction::ToTarget) + proxyAB.bytes(Direction::FromTarget);
    };
    auto benchCpu = [&] {
        return proxyAB.cpuSeconds() + proxyBA.cpuSeconds() + relay.cpuSeconds();
    };

    // Phase 1: idle.
    const double idleSeconds = 5;
    double cpu0 = processCpuSeconds();
    double bench0 = benchCpu();
    std::uint64_t f0 = tcpAtoB(), b0 = tcpBtoA();
    pump(std::chrono::milliseconds(static_cast<int>(idleSeconds * 1000)));
    const double idleCpu = (processCpuSeconds() - cpu0 - (benchCpu() - bench0)) / idleSeconds;
    const double idleFwd = (tcpAtoB() - f0) / idleSeconds;
    const double idleBack = (tcpBtoA() - b0) / idleSeconds;

    // Phase 2: one-way call.
    const charla::sdk::CallInfo call{charla::sdk::CallInfo::State::Active, "bench"};
    a->plugins().notifyCallChanged(call);
    b->plugins().notifyCallChanged(call);
    pump(1000ms); // devices open
    cpu0 = processCpuSeconds();
    bench0 = benchCpu();
    const double pulse0 = processCpuSeconds(pulse.pid());
    f0 = tcpAtoB();
    b0 = tcpBtoA();
    const std::uint64_t u0 = relay.bytesAtoB();
    const std::uint64_t uBack0 = relay.bytesBtoA();
    const std::uint64_t n0 = relay.packetsAtoB();
    const auto sA0 = stats(*a);
    pump(std::chrono::seconds(seconds));
    const double callCpu = (processCpuSeconds() - cpu0) / seconds;
    const double proxyCpu = (benchCpu() - bench0) / seconds;
    const double pulseCpu = (processCpuSeconds(pulse.pid()) - pulse0) / seconds;
    const double fwd = (tcpAtoB() - f0) / double(seconds) - idleFwd;
    const double back = (tcpBtoA() - b0) / double(seconds) - idleBack;
    const double udp = (relay.bytesAtoB() - u0) / double(seconds);
    const double udpBack = (relay.bytesBtoA() - uBack0) / double(seconds);
    const double udpPackets = (relay.packetsAtoB() - n0) / double(seconds);
    constexpr double kIpUdpHeaderBytes = 28; // IPv4 20 + UDP 8, per datagram
    const auto sA = stats(*a);
    const auto sB = stats(*b);
    const double packetBytes = (num(sA, "bytes_sent") - num(sA0, "bytes_sent")) / seconds;

    std::printf("\n== %s ==\n", encrypted ? "ENCRYPTED (TLS 1.3, sealed datagrams: the default)"
                                          : "PLAIN (--allow-plaintext: plain HTTP and datagrams)");
    std::printf("charla_audio_bench: %d s one-way call, codec %s, transport %s, options:", seconds,
                xmlrpc_c::value_string(sA.at("send_codec")).cvalue().c_str(),
                xmlrpc_c::value_string(sA.at("transport")).cvalue().c_str());
    for (const auto& [k, v] : extra)
        std::printf(" %s=%s", k.c_str(), v.c_str());
    std::printf("\n");
    if (impairment.lossPercent > 0 || impairment.jitterMs > 0)
        std::printf("network A->B: %.1f %% loss (%llu datagrams dropped), 0-%d ms random delay\n",
                    impairment.lossPercent, static_cast<unsigned long long>(relay.droppedAtoB()),
                    impairment.jitterMs);
    std::printf("mouth-to-ear (B, %d frames): p50 %.1f ms  p95 %.1f ms  p99 %.1f ms\n",
                static_cast<int>(num(sB, "latency_samples")), num(sB, "latency_p50_ms"),
                num(sB, "latency_p95_ms"), num(sB, "latency_p99_ms"));
    std::printf("capture to audible (plus PortAudio's output latency estimate): p50 %.1f ms  p95 "
                "%.1f ms\n",
                num(sB, "speaker_p50_ms"), num(sB, "speaker_p95_ms"));
    std::printf("capture to arrival at B (framing, capture, processing, encoding, transport): p50 "
                "%.1f ms  p95 %.1f ms; the rest is the wait for B's output callback\n",
                num(sB, "arrival_p50_ms"), num(sB, "arrival_p95_ms"));
    std::printf(
        "jitter-buffer delay now %d ms, playout margin %d ms; frames played %d, concealed %d, late "
        "%d, skipped %d; sender queue drops %d, send failures %d; audio.frame call p50 %.1f ms "
        "p95 %.1f ms\n",
        static_cast<int>(num(sB, "jitter_delay_ms")),
        static_cast<int>(num(sB, "playout_margin_ms")), static_cast<int>(num(sB, "frames_played")),
        static_cast<int>(num(sB, "frames_concealed")), static_cast<int>(num(sB, "frames_late")),
        static_cast<int>(num(sB, "frames_skipped")), static_cast<int>(num(sA, "queue_dropped")),
        static_cast<int>(num(sA, "send_failures")), num(sA, "call_p50_ms"), num(sA, "call_p95_ms"));
    const double charlaCpu = callCpu - idleCpu - proxyCpu;
    figures.cpu = charlaCpu;
    figures.p50 = num(sB, "latency_p50_ms");
    figures.p95 = num(sB, "latency_p95_ms");
    figures.datagramBytes = udpPackets > 0 ? udp / udpPackets : 0.0;
    std::printf("CPU: %.2f s per minute of call for the direction (%.2f %% of one core; idle "
                "baseline %.2f %% and the counting relays' %.2f %% subtracted); PulseAudio "
                "server %.2f %%\n",
                charlaCpu * 60, charlaCpu * 100, idleCpu * 100, proxyCpu * 100, pulseCpu * 100);
    std::printf("wire A->B: datagrams %.0f B/s (%.1f/s, %.0f B each) = %.0f B/s with IP/UDP "
                "headers; TCP %+.0f B/s over idle; total %.0f B/s\n",
                udp, udpPackets, udpPackets > 0 ? udp / udpPackets : 0.0,
                udp + udpPackets * kIpUdpHeaderBytes, fwd,
                udp + udpPackets * kIpUdpHeaderBytes + std::max(0.0, fwd));
    std::printf("wire B->A: datagrams %.0f B/s, TCP %+.0f B/s over idle; idle XML-RPC (pings, "
                "TCP payload) %.0f B/s A->B, %.0f B/s B->A\n",
                udpBack, back, idleFwd, idleBack);
    std::printf("audio packets %.0f B/s (the plugin's packet bytes, before any transport)\n",
                packetBytes);
    const double calls = (num(sA, "packets_sent") - num(sA0, "packets_sent")) / seconds;
    if (calls > 0 && num(sA, "datagrams_sent") == 0)
        std::printf("per audio.frame call (%.1f calls/s): request %.0f B, answer %.0f B, packet "
                    "%.0f B\n",
                    calls, fwd / calls, back / calls, packetBytes / calls);
    if (const char* dump = std::getenv("CHARLA_BENCH_DUMP"); dump && *dump)
        std::printf("--- one request ---\n%s\n--- one answer ---\n%s\n",
                    sampleAB.sample(Direction::ToTarget).c_str(),
                    sampleAB.sample(Direction::FromTarget).c_str());

    a->plugins().notifyCallChanged({});
    b->plugins().notifyCallChanged({});
    b.reset();
    a.reset();
    return figures;
}

int main(int argc, char** argv) {
    if (!charla::test::setUpProcess())
        return 1;
    QCoreApplication app(argc, argv);
    const int seconds = argc > 1 ? std::max(5, std::atoi(argv[1])) : 30;
    std::map<std::string, std::string> extra; // plugin options
    Impairment impairment;
    for (int i = 2; i < argc; ++i) {
        const std::string kv = argv[i];
        const auto eq = kv.find('=');
        if (eq == std::string::npos) {
            std::fprintf(stderr, "ignoring %s: expected KEY=VALUE\n", kv.c_str());
            continue;
        }
        const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
        if (key == "bench.loss_percent")
            impairment.lossPercent = std::clamp(std::atof(value.c_str()), 0.0, 100.0);
        else if (key == "bench.jitter_ms")
            impairment.jitterMs = std::clamp(std::atoi(value.c_str()), 0, 1000);
        else
            extra[key] = value;
    }

    charla::test::PulseServer pulse;
    if (!pulse.ok()) {
        std::fprintf(stderr, "no sound server: %s\n", pulse.error().c_str());
        return 1;
    }
    const double opus = sealCostMicros(70), pcm = sealCostMicros(1942);
    std::printf("sealing + opening one datagram (ChaCha20-Poly1305, replay window), this thread: "
                "%.2f us for an Opus frame (70 B), %.2f us for a PCM16 frame (1942 B)\n",
                opus, pcm);
    const auto plain = measure(false, seconds, extra, impairment, pulse);
    const auto sealed = measure(true, seconds, extra, impairment, pulse);
    if (!plain || !sealed)
        return 1;
    std::printf("\n== encryption's cost, same run ==\n");
    std::printf("CPU per minute of call (both instances): plain %.2f s, encrypted %.2f s (%+.1f "
                "%%); per instance %.2f %% -> %.2f %% of one core\n",
                plain->cpu * 60, sealed->cpu * 60,
                plain->cpu > 0 ? (sealed->cpu / plain->cpu - 1) * 100 : 0.0, plain->cpu * 50,
                sealed->cpu * 50);
    std::printf("mouth-to-ear p50 %.1f -> %.1f ms (%+.1f), p95 %.1f -> %.1f ms (%+.1f); datagram "
                "%.0f -> %.0f B\n",
                plain->p50, sealed->p50, sealed->p50 - plain->p50, plain->p95, sealed->p95,
                sealed->p95 - plain->p95, plain->datagramBytes, sealed->datagramBytes);
    return 0;
}
