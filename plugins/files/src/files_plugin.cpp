// The SDK entry point: wires the engine's handlers and workers into the Channel, places the
// panel in the chat window and the settings page in the Settings dialog.
#include "files_logging.h"
#include "files_panel.h"
#include "files_settings_page.h"
#include "transfer_engine.h"
#include "transfer_timeline.h"

#include <charla/sdk/declare_plugin.h>
#include <charla/sdk/translator.h>

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QStandardPaths>

#include <algorithm>
#include <memory>

namespace charla::files {
namespace {

// `--plugin-option files.download_dir=DIR`, else $XDG_DOWNLOAD_DIR, else the desktop's download
// directory (user-dirs.dirs), each with the subfolder Charla.
QString downloadDir(const sdk::PluginContext& context) {
    if (const auto option = context.option("download_dir"); option && !option->empty())
        return QString::fromStdString(*option);
    QString base = qEnvironmentVariable("XDG_DOWNLOAD_DIR");
    if (base.isEmpty())
        base = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    if (base.isEmpty())
        base = QDir::home().filePath(QStringLiteral("Downloads"));
    return QDir(base).filePath(QStringLiteral("Charla"));
}

class FilesPlugin : public sdk::Plugin {
public:
    void initialize(sdk::PluginContext& context) override {
        context_ = &context;
        contactName_ = context.settings()->value(kContactNameKey).toString();
        EngineConfig config;
        // One store per local user: two local-mode instances may share a data directory.
        config.storePath =
            QDir(context.dataDir())
                .filePath(QStringLiteral("transfers-%1.sqlite")
                              .arg(QString::fromStdString(context.localUser()).toUtf8().toHex()));
        config.downloadDir = downloadDir(context);
        config.autoAcceptBytes = autoAcceptBytes();
        // `--plugin-option files.chunk_kib=N`: what the receiver asks per files.read (benchmarks).
        if (const auto chunk = context.option("chunk_kib"); chunk && !chunk->empty())
            config.chunkBytes = std::clamp(QString::fromStdString(*chunk).toInt(), 4, 1024) * 1024;
        // `--plugin-option files.reads_in_flight=1|2` (benchmarks: one against two in one run).
        if (const auto n = context.option("reads_in_flight"); n && !n->empty())
            config.readsInFlight = std::clamp(QString::fromStdString(*n).toInt(), 1, 2);
        // Throws StoreError if the store cannot be opened: the plugin is shown failed with the
        // reason rather than losing transfers.
        engine_ = std::make_unique<TransferEngine>(config);
        // The history words our lines as it shows them, in the language of the moment.
        context.setTimelineRenderer([](const sdk::TimelineEvent& event, const std::string& record) {
            return TransferTimeline::render(record, event.outgoing)
                .value_or(QString())
                .toStdString();
        });
        engine_->setListener([this] {
            context_->postToGui([this] {
                if (panel_)
                    panel_->refresh();
                postTimeline();
            });
        });

        auto add = [&](const char* name, const char* help, std::size_t maxPayload,
                       xmlrpc_c::value (TransferEngine::*handler)(const xmlrpc_c::paramList&)) {
            sdk::MethodSpec spec;
            spec.name = name;
            spec.signature = "S:S";
            spec.help = help;
            spec.maxPayloadBytes = maxPayload;
            spec.handler = [engine = engine_.get(), handler](const xmlrpc_c::paramList& params) {
                return (engine->*handler)(params);
            };
            context.channel().registerMethod(std::move(spec));
        };
        add(kOfferMethod,
            "Offers a file {id, name, size, sha256, mime}; returns {status: offered|duplicate, "
            "state}. docs/protocol-files.md",
            4096, &TransferEngine::handleOffer);
        add(kAnswerMethod, "Accepts or declines an offer {id, accept: bool}.", 1024,
            &TransferEngine::handleAnswer);
        add(kReadMethod,
            "Returns {offset, data: base64} of an accepted file {id, offset, length <= 1 MiB}.",
            1024, &TransferEngine::handleRead);
        add(kPauseMethod, "Pauses or resumes a transfer {id, paused: bool}.", 1024,
            &TransferEngine::handlePause);
        add(kCancelMethod, "Cancels a transfer {id, reason?}.", 4096,
            &TransferEngine::handleCancel);
        add(kDoneMethod, "The receiver's result {id, status: received|failed, reason?}.", 4096,
            &TransferEngine::handleDone);

        context.channel().registerWorker({"files-control", [this](std::stop_token stop) {
                                              engine_->runControl(stop, *control_);
                                          }});
        context.channel().registerWorker({"files-receiver", [this](std::stop_token stop) {
                                              engine_->runReceiver(stop, *data_, data2_.get());
                                          }});
    }

    QWidget* createPanel(QWidget* parent) override {
        panel_ = new FilesPanel(*engine_, parent);
        panel_->setContactName(contactName_);
        return panel_;
    }

    QWidget* createSettingsPage(QWidget* parent) override {
        return new FilesSettingsPage(
            *context_, [this] { engine_->setAutoAcceptBytes(autoAcceptBytes()); }, parent);
    }

    void start() override {
        // Streams of their own: a file never waits in front of a text message or a frame.
        control_ = context_->channel().openStream("files-control");
        data_ = context_->channel().openStream("files-data");
        data2_ = context_->channel().openStream("files-data-2"); // the second read in flight
        postTimeline(); // every transfer's line again: one that changed while we were away
        // `charla --send-file PATH`, for scripts: once per process, and not again for a file
        // already sent unchanged (a restarted script must not send it twice).
        static bool sentOnStart = false;
        if (sentOnStart)
            return;
        sentOnStart = true;
        if (const auto path = context_->option("send-file"); path && !path->empty()) {
            const QFileInfo info(QString::fromStdString(*path));
            for (const Transfer& t : engine_->transfers())
                if (t.direction == Direction::Outgoing && t.path == info.absoluteFilePath() &&
                    t.size == info.size() && t.state != State::Cancelled &&
                    t.state != State::Failed)
                    return;
            engine_->post([engine = engine_.get(), path = info.filePath()] {
                QString error;
                if (engine->send(path, &error).isEmpty())
                    qCWarning(lcFiles).noquote() << "--send-file:" << error;
            });
        }
    }

    void peerChanged(const sdk::PeerInfo& peer) override {
        engine_->wake();
        // The name the rows show; the last one known is kept for the next start, before the
        // contact's hello (a name is not an identity: the rows only say who it was then).
        if (!peer.user.empty() && QString::fromStdString(peer.user) != contactName_) {
            contactName_ = QString::fromStdString(peer.user);
            context_->settings()->setValue(kContactNameKey, contactName_);
        }
        if (panel_)
            panel_->setContactName(contactName_);
    }

private:
    // Tells the conversation's history of the transfers whose line changed (GUI thread).
    void postTimeline() {
        for (const TransferTimeline::Post& post : timeline_.changes(engine_->transfers())) {
            try {
                context_->postTimelineRecord(post.event, post.record);
            } catch (const std::invalid_argument& e) {
                qCWarning(lcFiles) << "not in the history:" << e.what();
            }
        }
    }

    // First member: installed before anything else of the plugin exists, removed last.
    sdk::PluginTranslator translator_{QStringLiteral("charla_files")};

    qint64 autoAcceptBytes() const {
        qint64 mb = 0;
        if (const auto option = context_->option("auto_accept_mb"); option && !option->empty())
            mb = QString::fromStdString(*option).toLongLong();
        else
            mb = context_->settings()->value(kAutoAcceptKey, 0).toLongLong();
        return mb > 0 ? mb * 1024 * 1024 : -1;
    }

    sdk::PluginContext* context_ = nullptr;
    std::unique_ptr<TransferEngine> engine_;
    std::shared_ptr<sdk::PeerStream> control_, data_, data2_;
    QPointer<FilesPanel> panel_;
    TransferTimeline timeline_; // GUI thread
    QString contactName_;       // GUI thread
    static constexpr const char* kContactNameKey = "last_contact_name";
};

} // namespace
} // namespace charla::files

CHARLA_DECLARE_PLUGIN(charla::files::FilesPlugin)
