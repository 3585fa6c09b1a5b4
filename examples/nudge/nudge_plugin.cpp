// Nudge: a button that makes the contact's Charla window shake and flash. A complete plugin in one
// file, built against the installed SDK only: one method, one worker, one panel.
// (docs/plugin-guide.md starts with a smaller one, "reactions".)
#include <charla/sdk/declare_plugin.h>
#include <charla/sdk/struct_reader.h>
#include <charla/sdk/translator.h>

#include <QApplication>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QPropertyAnimation>
#include <QPushButton>
#include <QTime>
#include <QWidget>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>

namespace {

using Struct = std::map<std::string, xmlrpc_c::value>;

// Its strings in Spanish: charla_nudge_es.ts, built in as :/i18n/charla_nudge_es.qm
// (CMakeLists.txt).
class NudgePlugin : public charla::sdk::TranslatedPlugin {
    Q_DECLARE_TR_FUNCTIONS(NudgePlugin)

public:
    NudgePlugin() : TranslatedPlugin(QStringLiteral("charla_nudge")) {}

    void initialize(charla::sdk::PluginContext& context) override {
        context_ = &context;
        charla::sdk::MethodSpec nudge;
        nudge.name = "nudge.nudge";
        nudge.signature = "S:S";
        nudge.help = "Shake the receiver's window: {from: string}. Returns {status}.";
        nudge.maxPayloadBytes = 1024;
        // Runs on a server thread: validate, hand the work to the GUI thread, return at once.
        nudge.handler = [this](const xmlrpc_c::paramList& params) {
            const auto args = charla::sdk::StructReader::onlyParam(params, "nudge.nudge");
            const std::string from = args.string("from", 256); // else a fault naming 'from'
            received_++;
            // Dropped if the plugin is disabled before it runs: `this` is safe in the task.
            context_->postToGui([this, from] { shake(from); });
            return xmlrpc_c::value_struct(Struct{{"status", xmlrpc_c::value_string("nudged")}});
        };
        context.channel().registerMethod(std::move(nudge));

        // Sending happens on a worker, so the GUI never waits for the network.
        context.channel().registerWorker(
            {"nudge-sender", [this](std::stop_token stop) { sendLoop(stop); }});
    }

    void start() override { stream_ = context_->channel().openStream("nudge"); }

    QWidget* createPanel(QWidget* parent) override {
        auto* panel = new QWidget(parent);
        panel->setObjectName("nudgePanel");
        auto* layout = new QHBoxLayout(panel);
        layout->setContentsMargins(0, 0, 0, 0);
        auto* button = new QPushButton(tr("Nudge"), panel);
        button->setObjectName("nudgeButton");
        status_ = new QLabel(panel);
        status_->setObjectName("nudgeStatus");
        layout->addWidget(button);
        layout->addWidget(status_, 1);
        QObject::connect(button, &QPushButton::clicked, panel, [this] {
            {
                std::lock_guard lock(mutex_);
                ++pending_;
            }
            wake_.notify_all();
        });
        panel->setMaximumHeight(button->sizeHint().height());
        return panel;
    }

private:
    void sendLoop(std::stop_token stop) {
        while (true) {
            {
                std::unique_lock lock(mutex_);
                if (!wake_.wait(lock, stop, [&] { return pending_ > 0; }))
                    return;
                --pending_;
            }
            QString result;
            try {
                xmlrpc_c::paramList params;
                params.add(xmlrpc_c::value_struct(
                    Struct{{"from", xmlrpc_c::value_string(context_->localUser())}}));
                stream_->call("nudge.nudge", params, std::chrono::seconds(3));
                result =
                    tr("You nudged your contact at %1").arg(QTime::currentTime().toString("HH:mm"));
            } catch (const charla::sdk::PeerCallError& e) {
                if (e.kind() == charla::sdk::PeerCallError::Kind::Interrupted)
                    return;
                result = tr("Nudge failed: %1").arg(QString::fromStdString(e.what()));
            }
            context_->postToGui([this, result] { setStatus(result); });
        }
    }

    void setStatus(const QString& text) {
        if (status_)
            status_->setText(text);
    }

    void shake(const std::string& who) {
        setStatus(tr("%1 nudged you at %2")
                      .arg(QString::fromStdString(who), QTime::currentTime().toString("HH:mm")));
        QWidget* window = status_ ? status_->window() : QApplication::activeWindow();
        if (!window)
            return;
        QApplication::alert(window);
        auto* animation = new QPropertyAnimation(window, "pos", window);
        const QPoint home = window->pos();
        animation->setDuration(400);
        for (int i = 0; i <= 8; ++i)
            animation->setKeyValueAt(i / 8.0, home + QPoint(i % 2 ? 10 : -10, 0));
        animation->setEndValue(home);
        animation->start(QAbstractAnimation::DeleteWhenStopped);
    }

    charla::sdk::PluginContext* context_ = nullptr;
    std::shared_ptr<charla::sdk::PeerStream> stream_;
    QPointer<QLabel> status_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    int pending_ = 0;
    std::atomic<int> received_{0};
};

} // namespace

CHARLA_DECLARE_PLUGIN(NudgePlugin)
