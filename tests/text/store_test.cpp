// The text plugin's message store and sender, headless: real SQLite files in a temporary
// directory, the real TextChat, and a scripted PeerStream in place of the contact.
#include "files.h" // tests/support
#include "message_format.h"
#include "message_store.h"
#include "text_chat.h"

#include <charla/sdk/channel.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

using charla::test::readFile;
using charla::test::writeFile;
using namespace charla::text;
using namespace std::chrono_literals;
namespace sdk = charla::sdk;

namespace {

TextMessage message(const QString& body, QDateTime sentAt = QDateTime::currentDateTimeUtc()) {
    return {QUuid::createUuid(), sentAt, body};
}

std::vector<QString> bodies(const std::vector<StoredMessage>& rows) {
    std::vector<QString> out;
    for (const auto& row : rows)
        out.push_back(row.message.body);
    return out;
}

std::vector<QString> bodies(const Conversation& conversation) {
    std::vector<QString> out;
    for (const auto& m : conversation.messages())
        out.push_back(m.body);
    return out;
}

// Runs the event loop until `done` or the timeout; true if done.
bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeout.count())
            return done();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QThread::msleep(2);
    }
    return true;
}

xmlrpc_c::paramList sendParams(const TextMessage& m) {
    xmlrpc_c::paramList params;
    params.add(toXmlRpc(m));
    return params;
}

std::string receiptStatus(const xmlrpc_c::value& receipt) {
    const std::map<std::string, xmlrpc_c::value> members = xmlrpc_c::value_struct(receipt);
    return xmlrpc_c::value_string(members.at("status"));
}

// The contact, scripted: `answer` decides each call (throw for a failed attempt). Records what
// arrived and when.
class ScriptedStream : public sdk::PeerStream {
public:
    struct Call {
        QUuid id;
        QString body;
        std::chrono::steady_clock::time_point at;
    };
    std::function<xmlrpc_c::value(const TextMessage&, int attempt)> answer;

    xmlrpc_c::value call(const std::string& method, const xmlrpc_c::paramList& params,
                         std::chrono::milliseconds) override {
        EXPECT_EQ(method, kSendMethod);
        const TextMessage m = parseSendParams(params);
        int attempt;
        {
            std::lock_guard lock(mutex_);
            calls_.push_back({m.id, m.body, std::chrono::steady_clock::now()});
            attempt = ++attempts_[m.id];
        }
        if (answer)
            return answer(m, attempt);
        return makeReceipt(m.id, ReceiptStatus::Delivered);
    }
    std::string name() const override { return "scripted"; }

    std::vector<Call> calls() const {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    // Bodies of the calls answered with a receipt, in order (what the contact shows).
    std::vector<QString> delivered() const {
        std::lock_guard lock(mutex_);
        return delivered_;
    }
    void noteDelivered(const QString& body) {
        std::lock_guard lock(mutex_);
        delivered_.push_back(body);
    }

private:
    mutable std::mutex mutex_;
    std::vector<Call> calls_;
    std::vector<QString> delivered_;
    std::map<QUuid, int> attempts_;
};

[[noreturn]] void unreachable() {
    throw sdk::PeerCallError(sdk::PeerCallError::Kind::Unreachable, "connection refused");
}

// A peer that is unreachable until `reachable` turns true, then takes every message.
std::shared_ptr<ScriptedStream> reachableOnceSet(const std::atomic<bool>& reachable) {
    auto stream = std::make_shared<ScriptedStream>();
    stream->answer = [&reachable](const TextMessage& m, int) -> xmlrpc_c::value {
        if (!reachable)
            unreachable();
        return makeReceipt(m.id, ReceiptStatus::Delivered);
    };
    return stream;
}

class TextStoreTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(dir_.isValid()); }
    QString path(const QString& name = QStringLiteral("text.sqlite")) const {
        return dir_.filePath(name);
    }

    QTemporaryDir dir_;
};

// A TextChat whose sender runs on its own thread against a ScriptedStream.
class Sender {
public:
    Sender(TextChat& chat, std::shared_ptr<ScriptedStream> stream,
           std::function<sdk::PeerInfo()> peer = {})
        : thread_([&chat, stream, peer](std::stop_token stop) {
              chat.runSender(stop, stream, peer);
          }) {}
    ~Sender() { stop(); }
    void stop() {
        if (thread_.joinable()) {
            thread_.request_stop();
            thread_.join();
        }
    }

private:
    std::jthread thread_;
};

SenderTiming fastTiming() {
    SenderTiming t;
    t.firstRetry = 100ms;
    t.maxRetry = 800ms;
    t.patience = 300ms;
    return t;
}

} // namespace

// --- the store ---------------------------------------------------------------------------------

TEST_F(TextStoreTest, OutboxIsFifoAndMarkDeliveredAdvancesIt) {
    MessageStore store(path());
    EXPECT_FALSE(store.outboxHead());
    const TextMessage a = message("a"), b = message("b"), c = message("c");
    store.addOutgoing(a, "Alice");
    store.addOutgoing(b, "Alice");
    store.addOutgoing(c, "Alice");
    EXPECT_EQ(bodies(store.outbox()), (std::vector<QString>{"a", "b", "c"}));
    ASSERT_TRUE(store.outboxHead());
    EXPECT_EQ(store.outboxHead()->message.id, a.id);

    EXPECT_TRUE(store.markDelivered(b.id)); // out of order is allowed, the head stays
    EXPECT_EQ(store.outboxHead()->message.id, a.id);
    EXPECT_TRUE(store.markDelivered(a.id));
    EXPECT_EQ(store.outboxHead()->message.id, c.id);
    EXPECT_FALSE(store.markDelivered(QUuid::createUuid()));
    EXPECT_TRUE(store.markDelivered(c.id));
    EXPECT_FALSE(store.outboxHead());
    EXPECT_TRUE(store.outbox().empty());
    // Delivered messages stay in the history.
    EXPECT_EQ(bodies(store.messagesAfter(0)), (std::vector<QString>{"a", "b", "c"}));
}

TEST_F(TextStoreTest, OutboxAndDeliveredSurviveReopen) {
    const TextMessage a = message("a"), b = message("b");
    {
        MessageStore store(path());
        store.addOutgoing(a, "Alice");
        store.addOutgoing(b, "Alice");
        store.markDelivered(a.id);
    }
    MessageStore store(path());
    const auto outbox = store.outbox();
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0].message.id, b.id);
    EXPECT_EQ(outbox[0].message.body, "b");
    EXPECT_EQ(outbox[0].message.sentAt, b.sentAt.toUTC());
    EXPECT_EQ(outbox[0].sender, "Alice");
    const auto history = store.messagesAfter(0);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].status, OutgoingStatus::Delivered);
    EXPECT_EQ(history[1].status, OutgoingStatus::Queued);
}

TEST_F(TextStoreTest, IncomingIsDedupedAcrossReopen) {
    const TextMessage m = message(QStringLiteral("¡Hola! 你好\nsecond line"));
    {
        MessageStore store(path());
        EXPECT_EQ(store.addIncoming(m, "Bob"), MessageStore::Insert::Added);
        EXPECT_EQ(store.addIncoming(m, "Bob"), MessageStore::Insert::Duplicate);
    }
    MessageStore store(path());
    EXPECT_EQ(store.addIncoming(m, "Bob"), MessageStore::Insert::Duplicate);
    // Same id, changed body: still the same message (the id is the identity).
    TextMessage changed = m;
    changed.body = "edited";
    EXPECT_EQ(store.addIncoming(changed, "Bob"), MessageStore::Insert::Duplicate);
    const auto history = store.messagesAfter(0);
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].direction, Direction::Incoming);
    EXPECT_EQ(history[0].message.body, m.body);
    EXPECT_EQ(history[0].sender, "Bob");
}

TEST_F(TextStoreTest, SameIdInBothDirectionsIsTwoMessages) {
    // A loopback test talks to itself: its outgoing message comes back as an incoming one.
    MessageStore store(path());
    const TextMessage m = message("echo");
    store.addOutgoing(m, "Alice");
    EXPECT_EQ(store.addIncoming(m, "Alice"), MessageStore::Insert::Added);
    EXPECT_EQ(store.messagesAfter(0).size(), 2u);
    EXPECT_EQ(store.outbox().size(), 1u);
}

TEST_F(TextStoreTest, HistoryIsInLocalOrderNotTheSendersClock) {
    MessageStore store(path());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // The contact's clock is an hour ahead, then one message from a machine a day behind.
    store.addIncoming(message("1 from Bob, clock ahead", now.addSecs(3600)), "Bob");
    store.addOutgoing(message("2 from Alice", now), "Alice");
    store.addIncoming(message("3 from Bob, clock behind", now.addDays(-1)), "Bob");
    store.addOutgoing(message("4 from Alice", now.addSecs(1)), "Alice");
    const auto history = store.messagesAfter(0);
    EXPECT_EQ(bodies(history), (std::vector<QString>{"1 from Bob, clock ahead", "2 from Alice",
                                                     "3 from Bob, clock behind", "4 from Alice"}));
    for (std::size_t i = 1; i < history.size(); ++i)
        EXPECT_GT(history[i].seq, history[i - 1].seq);
    EXPECT_EQ(bodies(store.messagesAfter(history[1].seq)),
              (std::vector<QString>{"3 from Bob, clock behind", "4 from Alice"}));
}

TEST_F(TextStoreTest, ConcurrentDuplicatesFromManyThreadsAreStoredOnce) {
    MessageStore store(path());
    std::vector<TextMessage> messages;
    for (int i = 0; i < 40; ++i)
        messages.push_back(message(QStringLiteral("m%1").arg(i)));
    std::atomic<int> added{0}, duplicates{0}, errors{0};
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < 6; ++t)
            threads.emplace_back([&] {
                for (const auto& m : messages) {
                    try {
                        if (store.addIncoming(m, "Bob") == MessageStore::Insert::Added)
                            ++added;
                        else
                            ++duplicates;
                    } catch (const StoreError& e) {
                        ADD_FAILURE() << e.what();
                        ++errors;
                    }
                }
            });
    } // joined: each thread closed its connection on exit
    EXPECT_EQ(errors, 0);
    EXPECT_EQ(added, 40);
    EXPECT_EQ(duplicates, 5 * 40);
    EXPECT_EQ(store.messagesAfter(0).size(), 40u);
}

// What the text.send handler spends storing one message on a server thread (its own connection,
// WAL, synchronous=FULL: one fsync per message). Printed for docs; bounded generously.
TEST_F(TextStoreTest, IncomingInsertTimeOnAHandlerThread) {
    MessageStore store(path());
    std::vector<double> micros;
    std::jthread([&] {
        for (int i = 0; i < 200; ++i) {
            const TextMessage m = message(QStringLiteral("message %1 ").arg(i).repeated(10));
            QElapsedTimer timer;
            timer.start();
            store.addIncoming(m, "Bob");
            micros.push_back(double(timer.nsecsElapsed()) / 1000.0);
        }
    }).join();
    const double first = micros.front(); // includes opening the thread's connection
    std::sort(micros.begin(), micros.end());
    const double mean = std::accumulate(micros.begin(), micros.end(), 0.0) / micros.size();
    const double p50 = micros[micros.size() / 2];
    const double p99 = micros[micros.size() * 99 / 100];
    std::printf("incoming insert on a handler thread: first (with open) %.0f us, mean %.0f us, "
                "p50 %.0f us, p99 %.0f us, max %.0f us (n=%zu)\n",
                first, mean, p50, p99, micros.back(), micros.size());
    EXPECT_LT(p50, 100000.0);
}

TEST_F(TextStoreTest, DefaultFileNameIsOneSafeFileName) {
    EXPECT_EQ(defaultStoreFileName("Alice"), "text-Alice.sqlite");
    EXPECT_EQ(defaultStoreFileName(""), "text-default.sqlite");
    const QString odd = defaultStoreFileName("../a/b c:ñ");
    EXPECT_FALSE(odd.contains(u'/')) << odd.toStdString();
    EXPECT_FALSE(odd.contains(u' ')) << odd.toStdString();
    EXPECT_NE(defaultStoreFileName("Alice"), defaultStoreFileName("Bob"));
}

TEST_F(TextStoreTest, UnusableFileIsAnError) {
    EXPECT_THROW(MessageStore(QStringLiteral("/proc/no/such/dir/text.sqlite")), StoreError);
    {
        MessageStore store(path());
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "bump");
        db.setDatabaseName(path());
        ASSERT_TRUE(db.open());
        QSqlQuery(db).exec("PRAGMA user_version = 99");
        db.close();
    }
    QSqlDatabase::removeDatabase("bump");
    EXPECT_THROW(MessageStore{path()}, StoreError); // written by a newer Charla
}

TEST_F(TextStoreTest, AFileThatIsNotAStoreIsRefusedWithAdviceAndLeftAlone) {
    const QByteArray garbage(4096, '\x5a');
    ASSERT_TRUE(writeFile(path(), garbage));
    try {
        MessageStore store(path());
        FAIL() << "a garbage file was taken as a store";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("is not a message store"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("move it away"), std::string::npos) << e.what();
    }
    EXPECT_EQ(readFile(path()), garbage) << "the file must not be touched";
}

// --- What the conversation view holds -----------------------------------------------------------

std::vector<ChatMessage> history(std::size_t count) {
    std::vector<ChatMessage> messages(count);
    for (std::size_t i = 0; i < count; ++i)
        messages[i].seq = qint64(i) + 1;
    return messages;
}

// A long history is not rendered whole (a re-render of 20,000 messages took 48 s): the newest
// kShownMessages, back to the first unread or a search result if it is near, else a part that
// starts at it.
TEST(ShownRange, TheNewestPartReachingBackToWhatMustShow) {
    const auto few = history(50);
    EXPECT_EQ(shownRange(few, 0).from, 0u);
    EXPECT_EQ(shownRange(few, 0).to, 50u);

    const auto many = history(20'000);
    ShownRange r = shownRange(many, 0);
    EXPECT_EQ(r.to, 20'000u);
    EXPECT_EQ(r.to - r.from, kShownMessages);
    r = shownRange(many, 19'000); // the first unread, within reach: from there to the newest
    EXPECT_EQ(many[r.from].seq, 19'000);
    EXPECT_EQ(r.to, 20'000u);
    r = shownRange(many, 19'900); // already among the newest: nothing changes
    EXPECT_EQ(r.to - r.from, kShownMessages);
    r = shownRange(many, 120); // a search result far back: it and what follows it
    EXPECT_EQ(many[r.from].seq, 120);
    EXPECT_EQ(r.to - r.from, kShownMessages);
    r = shownRange(many, 99'999); // not in the conversation: the newest part
    EXPECT_EQ(r.to, 20'000u);
    EXPECT_EQ(r.to - r.from, kShownMessages);
}

TEST(ShownRange, TheViewSaysWhatItLeavesOut) {
    ConversationLayout layout;
    layout.olderHidden = 19'600;
    layout.newerHidden = 3;
    const auto messages = history(2);
    const QString html = conversationHtml(messages, {}, layout);
    // "%n older message(s)": the plural's English form ("messages") comes from the plugin's
    // translation (charla_text_en.qm), which this test of the logic alone does not install;
    // gui.aLongHistoryIsShownInPartAndSearchReachesAllOfIt reads the words in the window.
    EXPECT_TRUE(html.contains("19600 older message")) << html.toStdString();
    EXPECT_TRUE(html.contains("3 newer message")) << html.toStdString();
    EXPECT_FALSE(conversationHtml(messages).contains("not shown"));
}

// --- TextChat: receiving -----------------------------------------------------------------------

TEST_F(TextStoreTest, HandlerStoresBeforeAcknowledgingAndDedupesAcrossRestart) {
    const TextMessage m = message("persisted before the receipt");
    {
        TextChat chat("Bob", path());
        const xmlrpc_c::value receipt = chat.handleSendCall(sendParams(m));
        EXPECT_EQ(receiptStatus(receipt), "delivered");
        // On disk already, before any event ran: another connection sees it.
        MessageStore other(path());
        ASSERT_EQ(other.messagesAfter(0).size(), 1u);
        EXPECT_EQ(receiptStatus(chat.handleSendCall(sendParams(m))), "duplicate");
        ASSERT_TRUE(waitFor([&] { return chat.conversation().size() == 1; }));
        QCoreApplication::processEvents();
        EXPECT_EQ(chat.conversation().size(), 1); // shown once
    }
    TextChat restarted("Bob", path());
    ASSERT_EQ(restarted.conversation().size(), 1); // history
    EXPECT_EQ(restarted.conversation().at(0).state, MessageState::Received);
    EXPECT_EQ(receiptStatus(restarted.handleSendCall(sendParams(m))), "duplicate");
    QCoreApplication::processEvents();
    EXPECT_EQ(restarted.conversation().size(), 1);
}

TEST_F(TextStoreTest, HandlerOnServerThreadsShowsInArrivalOrder) {
    TextChat chat("Bob", path());
    std::vector<TextMessage> sent;
    for (int i = 0; i < 30; ++i)
        sent.push_back(message(QStringLiteral("m%1").arg(i)));
    std::jthread([&] {
        for (const auto& m : sent)
            EXPECT_EQ(receiptStatus(chat.handleSendCall(sendParams(m))), "delivered");
    }).join();
    ASSERT_TRUE(waitFor([&] { return chat.conversation().size() == 30; }));
    for (int i = 0; i < 30; ++i)
        EXPECT_EQ(chat.conversation().at(i).body, sent[std::size_t(i)].body);
}

// --- TextChat: sending -------------------------------------------------------------------------

TEST_F(TextStoreTest, SendStoresBeforeShowingAndHistoryReloads) {
    {
        TextChat chat("Alice", path());
        const auto id = chat.send("hello");
        ASSERT_TRUE(id);
        MessageStore other(path());
        ASSERT_EQ(other.outbox().size(), 1u);
        EXPECT_EQ(other.outbox()[0].message.id, *id);
        ASSERT_EQ(chat.conversation().size(), 1);
        EXPECT_EQ(chat.conversation().at(0).state, MessageState::Sending);
        EXPECT_FALSE(chat.send("   "));
        EXPECT_FALSE(chat.sendError().isEmpty());
        chat.handleSendCall(sendParams(message("hi Alice")));
        ASSERT_TRUE(chat.send("how are you?"));
        ASSERT_TRUE(waitFor([&] { return chat.conversation().size() == 3; }));
    }
    TextChat chat("Alice", path());
    EXPECT_EQ(bodies(chat.conversation()),
              (std::vector<QString>{"hello", "hi Alice", "how are you?"}));
    EXPECT_EQ(chat.conversation().at(0).state, MessageState::Sending);
    EXPECT_TRUE(chat.conversation().at(0).outgoing);
    EXPECT_EQ(chat.conversation().at(1).state, MessageState::Received);
}

TEST_F(TextStoreTest, SenderDeliversInOrderAndMarksDelivered) {
    TextChat chat("Alice", path());
    auto stream = std::make_shared<ScriptedStream>();
    Sender sender(chat, stream);
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(chat.send(QStringLiteral("m%1").arg(i)));
    ASSERT_TRUE(waitFor([&] {
        return std::all_of(chat.conversation().messages().begin(),
                           chat.conversation().messages().end(),
                           [](const ChatMessage& m) { return m.state == MessageState::Delivered; });
    }));
    const auto calls = stream->calls();
    ASSERT_EQ(calls.size(), 10u);
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(calls[std::size_t(i)].body, QStringLiteral("m%1").arg(i));
    EXPECT_TRUE(chat.store().outbox().empty());
}

TEST_F(TextStoreTest, DuplicateReceiptCountsAsDelivered) {
    TextChat chat("Alice", path());
    auto stream = std::make_shared<ScriptedStream>();
    stream->answer = [](const TextMessage& m, int) {
        return makeReceipt(m.id, ReceiptStatus::Duplicate);
    };
    Sender sender(chat, stream);
    ASSERT_TRUE(chat.send("already there"));
    ASSERT_TRUE(
        waitFor([&] { return chat.conversation().at(0).state == MessageState::Delivered; }));
    EXPECT_TRUE(chat.store().outbox().empty());
}

TEST_F(TextStoreTest, FailedHeadBlocksTheQueueUntilDeliveredSoOrderHolds) {
    TextChat chat("Alice", path(), fastTiming());
    auto stream = std::make_shared<ScriptedStream>();
    stream->answer = [&](const TextMessage& m, int attempt) -> xmlrpc_c::value {
        if (m.body == "first" && attempt <= 3)
            unreachable();
        stream->noteDelivered(m.body);
        return makeReceipt(m.id, ReceiptStatus::Delivered);
    };
    Sender sender(chat, stream);
    ASSERT_TRUE(chat.send("first"));
    ASSERT_TRUE(chat.send("second"));
    ASSERT_TRUE(chat.send("third"));
    ASSERT_TRUE(waitFor([&] { return chat.store().outbox().empty(); }));
    EXPECT_EQ(stream->delivered(), (std::vector<QString>{"first", "second", "third"}));
    // Nothing behind the head was even tried before the head was delivered.
    const auto calls = stream->calls();
    for (std::size_t i = 0; i < calls.size(); ++i) {
        if (calls[i].body != "first") {
            EXPECT_EQ(i, 4u) << "a later message was sent before the first was delivered";
            break;
        }
    }
}

// The backoff: 0.1 s doubling to 0.8 s here (0.5 s to 10 s in the plugin), measured.
TEST_F(TextStoreTest, RetriesWithDoublingBackoffUpToTheMaximum) {
    TextChat chat("Alice", path(), fastTiming());
    auto stream = std::make_shared<ScriptedStream>();
    stream->answer = [](const TextMessage& m, int attempt) -> xmlrpc_c::value {
        if (attempt <= 6)
            unreachable();
        return makeReceipt(m.id, ReceiptStatus::Delivered);
    };
    Sender sender(chat, stream);
    ASSERT_TRUE(chat.send("persistent"));
    ASSERT_TRUE(waitFor([&] { return chat.store().outbox().empty(); }, 10s));
    const auto calls = stream->calls();
    ASSERT_EQ(calls.size(), 7u);
    const std::vector<int> expected{100, 200, 400, 800, 800, 800};
    std::printf("gaps between attempts (ms):");
    for (std::size_t i = 1; i < calls.size(); ++i) {
        const auto gap =
            std::chrono::duration_cast<std::chrono::milliseconds>(calls[i].at - calls[i - 1].at);
        std::printf(" %lld", static_cast<long long>(gap.count()));
        EXPECT_GE(gap.count(), expected[i - 1] - 5);
        EXPECT_LT(gap.count(), expected[i - 1] + 250);
    }
    std::printf("\n");
}

TEST_F(TextStoreTest, PeerComingOnlineCutsTheBackoffShort) {
    SenderTiming timing;
    timing.firstRetry = 5s; // long: only the wake-up can make the second attempt early
    TextChat chat("Alice", path(), timing);
    std::atomic<bool> online{false};
    const auto stream = reachableOnceSet(online);
    Sender sender(chat, stream);
    ASSERT_TRUE(chat.send("are you back?"));
    ASSERT_TRUE(waitFor([&] { return stream->calls().size() == 1; }));
    QThread::msleep(100); // the sender is in its 5 s backoff now
    online = true;
    sdk::PeerInfo peer;
    peer.online = true;
    peer.user = "Bob";
    const auto cameOnline = std::chrono::steady_clock::now();
    chat.setPeer(peer);
    ASSERT_TRUE(waitFor([&] { return chat.store().outbox().empty(); }, 2s));
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
        stream->calls().back().at - cameOnline);
    std::printf("attempt after the peer came online: %lld ms\n",
                static_cast<long long>(latency.count()));
    EXPECT_LT(latency.count(), 500);
    EXPECT_EQ(stream->calls().size(), 2u);
}

TEST_F(TextStoreTest, NotDeliveredYetAfterPatienceThenRetryNowDelivers) {
    SenderTiming timing = fastTiming();
    timing.firstRetry = 3s; // waits long after the first failure; Retry now cuts it short
    timing.maxRetry = 3s;
    TextChat chat("Alice", path(), timing);
    std::atomic<bool> reachable{false};
    const auto stream = reachableOnceSet(reachable);
    Sender sender(chat, stream);
    const auto id = chat.send("patience");
    ASSERT_TRUE(id);
    ASSERT_TRUE(
        waitFor([&] { return chat.conversation().at(0).state == MessageState::Retrying; }, 2s));
    const ChatMessage& shown = chat.conversation().at(0);
    EXPECT_EQ(shown.error, "connection refused");
    const QString label = deliveryLabel(shown);
    EXPECT_TRUE(label.contains("not delivered yet — will retry")) << label.toStdString();
    EXPECT_TRUE(messageHtml(shown).contains(retryUrl(*id)));
    EXPECT_EQ(stream->calls().size(), 1u); // still in the 3 s backoff

    reachable = true;
    EXPECT_TRUE(chat.retry(*id));
    EXPECT_EQ(chat.conversation().at(0).state, MessageState::Sending);
    ASSERT_TRUE(
        waitFor([&] { return chat.conversation().at(0).state == MessageState::Delivered; }, 1s));
    EXPECT_EQ(stream->calls().size(), 2u);
    EXPECT_FALSE(chat.retry(*id)); // delivered: nothing to retry
}

TEST_F(TextStoreTest, OutboxIsResentAfterRestartInOrder) {
    {
        TextChat chat("Alice", path());
        for (int i = 0; i < 5; ++i)
            ASSERT_TRUE(chat.send(QStringLiteral("queued %1").arg(i)));
        // No sender ran: the process "died" with everything queued.
    }
    TextChat chat("Alice", path(), fastTiming());
    ASSERT_EQ(chat.conversation().size(), 5);
    auto stream = std::make_shared<ScriptedStream>();
    Sender sender(chat, stream);
    ASSERT_TRUE(waitFor([&] { return chat.store().outbox().empty(); }));
    const auto calls = stream->calls();
    ASSERT_EQ(calls.size(), 5u);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(calls[std::size_t(i)].body, QStringLiteral("queued %1").arg(i));
    ASSERT_TRUE(
        waitFor([&] { return chat.conversation().at(4).state == MessageState::Delivered; }));
}

TEST_F(TextStoreTest, ContactWithoutTextIsRetriedNotDropped) {
    TextChat chat("Alice", path(), fastTiming());
    auto stream = std::make_shared<ScriptedStream>();
    std::atomic<bool> hasText{false};
    std::function<sdk::PeerInfo()> peer = [&] {
        sdk::PeerInfo info;
        info.online = info.introduced = true;
        if (hasText)
            info.plugins.push_back({"text", "1.0.0", {"text"}, {"text"}, {}});
        return info;
    };
    Sender sender(chat, stream, peer);
    ASSERT_TRUE(chat.send("when you enable text"));
    QThread::msleep(300);
    EXPECT_TRUE(stream->calls().empty());
    hasText = true;
    ASSERT_TRUE(waitFor([&] { return chat.store().outbox().empty(); }, 3s));
    EXPECT_EQ(stream->calls().size(), 1u);
}

// A message the contact refuses as such (here: a bad-parameters fault) would hold up the queue
// forever: it is set aside as failed, the next ones go, and Retry puts it back.
TEST_F(TextStoreTest, RefusedMessageFailsForGoodAndTheQueueMovesOn) {
    TextChat chat("Alice", path(), fastTiming());
    auto stream = std::make_shared<ScriptedStream>();
    std::atomic<bool> refuse{true};
    stream->answer = [&](const TextMessage& m, int) -> xmlrpc_c::value {
        if (m.body == "refused" && refuse)
            throw sdk::PeerCallError(sdk::PeerCallError::Kind::Fault, "text.send: bad body",
                                     sdk::kFaultBadParams);
        stream->noteDelivered(m.body);
        return makeReceipt(m.id, ReceiptStatus::Delivered);
    };
    Sender sender(chat, stream);
    const auto refused = chat.send("refused");
    ASSERT_TRUE(refused);
    ASSERT_TRUE(chat.send("next"));
    ASSERT_TRUE(waitFor([&] {
        return chat.conversation().at(0).state == MessageState::Failed &&
               chat.conversation().at(1).state == MessageState::Delivered;
    }));
    EXPECT_EQ(stream->calls().size(), 2u); // tried once, not retried
    EXPECT_TRUE(deliveryLabel(chat.conversation().at(0)).startsWith("✗ failed: text.send: bad"));
    EXPECT_TRUE(chat.store().outbox().empty());
    {
        TextChat reopened("Alice", path()); // the verdict is part of the history
        EXPECT_EQ(reopened.conversation().at(0).state, MessageState::Failed);
        EXPECT_EQ(reopened.conversation().at(0).error, "text.send: bad body");
    }

    refuse = false; // say the contact was upgraded
    EXPECT_TRUE(chat.retry(*refused));
    EXPECT_EQ(chat.conversation().at(0).state, MessageState::Sending);
    ASSERT_TRUE(
        waitFor([&] { return chat.conversation().at(0).state == MessageState::Delivered; }));
    EXPECT_EQ(stream->delivered(), (std::vector<QString>{"next", "refused"}));
}

// xmlrpc-c refuses characters outside the BMP in strings: such a message travels exactly in
// body_utf8 (base64), with a readable body (U+FFFD for each) for peers that ignore it.
TEST_F(TextStoreTest, EmojiTravelsExactlyInBodyUtf8) {
    const QString text = QStringLiteral("see you 👋🎉 ¡olé!");
    const xmlrpc_c::value wire = toXmlRpc(makeOutgoingMessage(text));
    const std::map<std::string, xmlrpc_c::value> members = xmlrpc_c::value_struct(wire);
    ASSERT_EQ(members.count("body_utf8"), 1u);
    EXPECT_EQ(QString::fromStdString(xmlrpc_c::value_string(members.at("body"))),
              QStringLiteral("see you \uFFFD\uFFFD ¡olé!"));

    TextChat bob("Bob", path("bob.sqlite"));
    TextChat alice("Alice", path("alice.sqlite"), fastTiming());
    auto toBob = std::make_shared<ScriptedStream>();
    toBob->answer = [&](const TextMessage& m, int) { return bob.handleSendCall(sendParams(m)); };
    Sender sender(alice, toBob);
    ASSERT_TRUE(alice.send(text));
    ASSERT_TRUE(waitFor([&] { return alice.store().outbox().empty(); }));
    // Bob's window is refreshed through the GUI thread's event queue.
    ASSERT_TRUE(waitFor([&] { return bob.conversation().size() == 1; }));
    EXPECT_EQ(bob.conversation().at(0).body, text);
    EXPECT_TRUE(
        waitFor([&] { return alice.conversation().at(0).state == MessageState::Delivered; }));
}

// The two windows a kill can hit, made deterministic with two real TextChats: (1) the receiver
// stored the message but the acknowledgement was lost; (2) the sender died after the receipt and
// before marking the message delivered, and resends it on restart. Both: shown once.
TEST_F(TextStoreTest, LostAcknowledgementAndResendAfterRestartShowOnce) {
    TextChat bob("Bob", path("bob.sqlite"));
    auto toBob = std::make_shared<ScriptedStream>();
    toBob->answer = [&](const TextMessage& m, int attempt) -> xmlrpc_c::value {
        xmlrpc_c::value receipt = bob.handleSendCall(sendParams(m));
        if (m.body == "ack lost" && attempt == 1) // stored, but Alice never hears it
            throw sdk::PeerCallError(sdk::PeerCallError::Kind::Timeout, "timed out");
        return receipt;
    };
    {
        TextChat alice("Alice", path("alice.sqlite"), fastTiming());
        Sender sender(alice, toBob);
        ASSERT_TRUE(alice.send("ack lost"));
        ASSERT_TRUE(waitFor([&] { return alice.store().outbox().empty(); }));
        sender.stop();
        // Window 2: "died" right after Bob's receipt, before the delivered mark.
        const auto id = alice.send("receipt received, not marked");
        ASSERT_TRUE(id);
        bob.handleSendCall(sendParams(alice.store().outboxHead()->message));
    }
    TextChat alice("Alice", path("alice.sqlite"), fastTiming());
    Sender sender(alice, toBob);
    ASSERT_TRUE(waitFor([&] { return alice.store().outbox().empty(); }));
    ASSERT_TRUE(waitFor([&] { return bob.conversation().size() == 2; }));
    QCoreApplication::processEvents();
    EXPECT_EQ(bodies(bob.conversation()),
              (std::vector<QString>{"ack lost", "receipt received, not marked"}));
    EXPECT_EQ(bodies(bob.store().messagesAfter(0)),
              (std::vector<QString>{"ack lost", "receipt received, not marked"}));
    EXPECT_EQ(toBob->calls().size(), 3u); // "ack lost" twice, the other once after restart
}

// --- search and the read mark (issue 16) ------------------------------------------------------

namespace {

// The statements that made an older store (tests/fixtures/text-store-v<N>.sql).
QStringList fixtureStatements(const char* fixture) {
    QFile file(QString::fromUtf8(fixture));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList statements;
    for (const QString& line : QString::fromUtf8(file.readAll()).split(u'\n'))
        if (!line.isEmpty() && !line.startsWith(u"--"))
            statements << line;
    return statements;
}

// A store as an older Charla wrote it (the schema `fixture` holds), with `bodies` as alternating
// outgoing and incoming messages.
void writeOldStore(const QString& file, const char* fixture, const std::vector<QString>& bodies) {
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "old");
        db.setDatabaseName(file);
        ASSERT_TRUE(db.open());
        const QStringList statements = fixtureStatements(fixture);
        ASSERT_FALSE(statements.isEmpty()) << "cannot read " << fixture;
        for (const QString& statement : statements) {
            QSqlQuery query(db);
            ASSERT_TRUE(query.exec(statement)) << query.lastError().text().toStdString();
        }
        for (std::size_t i = 0; i < bodies.size(); ++i) {
            QSqlQuery insert(db);
            insert.prepare("INSERT INTO messages (id, direction, sent_at, body, sender, status)"
                           " VALUES (?, ?, ?, ?, ?, 1)");
            insert.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
            insert.addBindValue(int(i % 2));
            insert.addBindValue(QStringLiteral("2026-01-0%1T10:00:00.000Z").arg(i % 9 + 1));
            insert.addBindValue(bodies[i]);
            insert.addBindValue(i % 2 ? QStringLiteral("Bob") : QStringLiteral("Alice"));
            ASSERT_TRUE(insert.exec()) << insert.lastError().text().toStdString();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase("old");
}

int userVersion(const QString& file) {
    int version = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "peek");
        db.setDatabaseName(file);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec("PRAGMA user_version") && query.next())
                version = query.value(0).toInt();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase("peek");
    return version;
}

} // namespace

TEST_F(TextStoreTest, AVersion1StoreIsUpgradedKeepsEveryMessageAndCanBeSearched) {
    const std::vector<QString> written{
        QStringLiteral("Hola, ¿cómo estás?"), QStringLiteral("Bien, gracias. ¿Y tú?"),
        QStringLiteral("Nos vemos en el café"), QStringLiteral("See you at the CAFÉ at 12:30"),
        QStringLiteral("100% sure, see file_name.txt")};
    writeOldStore(path(), CHARLA_TEXT_STORE_V1_SQL, written);
    {
        MessageStore store(path());
        EXPECT_EQ(bodies(store.messagesAfter(0)), written);
        EXPECT_TRUE(store.hasFullTextIndex()) << "Debian 12's SQLite has FTS5";
        // Accents and case ignored, newest first; every message of the old file is indexed.
        EXPECT_EQ(bodies(store.search(QStringLiteral("cafe"))),
                  (std::vector<QString>{written[3], written[2]}));
        EXPECT_EQ(bodies(store.search(QStringLiteral("como"))), std::vector<QString>{written[0]});
        // LIKE: the letters as typed, ASCII case only.
        EXPECT_TRUE(store.search(QStringLiteral("cafe"), 500, SearchMethod::Like).empty());
        EXPECT_EQ(bodies(store.search(QStringLiteral("Café"), 500, SearchMethod::Like)),
                  std::vector<QString>{written[2]});
        // The old history was read before the upgrade: the next start opens at the newest.
        EXPECT_EQ(store.readUpTo(), 5);
        // New messages are indexed as they come.
        store.addIncoming(message(QStringLiteral("otro café, por favor")), QStringLiteral("Bob"));
        EXPECT_EQ(store.search(QStringLiteral("cafe")).front().message.body,
                  QStringLiteral("otro café, por favor"));
    }
    EXPECT_EQ(userVersion(path()), 5);
    MessageStore again(path()); // and opens again as version 4, nothing rebuilt or lost
    EXPECT_EQ(again.messagesAfter(0).size(), 6u);
    EXPECT_EQ(again.search(QStringLiteral("cafe")).size(), 3u);
}

TEST_F(TextStoreTest, AVersion2StoreIsUpgradedKeepsItsMessagesAndTakesCalls) {
    const std::vector<QString> written{QStringLiteral("Nos vemos en el café"),
                                       QStringLiteral("¿Te llamo luego?")};
    writeOldStore(path(), CHARLA_TEXT_STORE_V2_SQL, written);
    ASSERT_EQ(userVersion(path()), 2);
    const QUuid callId = QUuid::createUuid();
    {
        MessageStore store(path());
        EXPECT_EQ(bodies(store.messagesAfter(0)), written);
        for (const StoredMessage& row : store.messagesAfter(0))
            EXPECT_FALSE(row.call) << "a message of the old file read as a call";
        store.addCall(callId, Direction::Incoming, QDateTime::currentDateTimeUtc(),
                      {CallOutcome::Missed, 0});
        EXPECT_EQ(store.search(QStringLiteral("cafe")).size(), 1u);
    }
    EXPECT_EQ(userVersion(path()), 5);
    MessageStore again(path());
    const auto rows = again.messagesAfter(0);
    ASSERT_EQ(rows.size(), 3u);
    ASSERT_TRUE(rows[2].call);
    EXPECT_EQ(rows[2].call->outcome, CallOutcome::Missed);
    EXPECT_EQ(rows[2].message.id, callId);
}

TEST_F(TextStoreTest, CallsAreKeptInOrderNeverSentNeverFoundBySearch) {
    const QDateTime started = QDateTime::fromString("2026-12-06T10:00:00.000Z", Qt::ISODateWithMs);
    const QUuid first = QUuid::createUuid(), second = QUuid::createUuid();
    {
        MessageStore store(path());
        store.addOutgoing(message(QStringLiteral("call me")), QStringLiteral("Alice"));
        store.addCall(first, Direction::Outgoing, started, {CallOutcome::Completed, 754'000});
        store.addCall(second, Direction::Incoming, started.addSecs(3600),
                      {CallOutcome::DeclinedByContact, 0});
        store.addCall(second, Direction::Incoming, started, {CallOutcome::Missed, 0});
        ASSERT_EQ(store.outbox().size(), 1u) << "a call is never something to send";
        // Words a call line shows or stores find only messages: calls have no body.
        for (const char* word : {"call", "completed", "missed", "declined"}) {
            const std::vector<QString> expected =
                word == std::string("call") ? std::vector<QString>{QStringLiteral("call me")}
                                            : std::vector<QString>{};
            EXPECT_EQ(bodies(store.search(QString::fromLatin1(word))), expected) << word;
            EXPECT_EQ(bodies(store.search(QString::fromLatin1(word), 500, SearchMethod::Like)),
                      expected)
                << word;
        }
    }
    MessageStore again(path());
    const auto rows = again.messagesAfter(0);
    ASSERT_EQ(rows.size(), 3u) << "a call ends once: a repeated record is not a second call";
    ASSERT_TRUE(rows[1].call);
    EXPECT_EQ(rows[1].direction, Direction::Outgoing);
    EXPECT_EQ(rows[1].message.id, first);
    EXPECT_EQ(rows[1].message.sentAt, started);
    EXPECT_EQ(*rows[1].call, (CallEntry{CallOutcome::Completed, 754'000}));
    ASSERT_TRUE(rows[2].call);
    EXPECT_EQ(rows[2].direction, Direction::Incoming);
    EXPECT_EQ(rows[2].call->outcome, CallOutcome::DeclinedByContact);
}

// Issue 15: a plugin's timeline line (a file sent or received) is a row of the history: in order
// between the messages, rewritten where it is when posted again with the same key, unchanged
// (nothing written, nullopt) when posted again as it is, never sent, never found by search.
TEST_F(TextStoreTest, AVersion3StoreIsUpgradedAndKeepsTimelineLinesInPlace) {
    writeOldStore(path(), CHARLA_TEXT_STORE_V3_SQL, {QStringLiteral("here comes the photo")});
    ASSERT_EQ(userVersion(path()), 3);
    const QDateTime at = QDateTime::fromString("2026-12-06T10:00:00.000Z", Qt::ISODateWithMs);
    {
        MessageStore store(path());
        const auto added = store.setEvent(QStringLiteral("files/in/t1"), Direction::Incoming, at,
                                          QStringLiteral("📎 photo.png · 2.3 MB — offered"));
        ASSERT_TRUE(added);
        store.addIncoming(message(QStringLiteral("got it?")), QStringLiteral("Bob"));
        const auto rewritten =
            store.setEvent(QStringLiteral("files/in/t1"), Direction::Incoming, at.addSecs(60),
                           QStringLiteral("📎 photo.png · 2.3 MB — received"));
        EXPECT_EQ(rewritten, added) << "the same row, rewritten where it is";
        EXPECT_FALSE(store.setEvent(QStringLiteral("files/in/t1"), Direction::Incoming, at,
                                    QStringLiteral("📎 photo.png · 2.3 MB — received")))
            << "posted again unchanged: nothing to show";
        EXPECT_TRUE(store.outbox().empty());
        EXPECT_TRUE(store.search(QStringLiteral("photo.png")).empty());
        EXPECT_EQ(store.search(QStringLiteral("photo")).size(), 1u); // the message only
    }
    EXPECT_EQ(userVersion(path()), 5);
    MessageStore again(path());
    const auto rows = again.messagesAfter(0);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_FALSE(rows[0].event) << "an old message read as a line";
    ASSERT_TRUE(rows[1].event);
    EXPECT_EQ(*rows[1].event, QStringLiteral("📎 photo.png · 2.3 MB — received"));
    EXPECT_EQ(rows[1].direction, Direction::Incoming);
    EXPECT_EQ(rows[1].message.sentAt, at) << "the time it was first posted";
    EXPECT_FALSE(rows[1].call);
    EXPECT_EQ(rows[2].message.body, QStringLiteral("got it?"));
}

// Issue 15: a plugin's line is worded when it is shown, by its poster from the record the history
// keeps with it (SDK 1.5), like a call's: written in English, it reads in Spanish after the user
// switches, and in English again after switching back. A line written before records (schema 4)
// is shown as stored until its poster posts it again; so is one its poster cannot word (gone, or
// a record it does not read).
TEST_F(TextStoreTest, TimelineLinesAreWordedInTheLanguageOfTheMoment) {
    writeOldStore(path(), CHARLA_TEXT_STORE_V4_SQL, {QStringLiteral("here comes the photo")});
    ASSERT_EQ(userVersion(path()), 4);
    const std::string photo = R"({"fate":"done","name":"photo.png"})";
    std::string language = "en";
    int worded = 0;
    // The files plugin's renderer, as the host hands it over (PluginContext::renderTimelineRecord).
    const EventWording wording = [&](const sdk::TimelineEvent& event,
                                     const std::string& record) -> std::optional<std::string> {
        ++worded;
        EXPECT_EQ(event.source, "files");
        EXPECT_EQ(event.key, "in/t1");
        EXPECT_FALSE(event.outgoing);
        if (record != photo)
            return std::nullopt;
        return language == "es" ? "📎 photo.png — recibido" : "📎 photo.png — received";
    };
    auto lines = [](const TextChat& chat) {
        QStringList shown;
        for (const ChatMessage& m : chat.conversation().messages())
            if (m.event)
                shown << *m.event;
        return shown;
    };
    sdk::TimelineEvent event;
    event.source = "files";
    event.key = "in/t1";
    event.outgoing = false;
    event.timeMs = 1'796'000'000'000;
    {
        TextChat chat(QStringLiteral("Bob"), path(), fastTiming(), wording);
        EXPECT_EQ(userVersion(path()), 5);
        EXPECT_EQ(lines(chat), QStringList{QStringLiteral("📎 old.pdf · 1.2 MB — received")})
            << "written before records: as stored";
        EXPECT_EQ(worded, 0) << "no record, nothing to word";
        event.text = "📎 photo.png — received"; // worded by the poster as it posts
        chat.recordEvent(event, photo);
        EXPECT_EQ(lines(chat).last(), QStringLiteral("📎 photo.png — received"));
        EXPECT_FALSE(chat.store().setEvent(
            QStringLiteral("files/in/t1"), Direction::Incoming, QDateTime::currentDateTimeUtc(),
            QStringLiteral("📎 photo.png — received"), QString::fromStdString(photo)))
            << "posted again as it is: nothing written";
    }
    for (const char* now : {"es", "en", "es"}) {
        language = now;
        TextChat chat(QStringLiteral("Bob"), path(), fastTiming(), wording);
        EXPECT_EQ(lines(chat),
                  (QStringList{QStringLiteral("📎 old.pdf · 1.2 MB — received"),
                               language == "es" ? QStringLiteral("📎 photo.png — recibido")
                                                : QStringLiteral("📎 photo.png — received")}))
            << now;
    }
    {
        // Its poster enabled after the text plugin: worded once it can be (rewordEvents, queued
        // by the plugin's start()).
        bool enabled = false;
        TextChat chat(QStringLiteral("Bob"), path(), fastTiming(),
                      [&](const sdk::TimelineEvent& e, const std::string& record) {
                          return enabled ? wording(e, record) : std::nullopt;
                      });
        EXPECT_EQ(lines(chat).last(), QStringLiteral("📎 photo.png — received"));
        enabled = true;
        chat.rewordEvents();
        EXPECT_EQ(lines(chat).last(), QStringLiteral("📎 photo.png — recibido"));
    }
    // Its poster gone (no renderer) or unable to read the record: the words stored with it.
    TextChat without(QStringLiteral("Bob"), path(), fastTiming());
    EXPECT_EQ(lines(without).last(), QStringLiteral("📎 photo.png — received"));
    event.text = "📎 photo.png — received";
    without.recordEvent(event, R"({"fate":"a later version's"})");
    TextChat unreadable(QStringLiteral("Bob"), path(), fastTiming(), wording);
    EXPECT_EQ(lines(unreadable).last(), QStringLiteral("📎 photo.png — received"));
}

TEST(CallLines, SayWhatHappenedAndHowLong) {
    ChatMessage call;
    call.sentAt = QDateTime::currentDateTimeUtc();
    const ContactState bob{QStringLiteral("Bob"), true};
    const std::vector<std::pair<CallEntry, QString>> expected{
        {{CallOutcome::Completed, 45'400}, QStringLiteral("Call · 45 s")},
        {{CallOutcome::Completed, 754'000}, QStringLiteral("Call · 12 min")},
        {{CallOutcome::Completed, 3'900'000}, QStringLiteral("Call · 1 h 05 min")},
        {{CallOutcome::Missed, 0}, QStringLiteral("Missed call")},
        {{CallOutcome::Declined, 0}, QStringLiteral("Call declined")},
        {{CallOutcome::DeclinedByContact, 0}, QStringLiteral("Bob declined the call")},
        {{CallOutcome::Cancelled, 0}, QStringLiteral("Call cancelled")},
        {{CallOutcome::NoAnswer, 0}, QStringLiteral("No answer")},
        {{CallOutcome::Failed, 0}, QStringLiteral("Call failed")},
    };
    for (const auto& [entry, label] : expected) {
        call.call = entry;
        EXPECT_EQ(callLabel(call, bob), label);
        EXPECT_TRUE(conversationHtml(std::vector{call}, bob).contains(label.toHtmlEscaped()));
    }
    // A call breaks a group: the message after it shows its sender again.
    ChatMessage before;
    before.sentAt = call.sentAt;
    before.body = QStringLiteral("hi");
    before.sender = QStringLiteral("Bob");
    ChatMessage after = before;
    EXPECT_TRUE(groupsWith(before, after));
    EXPECT_FALSE(groupsWith(call, after));
    EXPECT_EQ(conversationHtml(std::vector{before, call, after}, bob).count(QStringLiteral("<b ")),
              2);
}

TEST_F(TextStoreTest, HostileSearchesGiveResultsOrNoneNeverAnError) {
    MessageStore store(path());
    const std::vector<QString> written{QStringLiteral("plain words here"),
                                       QStringLiteral("she said \"hello\" AND left"),
                                       QStringLiteral("100% sure"),
                                       QStringLiteral("file_name.txt"),
                                       QStringLiteral(":) ok"),
                                       QStringLiteral("back\\slash")};
    for (const QString& body : written)
        store.addIncoming(message(body), QStringLiteral("Bob"));
    const std::vector<QString> hostile{
        QStringLiteral("\""),
        QStringLiteral("\"\"\""),
        QStringLiteral("hello\" OR \"x"),
        QStringLiteral("AND"),
        QStringLiteral("OR NOT NEAR(a b, 2)"),
        QStringLiteral("body:plain"),
        QStringLiteral("{body}: x"),
        QStringLiteral("^plain"),
        QStringLiteral("*"),
        QStringLiteral("-plain"),
        QStringLiteral("'; DROP TABLE messages; --"),
        QStringLiteral("%"),
        QStringLiteral("_"),
        QStringLiteral("\\"),
        QStringLiteral("(((((("),
        QString(100000, u'a'),
        QString(5000, u'"'),
        QStringLiteral("a ").repeated(3000),
        QStringLiteral("\u0000nul"),
        QStringLiteral("👋🎉 emoji"),
        QStringLiteral("   "),
    };
    for (const QString& query : hostile)
        for (const auto method : {SearchMethod::FullText, SearchMethod::Like})
            EXPECT_NO_THROW(store.search(query, 500, method))
                << query.left(40).toStdString() << " method " << int(method);
    // What special characters find is themselves.
    EXPECT_EQ(bodies(store.search(QStringLiteral("%"))), std::vector<QString>{written[2]});
    EXPECT_EQ(bodies(store.search(QStringLiteral("_"))), std::vector<QString>{written[3]});
    EXPECT_EQ(bodies(store.search(QStringLiteral("\\"))), std::vector<QString>{written[5]});
    EXPECT_EQ(bodies(store.search(QStringLiteral(":)"))), std::vector<QString>{written[4]});
    EXPECT_EQ(bodies(store.search(QStringLiteral("\""))), std::vector<QString>{written[1]});
    // FTS5's operators are words like any other.
    EXPECT_EQ(bodies(store.search(QStringLiteral("AND"))), std::vector<QString>{written[1]});
    EXPECT_EQ(bodies(store.search(QStringLiteral("hello\" AND \"left"))),
              std::vector<QString>{written[1]});
    EXPECT_TRUE(store.search(QStringLiteral("OR NOT NEAR(a b, 2)")).empty());
    EXPECT_TRUE(store.search(QString(100000, u'a')).empty());
    // The table is still there.
    EXPECT_EQ(store.messagesAfter(0).size(), written.size());
}

TEST_F(TextStoreTest, SearchFindsWordsByPrefixNewestFirstUpToTheLimit) {
    MessageStore store(path());
    for (int i = 0; i < 30; ++i)
        store.addIncoming(message(QStringLiteral("message number %1").arg(i)),
                          QStringLiteral("Bob"));
    store.addOutgoing(message(QStringLiteral("Programming in Spanish: programación")),
                      QStringLiteral("Alice"));
    const auto found = store.search(QStringLiteral("mess numb"), 10);
    ASSERT_EQ(found.size(), 10u);
    EXPECT_EQ(found.front().message.body, QStringLiteral("message number 29"));
    EXPECT_EQ(found.back().message.body, QStringLiteral("message number 20"));
    EXPECT_GT(found.front().seq, found.back().seq);
    // Every word must be there, in any order.
    EXPECT_EQ(store.search(QStringLiteral("number message 7")).size(), 1u);
    EXPECT_TRUE(store.search(QStringLiteral("message programming")).empty());
    EXPECT_EQ(store.search(QStringLiteral("programacion")).size(), 1u);
    EXPECT_EQ(store.search(QStringLiteral("PROGRAM")).front().direction, Direction::Outgoing);
}

TEST_F(TextStoreTest, TheReadMarkOnlyMovesForwardAndSurvivesReopen) {
    {
        MessageStore store(path());
        EXPECT_EQ(store.readUpTo(), 0);
        store.setReadUpTo(7);
        store.setReadUpTo(3);
        EXPECT_EQ(store.readUpTo(), 7);
    }
    MessageStore store(path());
    EXPECT_EQ(store.readUpTo(), 7);
}

TEST_F(TextStoreTest, TextChatOpensAtTheFirstUnreadAndSavesWhatWasSeen) {
    {
        TextChat chat(QStringLiteral("Alice"), path(), fastTiming());
        EXPECT_EQ(chat.firstUnreadSeq(), 0);
        for (int i = 0; i < 4; ++i)
            chat.handleSendCall(sendParams(message(QStringLiteral("from Bob %1").arg(i))));
        ASSERT_TRUE(waitFor([&] { return chat.conversation().size() == 4; }));
        EXPECT_EQ(chat.firstUnreadSeq(), chat.conversation().at(0).seq);
        chat.markRead(chat.conversation().at(1).seq); // saved when the chat closes
    }
    TextChat chat(QStringLiteral("Alice"), path(), fastTiming());
    EXPECT_EQ(chat.firstUnreadSeq(), chat.conversation().at(2).seq);
    EXPECT_EQ(chat.conversation().at(2).body, QStringLiteral("from Bob 2"));
}
