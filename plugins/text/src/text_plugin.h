// The SDK entry point: wires TextChat to the Channel (the text.send method, the sender worker,
// the "text" stream) and to the host's window (the panel).
#pragma once

#include "text_chat.h"

#include <charla/sdk/plugin.h>
#include <charla/sdk/translator.h>

#include <memory>

namespace charla::text {

// Where the conversation is kept (see text_plugin.cpp).
QString storePath(const sdk::PluginContext& context);

class TextPlugin : public sdk::TranslatedPlugin {
public:
    TextPlugin() : TranslatedPlugin(QStringLiteral("charla_text")) {}

    void initialize(sdk::PluginContext& context) override;
    QWidget* createPanel(QWidget* parent) override;
    void start() override;
    void stop() override;
    void peerChanged(const sdk::PeerInfo& peer) override;

private:
    sdk::PluginContext* context_ = nullptr;
    sdk::Channel* channel_ = nullptr;
    std::unique_ptr<TextChat> chat_;
    // Opened in start(), before the worker that uses it runs; the host interrupts it on stop.
    std::shared_ptr<sdk::PeerStream> stream_;
};

} // namespace charla::text
