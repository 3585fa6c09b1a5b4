// The command line: charla::app::parseCommandLine (no window, nothing started).
#include "app/options.h"

#include <gtest/gtest.h>

namespace {

using charla::app::parseCommandLine;
using charla::app::ParseResult;
using Action = ParseResult::Action;

ParseResult parse(QStringList args) {
    args.prepend("charla");
    return parseCommandLine(args);
}

void expectFail(const QStringList& args, const char* textPart) {
    const ParseResult r = parse(args);
    EXPECT_EQ(r.action, Action::Fail) << args.join(' ').toStdString();
    EXPECT_TRUE(r.text.contains(textPart, Qt::CaseInsensitive))
        << args.join(' ').toStdString() << ": '" << r.text.toStdString() << "' lacks '" << textPart
        << "'";
}

TEST(CommandLine, NoArgumentsRunsWithDefaults) {
    const ParseResult r = parse({});
    ASSERT_EQ(r.action, Action::Run) << r.text.toStdString();
    EXPECT_FALSE(r.options.localMode);
    EXPECT_FALSE(r.options.port.has_value());
    EXPECT_FALSE(r.options.peer.has_value());
    EXPECT_TRUE(r.options.pluginDirs.isEmpty());
    EXPECT_TRUE(r.options.disabledPlugins.isEmpty());
    EXPECT_FALSE(r.options.listPlugins);
}

TEST(CommandLine, LocalModeWithBothPorts) {
    const ParseResult r =
        parse({"-l", "--port", "5001", "--peer", "localhost:5002", "--user", "  Ann  "});
    ASSERT_EQ(r.action, Action::Run) << r.text.toStdString();
    EXPECT_TRUE(r.options.localMode);
    EXPECT_EQ(r.options.port, 5001);
    ASSERT_TRUE(r.options.peer.has_value());
    EXPECT_EQ(r.options.peer->host, "localhost");
    EXPECT_EQ(r.options.peer->port, 5002);
    EXPECT_EQ(r.options.user, "Ann");
}

TEST(CommandLine, BadPortsFail) {
    expectFail({"--port", "abc"}, "invalid port");
    expectFail({"--port", "0"}, "invalid port");
    expectFail({"--port", "70000"}, "invalid port");
    expectFail({"--port", "65536"}, "invalid port");
    expectFail({"--port", "-5"}, "invalid port");
    expectFail({"--port", ""}, "invalid port");
    expectFail({"--port"}, "port");
    EXPECT_EQ(parse({"--port", "65535"}).options.port, 65535);
}

TEST(CommandLine, LocalModeNeedsBothPortsAndTheyMustDiffer) {
    expectFail({"-l", "--peer", "localhost:5002"}, "both ports");
    expectFail({"-l", "--port", "5001", "--peer", "localhost"}, "both ports");
    expectFail({"-l", "--port", "5001", "--peer", "localhost:5001"}, "must differ");
    // -l alone (ports chosen in the login window) is fine.
    EXPECT_EQ(parse({"-l"}).action, Action::Run);
}

TEST(CommandLine, BadPeerFails) {
    expectFail({"--peer", "bad host!"}, "invalid contact address");
    expectFail({"--peer", ":5000"}, "invalid contact address");
    expectFail({"--peer", "alice-pc:99999"}, "invalid port");
    expectFail({"--peer", "alice-pc:"}, "invalid port");
    const ParseResult r = parse({"--peer", "192.168.1.7"});
    ASSERT_EQ(r.action, Action::Run) << r.text.toStdString();
    EXPECT_EQ(r.options.peer->host, "192.168.1.7");
    EXPECT_FALSE(r.options.peer->port.has_value());
}

TEST(CommandLine, UnknownOptionsAndArgumentsFail) {
    expectFail({"--bogus"}, "bogus");
    expectFail({"-x"}, "x");
    expectFail({"stray"}, "unexpected argument 'stray'");
}

TEST(CommandLine, HelpAndVersionPrintAndExit) {
    for (const char* flag : {"--help", "-h"}) {
        const ParseResult r = parse({flag});
        EXPECT_EQ(r.action, Action::PrintAndExit) << flag;
        EXPECT_TRUE(r.text.contains("--plugins-dir")) << r.text.toStdString();
        EXPECT_TRUE(r.text.contains("--peer")) << r.text.toStdString();
        EXPECT_FALSE(r.text.contains("<executable_name>")) << r.text.toStdString();
    }
    for (const char* flag : {"--version", "-v"}) {
        const ParseResult r = parse({flag});
        EXPECT_EQ(r.action, Action::PrintAndExit) << flag;
        EXPECT_TRUE(r.text.contains(CHARLA_VERSION)) << r.text.toStdString();
    }
    // Help wins over an otherwise bad command line's later checks.
    EXPECT_EQ(parse({"--help", "--port", "0"}).action, Action::PrintAndExit);
}

TEST(CommandLine, RepeatableOptionsAreCollectedInOrder) {
    const ParseResult r = parse({"--plugins-dir", "/a", "--disable", "text", "--plugins-dir", "/b",
                                 "--disable", "video", "--list-plugins"});
    ASSERT_EQ(r.action, Action::Run) << r.text.toStdString();
    EXPECT_EQ(r.options.pluginDirs, (QStringList{"/a", "/b"}));
    EXPECT_EQ(r.options.disabledPlugins, (QStringList{"text", "video"}));
    EXPECT_TRUE(r.options.listPlugins);
}

TEST(CommandLine, PluginOptionsAndCallFlags) {
    const ParseResult r = parse({"--plugin-option", "video.camera=/dev/video1", "--plugin-option",
                                 "text.font=Mono=12", "--call", "--auto-answer"});
    ASSERT_EQ(r.action, Action::Run) << r.text.toStdString();
    EXPECT_EQ(r.options.pluginOptions.at("video.camera"), "/dev/video1");
    EXPECT_EQ(r.options.pluginOptions.at("text.font"), "Mono=12");
    EXPECT_TRUE(r.options.callOnStart);
    EXPECT_TRUE(r.options.autoAnswer);
    expectFail({"--plugin-option", "novalue"}, "ID.KEY=VALUE");
    expectFail({"--plugin-option", "Video.camera=x"}, "ID.KEY=VALUE");
    expectFail({"--plugin-option", "video=x"}, "ID.KEY=VALUE");
}

TEST(CommandLine, PrescanFindsPluginDirsInBothSpellings) {
    EXPECT_EQ(charla::app::prescanPluginDirs(
                  {"charla", "--plugins-dir", "/a", "--port", "5", "--plugins-dir=/b", "x"}),
              (QStringList{"/a", "/b"}));
    EXPECT_TRUE(charla::app::prescanPluginDirs({"charla", "--plugins-dir"}).isEmpty());
}

} // namespace
