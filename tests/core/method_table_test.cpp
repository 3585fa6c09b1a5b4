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
struct Fault {
    int code = 0; // 0: the call returned
    std::string description;
};
Fault faultFrom(const MethodTable& table, const std::string& name, const xmlrpc_c::paramList& p) {
    try {
        table.dispatch(name, p);
    } catch (const xmlrpc_c::fault& f) {
        return {f.getCode(), f.getDescription()};
    }
    return {};
}
int faultOf(const MethodTable& table, const std::string& name, const xmlrpc_c::paramList& p) {
    return faultFrom(table, name, p).code;
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
    const Fault f = faultFrom(table, "no.such", xmlrpc_c::paramList());
    EXPECT_EQ(f.code, -32601);
    EXPECT_NE(f.description.find("no.such"), std::string::npos) << f.description;
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
    const Fault f = faultFrom(table, "a.throws", xmlrpc_c::paramList());
    EXPECT_EQ(f.code, -32603);
    EXPECT_NE(f.description.find("kaput"), std::string::npos) << f.description;
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
                  throw sdk::fault(sdk::kFaultUnavailable, "busy");
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
                  throw sdk::fault(sdk::kFaultUnavailable, "busy");
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
    EXPECT_EQ(listed(table), (std::vector<std::string>{"system.listMethods", "system.methodHelp",
                                                       "system.methodSignature"}));
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

// system.methodSignature's answer as nested vectors of type names, or {{"undef"}} for the
// string "undef".
std::vector<std::vector<std::string>> signatureOf(const MethodTable& table,
                                                  const std::string& name) {
    const xmlrpc_c::value v =
        table.dispatch("system.methodSignature", params({xmlrpc_c::value_string(name)}));
    if (v.type() == xmlrpc_c::value::TYPE_STRING)
        return {{std::string(xmlrpc_c::value_string(v))}};
    std::vector<std::vector<std::string>> out;
    for (const auto& signature : xmlrpc_c::value_array(v).vectorValueValue()) {
        out.emplace_back();
        for (const auto& type : xmlrpc_c::value_array(signature).vectorValueValue())
            out.back().push_back(xmlrpc_c::value_string(type));
    }
    return out;
}

std::string helpOf(const MethodTable& table, const std::string& name) {
    return xmlrpc_c::value_string(
        table.dispatch("system.methodHelp", params({xmlrpc_c::value_string(name)})));
}

sdk::MethodSpec described(const std::string& name, const std::string& signature,
                          const std::string& help) {
    sdk::MethodSpec spec = echoMethod(name);
    spec.signature = signature;
    spec.help = help;
    return spec;
}

using Signatures = std::vector<std::vector<std::string>>;

TEST(MethodTable, MethodSignatureAnswersTypeNamesFromTheSpec) {
    MethodTable table;
    table.add("a", described("a.one", "S:S", ""));
    table.add("a", described("a.two", "S:,S:S", ""));
    table.add("a", described("a.all", "i:bdsi86SAnI", ""));
    EXPECT_EQ(signatureOf(table, "a.one"), (Signatures{{"struct", "struct"}}));
    EXPECT_EQ(signatureOf(table, "a.two"), (Signatures{{"struct"}, {"struct", "struct"}}));
    EXPECT_EQ(signatureOf(table, "a.all"),
              (Signatures{{"int", "boolean", "double", "string", "int", "dateTime.iso8601",
                           "base64", "struct", "array", "nil", "i8"}}));
    EXPECT_EQ(signatureOf(table, "system.listMethods"), (Signatures{{"array"}}));
    EXPECT_EQ(signatureOf(table, "system.methodSignature"), (Signatures{{"array", "string"}}));
    EXPECT_EQ(signatureOf(table, "system.methodHelp"), (Signatures{{"string", "string"}}));
}

TEST(MethodTable, MethodSignatureIsUndefWhenTheSpecHasNoUsableOne) {
    MethodTable table;
    int n = 0;
    for (const char* bad : {"", "?", "S", ":S", "SS:S", "S:x", "S:S,", ",S:S", "S:S,,i:"}) {
        const std::string name = "a.sig" + std::to_string(n++);
        table.add("a", described(name, bad, "has help"));
        EXPECT_EQ(signatureOf(table, name), (Signatures{{"undef"}})) << "'" << bad << "'";
    }
}

TEST(MethodTable, MethodHelpAnswersTheSpecsHelpOrEmpty) {
    MethodTable table;
    table.add("a", described("a.helped", "s:s", "Says \"hi\" back.\nSecond line: é ✓"));
    table.add("a", described("a.bare", "s:s", ""));
    EXPECT_EQ(helpOf(table, "a.helped"), "Says \"hi\" back.\nSecond line: é ✓");
    EXPECT_EQ(helpOf(table, "a.bare"), "");
    EXPECT_FALSE(helpOf(table, "system.listMethods").empty());
    EXPECT_FALSE(helpOf(table, "system.methodHelp").empty());
    EXPECT_FALSE(helpOf(table, "system.methodSignature").empty());
}

TEST(MethodTable, IntrospectingAnUnknownOrRemovedMethodFaultsMinus32601) {
    MethodTable table;
    table.add("a", described("a.gone", "s:s", "soon gone"));
    table.removeOwner("a");
    for (const char* name : {"a.gone", "no.such", ""})
        for (const char* method : {"system.methodSignature", "system.methodHelp"}) {
            const Fault f = faultFrom(table, method, params({xmlrpc_c::value_string(name)}));
            EXPECT_EQ(f.code, sdk::kFaultUnknownMethod) << method << "('" << name << "')";
            EXPECT_NE(f.description.find(std::string("'") + name + "'"), std::string::npos)
                << f.description;
        }
}

TEST(MethodTable, IntrospectionWithBadParamsFaultsMinus32602) {
    MethodTable table;
    table.add("a", described("a.one", "s:s", "help"));
    for (const char* method : {"system.methodSignature", "system.methodHelp"}) {
        EXPECT_EQ(faultOf(table, method, xmlrpc_c::paramList()), sdk::kFaultBadParams) << method;
        EXPECT_EQ(faultOf(table, method, params({xmlrpc_c::value_int(1)})), sdk::kFaultBadParams)
            << method;
        EXPECT_EQ(faultOf(table, method,
                          params({xmlrpc_c::value_string("a.one"), xmlrpc_c::value_string("x")})),
                  sdk::kFaultBadParams)
            << method;
        std::vector<xmlrpc_c::value> array{xmlrpc_c::value_string("a.one")};
        EXPECT_EQ(faultOf(table, method, params({xmlrpc_c::value_array(array)})),
                  sdk::kFaultBadParams)
            << method;
        EXPECT_EQ(faultOf(table, method, params({xmlrpc_c::value_string("a.one")})), 0) << method;
    }
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
