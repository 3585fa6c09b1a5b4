// MethodTable (dispatch, owners, limits, fault mapping) and PluginScope (registration rules).
#include "core/host_channel.h"
#include "core/method_table.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

namespace charla::test {
namespace {

using host::MethodTable;

sdk::MethodSpec method(const std::string& name,
                       std::function<xmlrpc_c::value(const xmlrpc_c::paramList&)> handler,
                       std::size_t maxPayload = 64 * 1024) {
    sdk::MethodSpec spec;
    spec.name = name;
    spec.signature = "s:s";
    spec.maxPayloadBytes = maxPayload;
    spec.handler = std::move(handler);
    return spec;
}

sdk::MethodSpec echoMethod(const std::string& name, std::size_t maxPayload = 64 * 1024) {
    return method(
        name, [](const xmlrpc_c::paramList& p) { return xmlrpc_c::value_string(p.getString(0)); },
        maxPayload);
}

// The fault code dispatch throws, or 0 if it returned.
int faultOf(const MethodTable& table, const std::string& name, const xmlrpc_c::paramList& p) {
    try {
        table.dispatch(name, p);
    } catch (const xmlrpc_c::fault& f) {
        return f.getCode();
    }
    return 0;
}

std::vector<std::string> listed(const MethodTable& table) {
    std::vector<std::string> out;
    for (const auto& v :
         xmlrpc_c::value_array(table.dispatch("system.listMethods", xmlrpc_c::paramList()))
             .vectorValueValue())
        out.push_back(xmlrpc_c::value_string(v));
    return out;
}

TEST(MethodTable, DispatchesToTheNamedHandler) {
    MethodTable table;
    table.add("echo", echoMethod("echo.say"));
    const xmlrpc_c::value v = table.dispatch("echo.say", params({xmlrpc_c::value_string("hi")}));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(v)), "hi");
    EXPECT_TRUE(table.contains("echo.say"));
}

TEST(MethodTable, RefusesADuplicateNameAndAMissingHandler) {
    MethodTable table;
    table.add("a", echoMethod("a.x"));
    EXPECT_THROW(table.add("b", echoMethod("a.x")), std::invalid_argument);
    EXPECT_THROW(table.add("a", echoMethod("a.x")), std::invalid_argument);
    EXPECT_THROW(table.add("host", echoMethod("system.listMethods")), std::invalid_argument);
    sdk::MethodSpec empty;
    empty.name = "a.empty";
    EXPECT_THROW(table.add("a", empty), std::invalid_argument);
    EXPECT_FALSE(table.contains("a.empty"));
}

TEST(MethodTable, RemoveOwnerRemovesExactlyItsMethods) {
    MethodTable table;
    table.add("a", echoMethod("a.one"));
    table.add("a", echoMethod("a.two"));
    table.add("b", echoMethod("b.one"));
    table.removeOwner("a");
    EXPECT_FALSE(table.contains("a.one"));
    EXPECT_FALSE(table.contains("a.two"));
    EXPECT_TRUE(table.contains("b.one"));
    EXPECT_EQ(faultOf(table, "a.one", params({xmlrpc_c::value_string("x")})),
              sdk::kFaultUnknownMethod);
    table.removeOwner("nobody"); // unknown owner: a no-op
    // The name is free again.
    table.add("a", echoMethod("a.one"));
    EXPECT_EQ(faultOf(table, "a.one", params({xmlrpc_c::value_string("x")})), 0);
}

TEST(MethodTable, UnknownMethodFaultsMinus32601) {
    MethodTable table;
    try {
        table.dispatch("no.such", xmlrpc_c::paramList());
        FAIL() << "dispatch of an unknown method returned";
    } catch (const xmlrpc_c::fault& f) {
        EXPECT_EQ(f.getCode(), -32601);
        EXPECT_NE(f.getDescription().find("no.such"), std::string::npos) << f.getDescription();
    }
}

TEST(MethodTable, PayloadOverTheMethodLimitFaults413) {
    MethodTable table;
    table.add("a", echoMethod("a.small", 100));
    EXPECT_EQ(faultOf(table, "a.small", params({xmlrpc_c::value_string(std::string(100, 'x'))})),
              0);
    EXPECT_EQ(faultOf(table, "a.small", params({xmlrpc_c::value_string(std::string(101, 'x'))})),
              413);
    // Strings inside arrays and structs count too (struct keys included).
    std::vector<xmlrpc_c::value> items(3, xmlrpc_c::value_string(std::string(40, 'y')));
    EXPECT_EQ(faultOf(table, "a.small", params({xmlrpc_c::value_array(items)})), 413);
    std::map<std::string, xmlrpc_c::value> s{
        {std::string(60, 'k'), xmlrpc_c::value_string(std::string(50, 'v'))}};
    EXPECT_EQ(faultOf(table, "a.small", params({xmlrpc_c::value_struct(s)})), 413);
    const std::vector<unsigned char> bytes(101, 0);
    EXPECT_EQ(faultOf(table, "a.small", params({xmlrpc_c::value_bytestring(bytes)})), 413);
}

TEST(MethodTable, PayloadBytesCountsStringsAndBytesRecursively) {
    EXPECT_EQ(host::payloadBytes(xmlrpc_c::value_string("abc")), 3u);
    EXPECT_EQ(host::payloadBytes(xmlrpc_c::value_bytestring(std::vector<unsigned char>(7))), 7u);
    std::vector<xmlrpc_c::value> items{xmlrpc_c::value_string("ab"), xmlrpc_c::value_string("cd")};
    EXPECT_EQ(host::payloadBytes(xmlrpc_c::value_array(items)), 4u);
    std::map<std::string, xmlrpc_c::value> s{{"key", xmlrpc_c::value_string("value")}};
    EXPECT_EQ(host::payloadBytes(xmlrpc_c::value_struct(s)), 8u);
}

TEST(MethodTable, HandlerExceptionsBecomeMinus32603) {
    MethodTable table;
    table.add("a", method("a.throws", [](const xmlrpc_c::paramList&) -> xmlrpc_c::value {
                  throw std::runtime_error("kaput");
              }));
    table.add("a", method("a.throwsInt",
                          [](const xmlrpc_c::paramList&) -> xmlrpc_c::value { throw 42; }));
    try {
        table.dispatch("a.throws", xmlrpc_c::paramList());
        FAIL() << "no fault";
    } catch (const xmlrpc_c::fault& f) {
        EXPECT_EQ(f.getCode(), -32603);
        EXPECT_NE(f.getDescription().find("kaput"), std::string::npos) << f.getDescription();
    }
    EXPECT_EQ(faultOf(table, "a.throwsInt", xmlrpc_c::paramList()), -32603);
}

TEST(MethodTable, OnlyAThrowingHandlerIsReportedAsItsOwnersFailure) {
    MethodTable table;
    std::vector<std::pair<std::string, std::string>> failures;
    table.setFailureHandler([&](const std::string& owner, const std::string& what) {
        failures.emplace_back(owner, what);
    });
    table.add("a", method("a.throws", [](const xmlrpc_c::paramList&) -> xmlrpc_c::value {
                  throw std::runtime_error("kaput");
              }));
    table.add("b", method("b.fault", [](const xmlrpc_c::paramList&) -> xmlrpc_c::value {
                  throw xmlrpc_c::fault("busy", static_cast<xmlrpc_c::fault::code_t>(503));
              }));
    table.add("b", echoMethod("b.echo", 10));
    EXPECT_EQ(faultOf(table, "b.fault", xmlrpc_c::paramList()), 503);
    EXPECT_EQ(faultOf(table, "b.echo", params({xmlrpc_c::value_int(1)})), -32602);
    EXPECT_EQ(faultOf(table, "b.echo", params({xmlrpc_c::value_string(std::string(11, 'x'))})),
              413);
    EXPECT_EQ(faultOf(table, "no.such", xmlrpc_c::paramList()), -32601);
    EXPECT_TRUE(failures.empty())
        << "a fault or bad input is the caller's problem, not the owner's";
    EXPECT_EQ(faultOf(table, "a.throws", xmlrpc_c::paramList()), -32603);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].first, "a");
    EXPECT_NE(failures[0].second.find("kaput"), std::string::npos) << failures[0].second;
}

TEST(MethodTable, AHandlersOwnFaultPassesThrough) {
    MethodTable table;
    table.add("a", method("a.busy", [](const xmlrpc_c::paramList&) -> xmlrpc_c::value {
                  throw xmlrpc_c::fault("busy", static_cast<xmlrpc_c::fault::code_t>(503));
              }));
    EXPECT_EQ(faultOf(table, "a.busy", xmlrpc_c::paramList()), 503);
}

TEST(MethodTable, XmlrpcTypeAndCountErrorsBecomeMinus32602) {
    MethodTable table;
    table.add("a", echoMethod("a.echo"));
    table.add("a", method("a.exact", [](const xmlrpc_c::paramList& p) {
                  p.verifyEnd(1);
                  return xmlrpc_c::value_int(p.getInt(0));
              }));
    table.add("a", method("a.cast", [](const xmlrpc_c::paramList& p) {
                  // Wrong-type conversion of a value: girerr::error, not a fault.
                  return xmlrpc_c::value_string(xmlrpc_c::value_string(p[0]));
              }));
    EXPECT_EQ(faultOf(table, "a.echo", params({xmlrpc_c::value_int(1)})), -32602); // type
    EXPECT_EQ(faultOf(table, "a.echo", xmlrpc_c::paramList()), -32602);            // missing
    EXPECT_EQ(faultOf(table, "a.exact", params({xmlrpc_c::value_int(1), xmlrpc_c::value_int(2)})),
              -32602); // too many
    EXPECT_EQ(faultOf(table, "a.cast", params({xmlrpc_c::value_int(1)})), -32602);
    EXPECT_EQ(faultOf(table, "a.exact", params({xmlrpc_c::value_int(1)})), 0);
}

TEST(MethodTable, ListMethodsReflectsTheTable) {
    MethodTable table;
    EXPECT_EQ(listed(table), std::vector<std::string>{"system.listMethods"});
    table.add("a", echoMethod("a.one"));
    table.add("b", echoMethod("b.one"));
    auto names = listed(table);
    EXPECT_TRUE(contains(names, "a.one"));
    EXPECT_TRUE(contains(names, "b.one"));
    EXPECT_EQ(names, table.names());
    table.removeOwner("a");
    names = listed(table);
    EXPECT_FALSE(contains(names, "a.one"));
    EXPECT_TRUE(contains(names, "b.one"));
}

TEST(MethodTable, RemoveOwnerWaitsForAnInFlightHandler) {
    MethodTable table;
    std::mutex m;
    std::condition_variable cv;
    bool entered = false, release = false, finished = false;
    table.add("slow", method("slow.call", [&](const xmlrpc_c::paramList&) {
                  std::unique_lock lock(m);
                  entered = true;
                  cv.notify_all();
                  cv.wait(lock, [&] { return release; });
                  finished = true;
                  return xmlrpc_c::value_int(1);
              }));
    auto call = std::async(std::launch::async,
                           [&] { return faultOf(table, "slow.call", xmlrpc_c::paramList()); });
    {
        std::unique_lock lock(m);
        ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return entered; })) << "handler never ran";
    }
    std::atomic<bool> removed{false};
    bool finishedWhenRemoved = false;
    auto remover = std::async(std::launch::async, [&] {
        table.removeOwner("slow");
        std::lock_guard lock(m);
        finishedWhenRemoved = finished;
        removed = true;
    });
    // The method vanishes at once, while removeOwner still waits for the handler.
    ASSERT_TRUE(waitUntil([&] { return !table.contains("slow.call"); }));
    EXPECT_EQ(faultOf(table, "slow.call", xmlrpc_c::paramList()), sdk::kFaultUnknownMethod);
    EXPECT_EQ(remover.wait_for(200ms), std::future_status::timeout)
        << "removeOwner returned while a handler was still running";
    EXPECT_FALSE(removed);
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    ASSERT_EQ(remover.wait_for(5s), std::future_status::ready);
    EXPECT_TRUE(finishedWhenRemoved);
    EXPECT_EQ(call.get(), 0);
}

// PluginScope: what a plugin may register, and that disabling removes exactly that.
TEST(PluginScope, EnforcesTheNamespaceAndTheRegistrationWindow) {
    host::HostChannel channel;
    auto scope = channel.createScope("echo");
    EXPECT_THROW(scope->registerMethod(echoMethod("other.say")), std::invalid_argument);
    EXPECT_THROW(scope->registerMethod(echoMethod("echo.")), std::invalid_argument);
    EXPECT_THROW(scope->registerMethod(echoMethod("echoX.say")), std::invalid_argument);
    scope->registerMethod(echoMethod("echo.say"));
    EXPECT_THROW(scope->registerMethod(echoMethod("echo.say")), std::invalid_argument);
    EXPECT_THROW(scope->registerWorker({"empty", {}}), std::invalid_argument);
    EXPECT_FALSE(channel.methods().contains("echo.say")) << "published before publishMethods()";
    scope->closeRegistration();
    EXPECT_THROW(scope->registerMethod(echoMethod("echo.late")), std::logic_error);
    EXPECT_THROW(scope->registerWorker({"late", [](std::stop_token) {}}), std::logic_error);
    scope->publishMethods();
    EXPECT_TRUE(channel.methods().contains("echo.say"));
    scope->removeMethods();
    EXPECT_FALSE(channel.methods().contains("echo.say"));
}

TEST(PluginScope, PublishingAClashingNameRollsBackEverything) {
    host::HostChannel channel;
    channel.methods().add("host", echoMethod("echo.taken"));
    auto scope = channel.createScope("echo");
    scope->registerMethod(echoMethod("echo.a"));
    scope->registerMethod(echoMethod("echo.taken"));
    scope->closeRegistration();
    EXPECT_THROW(scope->publishMethods(), std::invalid_argument);
    EXPECT_FALSE(channel.methods().contains("echo.a"));
    EXPECT_TRUE(channel.methods().contains("echo.taken")); // the host's stays
}

TEST(PluginScope, StopWorkersStopsAndJoinsThem) {
    host::HostChannel channel;
    auto scope = channel.createScope("w");
    std::atomic<int> running{0}, exited{0};
    for (int i = 0; i < 3; ++i)
        scope->registerWorker({"w" + std::to_string(i), [&](std::stop_token stop) {
                                   ++running;
                                   while (!stop.stop_requested())
                                       std::this_thread::sleep_for(1ms);
                                   ++exited;
                               }});
    scope->closeRegistration();
    scope->startWorkers();
    EXPECT_EQ(scope->workerCount(), 3u);
    ASSERT_TRUE(waitUntil([&] { return running == 3; }));
    scope->stopWorkers();
    EXPECT_EQ(exited, 3);
    EXPECT_EQ(scope->workerCount(), 0u);
}

TEST(PluginScope, AThrowingWorkerReportsThroughTheFailureHandler) {
    host::HostChannel channel;
    auto scope = channel.createScope("w");
    scope->registerWorker({"bomb", [](std::stop_token) { throw std::runtime_error("bang"); }});
    scope->closeRegistration();
    std::mutex m;
    std::string failure;
    scope->setFailureHandler([&](const std::string& what) {
        std::lock_guard lock(m);
        failure = what;
    });
    scope->startWorkers();
    ASSERT_TRUE(waitUntil([&] {
        std::lock_guard lock(m);
        return !failure.empty();
    }));
    std::lock_guard lock(m);
    EXPECT_NE(failure.find("bomb"), std::string::npos) << failure;
    EXPECT_NE(failure.find("bang"), std::string::npos) << failure;
}

} // namespace
} // namespace charla::test
