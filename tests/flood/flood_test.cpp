// A local client floods Charla with calls for 30 s — pings, bad text.send structs, malformed
// bodies, unknown methods — from several connections at once, while the chat window's event loop
// is watched by a 20 ms heartbeat and the process's resident memory is sampled. Prints the
// figures; fails if the window stalled for more than 500 ms, if memory kept growing, or if the
// host stopped answering.
#include "app/application.h"
#include "app/options.h"
#include "core/endpoint.h"
#include "core/peer_stream.h"
#include "ports.h"         // tests/support
#include "process_setup.h" // tests/support
#include "process_stats.h" // tests/support
#include "session_pair.h"  // tests/support: streamAs

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

using charla::test::freePort;
using charla::test::residentKiB;

// One flooding connection: cycles through a good call and three kinds of bad input.
// A stream as the contact opens it: TLS with the contact's key (the flood comes from the contact's
// address and key, the worst case: nothing refuses it before the HTTP layer).
std::unique_ptr<charla::host::CurlPeerStream> asContact(std::uint16_t port,
                                                        std::uint16_t contactPort) {
    return charla::test::streamAs(port, charla::app::Application::securityDir(true, contactPort),
                                  "flood");
}

void flood(std::uint16_t port, std::uint16_t contactPort, std::atomic<bool>& stop,
           std::atomic<long>& calls, std::atomic<long>& unexpected) {
    const auto connection = asContact(port, contactPort);
    charla::host::CurlPeerStream& stream = *connection;
    std::map<std::string, xmlrpc_c::value> badMessage{
        {"id", xmlrpc_c::value_string("not-a-uuid")},
        {"sent_at", xmlrpc_c::value_string("yesterday")},
        {"body", xmlrpc_c::value_string("x")}};
    xmlrpc_c::paramList bad;
    bad.add(xmlrpc_c::value_struct(badMessage));
    for (long i = 0; !stop; ++i) {
        try {
            switch (i % 4) {
            case 0:
                stream.call("host.ping", xmlrpc_c::paramList(), 5s);
                break;
            case 1:
                stream.call("text.send", bad, 5s);
                ++unexpected; // must have faulted
                break;
            case 2:
                stream.call("no.such.method", xmlrpc_c::paramList(), 5s);
                ++unexpected;
                break;
            case 3:
                stream.call("host.hello", xmlrpc_c::paramList(), 5s);
                ++unexpected;
                break;
            }
        } catch (const charla::sdk::PeerCallError& e) {
            if (e.kind() != charla::sdk::PeerCallError::Kind::Fault)
                ++unexpected;
        }
        ++calls;
    }
}

} // namespace

int main(int argc, char** argv) {
    if (!charla::test::setUpProcess())
        return 1;
    const charla::test::PrivateHome home;
    QApplication app(argc, argv);

    const std::uint16_t port = freePort();
    charla::app::Options options;
    options.localMode = true;
    options.port = port;
    const std::uint16_t contactPort = freePort();
    options.peer = charla::host::HostPort{"127.0.0.1", contactPort};
    options.user = "Flooded";
    options.pluginDirs = {QStringLiteral(CHARLA_PLUGIN_DIR)};
    options.disabledPlugins = {"audio", "video"};
    charla::app::Application charla(options);
    bool connected = false;
    QObject::connect(&charla, &charla::app::Application::connected, [&] { connected = true; });
    charla.start();
    QElapsedTimer wait;
    wait.start();
    while (!connected && wait.elapsed() < 10000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    if (!connected) {
        std::fprintf(stderr, "FAIL: Charla did not start\n");
        return 1;
    }

    // The window's event loop: a 20 ms heartbeat; the longest gap says how long it froze.
    qint64 longestGap = 0;
    QElapsedTimer sinceBeat;
    sinceBeat.start();
    QTimer heartbeat;
    heartbeat.setInterval(20);
    QObject::connect(&heartbeat, &QTimer::timeout,
                     [&] { longestGap = std::max(longestGap, sinceBeat.restart()); });
    heartbeat.start();

    const int seconds = argc > 1 ? std::atoi(argv[1]) : 30;
    std::atomic<bool> stop{false};
    std::atomic<long> calls{0}, unexpected{0};
    std::vector<std::thread> flooders;
    for (int i = 0; i < 4; ++i)
        flooders.emplace_back(flood, port, contactPort, std::ref(stop), std::ref(calls),
                              std::ref(unexpected));

    std::vector<long> rss; // one sample a second
    QElapsedTimer clock;
    clock.start();
    long lastCalls = 0, peakRate = 0;
    while (clock.elapsed() < seconds * 1000) {
        const qint64 until = clock.elapsed() + 1000;
        while (clock.elapsed() < until)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        const long now = calls.load();
        peakRate = std::max(peakRate, now - lastCalls);
        lastCalls = now;
        rss.push_back(residentKiB());
    }
    stop = true;
    for (auto& t : flooders)
        t.join();

    // Still answering a well-behaved caller afterwards?
    bool answers = false;
    try {
        answers =
            asContact(port, contactPort)->call("host.ping", xmlrpc_c::paramList(), 2s).type() ==
            xmlrpc_c::value::TYPE_STRUCT;
    } catch (const std::exception&) {
    }

    const long total = calls.load();
    const long rssAt5 = rss.size() > 5 ? rss[5] : rss.front();
    const long rssEnd = rss.back();
    std::printf("flood: %ld calls in %d s (%.0f/s average, peak %ld/s), %ld unexpected answers\n",
                total, seconds, double(total) / seconds, peakRate, unexpected.load());
    std::printf("window: longest event-loop gap %lld ms (heartbeat every 20 ms)\n",
                static_cast<long long>(longestGap));
    std::printf("memory: RSS %ld KiB after 5 s, %ld KiB at the end (growth %ld KiB)\n", rssAt5,
                rssEnd, rssEnd - rssAt5);

    int failed = 0;
    auto check = [&](bool ok, const char* what) {
        std::printf("%s %s\n", ok ? "PASS" : "FAIL", what);
        failed += ok ? 0 : 1;
    };
    check(total / seconds >= 1000, "thousands of calls a second reached the host");
    check(unexpected.load() == 0, "every bad call got a fault, every good one an answer");
    check(longestGap < 500, "the window stayed responsive (no event-loop gap over 500 ms)");
    check(rssEnd - rssAt5 < 20 * 1024, "memory stayed bounded (under 20 MiB growth after warm-up)");
    check(answers, "the host still answers afterwards");
    std::printf("%d passed, %d failed\n", 5 - failed, failed);
    return failed ? 1 : 0;
}
