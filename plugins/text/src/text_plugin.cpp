#include "text_plugin.h"

#include "text_logging.h"
#include "text_panel.h"

#include <charla/sdk/declare_plugin.h>

namespace charla::text {

TextPlugin::TextPlugin() = default;
TextPlugin::~TextPlugin() = default;

void TextPlugin::initialize(sdk::PluginContext& context) {
    channel_ = &context.channel();
    chat_ = std::make_unique<TextChat>(QString::fromStdString(context.localUser()));

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
    qCDebug(lcText) << "started";
}

// Nothing to wake: the worker waits on the outbox with its stop_token, and the host interrupts
// the stream's call in flight.
void TextPlugin::stop() {
    qCDebug(lcText) << "stopping";
}

void TextPlugin::peerChanged(const sdk::PeerInfo& peer) {
    chat_->setPeer(peer);
}

} // namespace charla::text

CHARLA_DECLARE_PLUGIN(charla::text::TextPlugin)
