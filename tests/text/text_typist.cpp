// A Charla with a robot at the keyboard, for the kill test (kill_test.py): the real Application
// (the real host, the real text plugin module, the real chat window) started from charla's own
// command line, and a user who types PREFIX-0000, PREFIX-0001, ... into the composer and presses
// Enter, the way tests/gui does it. It can be SIGKILLed at any moment: on start it reads its
// message store and goes on with the first message that is not in it (a message the user typed
// but never pressed Enter on was never sent). After the last message it keeps running, so that
// the outbox drains and the contact's messages are received, until it is killed or terminated.
//
// Usage: text_typist --count N --prefix P [--pace-ms MS] -- CHARLA_ARGUMENTS...
//        (CHARLA_ARGUMENTS must include --peer and --plugin-option text.store=PATH)
// Prints "typist: resuming at I", "typist: typed BODY" and "typist: all typed" on stdout.
#include "app/application.h"
#include "app/options.h"
#include "gui/chat_window.h"
#include "message_store.h"
#include "process_setup.h" // tests/support

#include <QApplication>
#include <QPlainTextEdit>
#include <QTest>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace {

[[noreturn]] void die(const QString& why) {
    std::fprintf(stderr, "typist: %s\n", qPrintable(why));
    std::fflush(stderr);
    std::_Exit(2);
}

void say(const QString& line) {
    std::printf("typist: %s\n", qPrintable(line));
    std::fflush(stdout);
}

QString body(const QString& prefix, int index) {
    return QStringLiteral("%1-%2").arg(prefix).arg(index, 4, 10, QLatin1Char('0'));
}

// How many of the messages are already in the store (they must be the first ones, in order).
int alreadySent(const QString& storePath, const QString& prefix) {
    charla::text::MessageStore store(storePath);
    int count = 0;
    for (const auto& row : store.messagesAfter(0)) {
        if (row.direction != charla::text::Direction::Outgoing)
            continue;
        if (row.message.body != body(prefix, count))
            die(QStringLiteral("the store has '%1' where '%2' was expected")
                    .arg(row.message.body, body(prefix, count)));
        ++count;
    }
    return count;
}

} // namespace

int main(int argc, char** argv) {
    if (!charla::test::setUpProcess())
        return 1;

    int count = 0;
    int paceMs = 20;
    QString prefix;
    QStringList charlaArguments{QStringLiteral("charla")};
    int i = 1;
    for (; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QLatin1String("--"))
            break;
        if (i + 1 >= argc)
            die(QStringLiteral("%1 needs a value").arg(arg));
        const QString value = QString::fromLocal8Bit(argv[++i]);
        if (arg == QLatin1String("--count"))
            count = value.toInt();
        else if (arg == QLatin1String("--prefix"))
            prefix = value;
        else if (arg == QLatin1String("--pace-ms"))
            paceMs = value.toInt();
        else
            die(QStringLiteral("unknown option %1").arg(arg));
    }
    for (++i; i < argc; ++i)
        charlaArguments << QString::fromLocal8Bit(argv[i]);
    if (count <= 0 || prefix.isEmpty())
        die(QStringLiteral("usage: text_typist --count N --prefix P [--pace-ms MS] -- ARGS"));

    const charla::app::ParseResult parsed = charla::app::parseCommandLine(charlaArguments);
    if (parsed.action != charla::app::ParseResult::Action::Run || !parsed.options.peer)
        die(QStringLiteral("bad charla arguments: %1").arg(parsed.text));
    const auto store = parsed.options.pluginOptions.find("text.store");
    if (store == parsed.options.pluginOptions.end())
        die(QStringLiteral("--plugin-option text.store=PATH is required"));
    const QString storePath = QString::fromStdString(store->second);

    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("charla"));
    QCoreApplication::setApplicationName(QStringLiteral("charla"));

    int next = alreadySent(storePath, prefix);
    say(QStringLiteral("resuming at %1").arg(next));

    charla::app::Application charla(parsed.options);
    QObject::connect(&charla, &charla::app::Application::fatalError, [](const QString& message) {
        die(QStringLiteral("cannot start: %1").arg(message));
    });
    QTimer typing;
    typing.setInterval(paceMs);
    QObject::connect(&typing, &QTimer::timeout, [&] {
        if (next >= count) {
            typing.stop();
            say(QStringLiteral("all typed"));
            return;
        }
        auto* composer =
            charla.chatWindow()
                ? charla.chatWindow()->findChild<QPlainTextEdit*>(QStringLiteral("composer"))
                : nullptr;
        if (!composer)
            die(QStringLiteral("the chat window has no composer (is the text plugin built?)"));
        const QString text = body(prefix, next);
        QTest::keyClicks(composer, text);
        QTest::keyClick(composer, Qt::Key_Return);
        if (!composer->toPlainText().isEmpty())
            die(QStringLiteral("'%1' was not sent: '%2' stays in the composer")
                    .arg(text, composer->toPlainText()));
        say(QStringLiteral("typed %1").arg(text));
        ++next;
    });
    QObject::connect(&charla, &charla::app::Application::connected, [&] { typing.start(); });
    charla.start();
    return app.exec();
}
