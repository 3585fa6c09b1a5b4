#include "text_plugin.h"

#include "text_logging.h"
#include "text_panel.h"

#include <charla/sdk/declare_plugin.h>

#include <QDir>
#include <QStandardPaths>

namespace charla::text {

// `--plugin-option text.store=PATH` if given; else one file per local user in the data directory.
// The plugin never learns the contact's address, and the contact's name is only known after its
// hello (and need not be unique), so the file cannot be per contact: a user talks to the one
// contact of the session, and two local-mode instances on one computer differ by --user.
QString storePath(const sdk::PluginContext& context) {
    if (const auto option = context.option("store"); option && !option->empty())
        return QString::fromStdString(*option);
    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(dataDir).filePath(
        QStringLiteral("charla/") +
        defaultStoreFileName(QString::fromStdString(context.localUser())));
}

void TextPlugin::initialize(sdk::PluginContext& context) {
    channel_ = &context.channel();
    context_ = &context;
    // Throws StoreError if the store cannot be opened: the host shows the plugin failed, with
    // the reason, rather than a chat that would silently lose messages.
    // Plugins' lines are worded by their posters as they are shown: in the language of the
    // moment, not the one they were written in (a poster enabled after this plugin, or none:
    // the line as stored).
    chat_ = std::make_unique<TextChat>(
        QString::fromStdString(context.localUser()), storePath(context), SenderTiming{},
        [&context](const sdk::TimelineEvent& event, const std::string& record) {
            return context.renderTimelineRecord(event, record);
        });

    sdk::MethodSpec send;
    send.name = kSendMethod;
    send.signature = "S:S";
    send.help = "Delivers one text message {id: UUID, sent_at: ISO 8601 UTC, body: UTF-8 text, "
                "at most 16 KiB}; returns {id, status: \"delivered\" | \"duplicate\"}.";
    send.maxPayloadBytes = kMaxSendPayloadBytes;
    send.handler = [chat = chat_.get()](const xmlrpc_c::paramList& params) {
        return chat->handleSendCall(params);
    };
    channel_->registerMethod(std::move(send));
    QObject::connect(chat_.get(), &TextChat::messageArrived,
                     [this](const QString& sender, const QString& body) {
                         context_->notifyUser(sender.toStdString(), body.toStdString());
                     });
    // Calls belong in the history too (missed, declined, "Call · 12 min").
    context.onCallEnded(
        [chat = chat_.get()](const sdk::CallRecord& record) { chat->recordCall(record); });
    // And what other plugins post to the conversation (a file sent or received).
    context.onTimelineRecord(
        [chat = chat_.get()](const sdk::TimelineEvent& event, const std::string& record) {
            chat->recordEvent(event, record);
        });

    channel_->registerWorker(
        {"text-sender", [this](std::stop_token stop) {
             chat_->runSender(stop, stream_, [channel = channel_] { return channel->peer(); });
         }});
}

QWidget* TextPlugin::createPanel(QWidget* parent) {
    return new TextPanel(*chat_, parent);
}

void TextPlugin::start() {
    stream_ = channel_->openStream("text");
    // On the GUI thread's next turn, when every plugin enabled at startup has set its renderer.
    context_->postToGui([chat = chat_.get()] { chat->rewordEvents(); });
    qCDebug(lcText) << "started";
    // `charla --send TEXT`: for scripts ("backup finished"); it goes through the outbox like a
    // typed message, so it is delivered once the contact is online, even after a restart.
    // Once per process: re-enabling the plugin must not send it again (the library stays loaded).
    static bool sentOnStart = false;
    if (!sentOnStart) {
        sentOnStart = true;
        if (const auto text = context_->option("send"); text && !text->empty()) {
            if (const QString problem = composeProblem(QString::fromStdString(*text));
                !problem.isEmpty())
                qCWarning(lcText).noquote() << "--send:" << problem;
            else
                chat_->send(QString::fromStdString(*text));
        }
    }
}

// Nothing to wake: the worker waits with its stop_token, and the host interrupts the stream's
// call in flight. Undelivered messages stay in the store's outbox for the next start.
void TextPlugin::stop() {
    qCDebug(lcText) << "stopping";
}

void TextPlugin::peerChanged(const sdk::PeerInfo& peer) {
    chat_->setPeer(peer);
}

} // namespace charla::text

CHARLA_DECLARE_PLUGIN(charla::text::TextPlugin)
