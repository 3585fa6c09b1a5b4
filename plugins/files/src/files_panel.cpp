#include "files_panel.h"

#include "files_logging.h"
#include "transfer_timeline.h"

#include <QApplication>
#include <QDesktopServices>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace charla::files {
namespace {

QString durationText(double seconds) {
    const qint64 s = static_cast<qint64>(seconds + 0.5);
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QString rowKey(const Transfer& t) {
    return QString::number(static_cast<int>(t.direction)) + t.id;
}

// Pictures Qt can read show as thumbnails, decoded off the GUI thread within these bounds: a
// bigger file, or a picture that says it is larger than kMaxThumbnailPixels (a corrupt or
// hostile header: a few bytes may claim 50000 x 50000), is not decoded at all.
constexpr qint64 kMaxThumbnailSourceBytes = 40 * 1000 * 1000;
constexpr qint64 kMaxThumbnailPixels = 64 * 1000 * 1000;
constexpr int kThumbnailAllocationMB = 256; // what QImageReader may allocate for one decode
const QSize kThumbnailSize(96, 72);

// The thumbnail of the picture at `path`, or a null image (any thread).
QImage readThumbnail(const QString& path) {
    if (QFileInfo(path).size() > kMaxThumbnailSourceBytes)
        return {};
    QImageReader reader(path);
    reader.setAllocationLimit(kThumbnailAllocationMB);
    const QSize size = reader.size();
    if (!size.isValid() || qint64(size.width()) * size.height() > kMaxThumbnailPixels)
        return {};
    // JPEG decodes straight at the small size; other formats decode, then scale.
    reader.setScaledSize(size.scaled(kThumbnailSize, Qt::KeepAspectRatio));
    return reader.read();
}

} // namespace

class TransferRow : public QFrame {
    // No Q_OBJECT: without this, tr() would translate in QFrame's context, not this class's.
    Q_DECLARE_TR_FUNCTIONS(charla::files::TransferRow)

public:
    TransferRow(FilesPanel* panel, TransferEngine& engine, const Transfer& t)
        : QFrame(panel), panel_(panel), engine_(engine), id_(t.id), direction_(t.direction) {
        setObjectName(QStringLiteral("transfer-") + t.id);
        setFrameShape(QFrame::StyledPanel);
        auto* layout = new QHBoxLayout(this);
        layout->setContentsMargins(6, 4, 6, 4);
        thumbnail_ = new QToolButton(this);
        thumbnail_->setObjectName(QStringLiteral("thumbnail"));
        thumbnail_->setAutoRaise(true);
        thumbnail_->setIconSize(QSize(96, 72));
        thumbnail_->setToolTip(tr("Open"));
        thumbnail_->hide();
        QObject::connect(thumbnail_, &QToolButton::clicked, this, [this] { open(); });
        layout->addWidget(thumbnail_);
        auto* text = new QVBoxLayout;
        title_ = new QLabel(this);
        title_->setObjectName(QStringLiteral("title"));
        title_->setTextFormat(Qt::PlainText);
        detail_ = new QLabel(this);
        detail_->setObjectName(QStringLiteral("detail"));
        detail_->setTextFormat(Qt::PlainText);
        progress_ = new QProgressBar(this);
        progress_->setRange(0, 1000);
        progress_->setTextVisible(false);
        progress_->setMaximumHeight(10);
        text->addWidget(title_);
        text->addWidget(detail_);
        text->addWidget(progress_);
        layout->addLayout(text, 1);
        auto button = [&](const QString& name, const QString& label, auto action) {
            auto* b = new QPushButton(label, this);
            b->setObjectName(name);
            QObject::connect(b, &QPushButton::clicked, this, action);
            layout->addWidget(b);
            return b;
        };
        // Actions run on the engine's action thread: they take its lock, held across SQLite
        // commits (fsync), which the GUI thread must never wait for.
        accept_ = button(QStringLiteral("accept"), tr("Accept"),
                         [this] { engine_.post([&e = engine_, id = id_] { e.accept(id); }); });
        decline_ = button(QStringLiteral("decline"), tr("Decline"),
                          [this] { engine_.post([&e = engine_, id = id_] { e.decline(id); }); });
        pause_ = button(QStringLiteral("pause"), tr("Pause"), [this] {
            engine_.post([&e = engine_, id = id_, d = direction_] {
                if (!e.pause(id, d))
                    e.resume(id, d);
            });
        });
        cancel_ = button(QStringLiteral("cancel"), tr("Cancel"), [this] {
            engine_.post([&e = engine_, id = id_, d = direction_] { e.cancel(id, d); });
        });
        open_ = button(QStringLiteral("open"), tr("Open"), [this] { open(); });
        update(t, panel->contactName());
    }

    void update(const Transfer& t, const QString& contact) {
        path_ = t.path;
        const bool incoming = t.direction == Direction::Incoming;
        title_->setText((incoming ? tr("From %1: %2") : tr("To %1: %2")).arg(contact, t.name));
        const Progress p = engine_.progress(t.id, t.direction);
        QString state;
        switch (t.state) {
        case State::Hashing:
            state = tr("checking the file…");
            break;
        case State::Offering:
            state = tr("waiting for the contact");
            break;
        case State::Offered:
            state = incoming ? tr("offered: accept?") : tr("offered, waiting for an answer");
            break;
        case State::Transferring: {
            const double percent = t.size > 0 ? 100.0 * double(p.bytes) / double(t.size) : 100.0;
            // Whole sentences, not pieces joined: a translation may order them differently.
            if (p.bytesPerSecond > 0)
                state = tr("%1 % · %2/s · %3 left")
                            .arg(QLocale().toString(percent, 'f', 1),
                                 bytesText(qint64(p.bytesPerSecond)),
                                 durationText(double(t.size - p.bytes) / p.bytesPerSecond));
            else
                state = tr("%1 %").arg(QLocale().toString(percent, 'f', 1));
            break;
        }
        case State::Paused:
            state = tr("paused (%1)").arg(t.reason);
            break;
        case State::Done:
            state = incoming ? tr("received") : tr("delivered");
            break;
        case State::Declined:
            state = tr("declined");
            break;
        case State::Cancelled:
            state = t.reason.isEmpty() ? tr("cancelled") : t.reason;
            break;
        case State::Failed:
            state = tr("failed: %1").arg(t.reason);
            break;
        }
        detail_->setText(QStringLiteral("%1 · %2 · %3").arg(bytesText(t.size), t.mime, state));
        const bool moving = t.state == State::Transferring || t.state == State::Paused;
        progress_->setVisible(moving);
        if (moving)
            progress_->setValue(t.size > 0 ? int(1000 * double(p.bytes) / double(t.size)) : 1000);
        accept_->setVisible(incoming && t.state == State::Offered);
        decline_->setVisible(incoming && t.state == State::Offered);
        pause_->setVisible(moving);
        pause_->setText(t.state == State::Paused ? tr("Resume") : tr("Pause"));
        cancel_->setVisible(!isFinal(t.state) && !(incoming && t.state == State::Offered));
        const bool openable = t.state == State::Done || (!incoming && !isFinal(t.state)) ||
                              (!incoming && t.state == State::Done);
        open_->setVisible(openable && QFileInfo::exists(t.path) && !t.path.endsWith(".part"));
        if (!thumbnailTried_ && open_->isVisible() && t.mime.startsWith(QLatin1String("image/"))) {
            thumbnailTried_ = true;
            panel_->requestThumbnail(path_, this);
        }
    }

    // GUI thread: the decoded thumbnail (FilesPanel::requestThumbnail).
    void showThumbnail(const QImage& image) {
        if (image.isNull())
            return;
        thumbnail_->setIcon(QPixmap::fromImage(image));
        thumbnail_->setIconSize(image.size());
        thumbnail_->show();
    }

private:
    void open() {
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path_)))
            qCWarning(lcFiles).noquote() << "no program opens" << path_;
    }

    FilesPanel* panel_; // the parent
    TransferEngine& engine_;
    QString id_;
    Direction direction_;
    QString path_;
    bool thumbnailTried_ = false;
    QToolButton* thumbnail_;
    QLabel *title_, *detail_;
    QProgressBar* progress_;
    QPushButton *accept_, *decline_, *pause_, *cancel_, *open_;
};

FilesPanel::FilesPanel(TransferEngine& engine, QWidget* parent) : QWidget(parent), engine_(engine) {
    thumbnails_.setMaxThreadCount(1);
    setObjectName(QStringLiteral("filesPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    auto* send = new QPushButton(tr("Send file…"), this);
    send->setObjectName(QStringLiteral("sendFile"));
    connect(send, &QPushButton::clicked, this, &FilesPanel::chooseFiles);
    status_ = new QLabel(tr("Drop files on this window to send them"), this);
    status_->setObjectName(QStringLiteral("filesStatus"));
    bar->addWidget(send);
    bar->addWidget(status_, 1);
    layout->addLayout(bar);
    auto* scroll = new QScrollArea(this);
    scroll->setAccessibleName(tr("File transfers")); // the list a screen reader enters
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* inner = new QWidget(scroll);
    rows_ = new QVBoxLayout(inner);
    rows_->setContentsMargins(0, 0, 0, 0);
    rows_->addStretch(1);
    scroll->setWidget(inner);
    scroll_ = scroll;
    layout->addWidget(scroll, 1);
    timer_ = new QTimer(this);
    timer_->setInterval(250); // progress lines: 4 updates a second, whatever the chunk rate
    connect(timer_, &QTimer::timeout, this, &FilesPanel::tick);
    timer_->start();
    // Drops anywhere on the chat window (the conversation and the composer too). The filter goes
    // with this panel: QObject removes it when the panel is deleted.
    qApp->installEventFilter(this);
    if (window() != this)
        window()->setAcceptDrops(true); // drag events reach only windows that accept drops
    refresh();
}

FilesPanel::~FilesPanel() {
    // A thumbnail being decoded ends within its bounds; those not begun are dropped.
    thumbnails_.clear();
    thumbnails_.waitForDone();
}

void FilesPanel::requestThumbnail(const QString& path, TransferRow* row) {
    // The row may be gone when the picture is ready; the panel is not (it waits for the pool).
    thumbnails_.start([this, path, target = QPointer<TransferRow>(row)] {
        const QImage image = readThumbnail(path);
        QMetaObject::invokeMethod(
            this,
            [target, image] {
                if (target)
                    target->showThumbnail(image);
            },
            Qt::QueuedConnection);
    });
}

void FilesPanel::refresh() {
    TransferRow* added = nullptr;
    for (const Transfer& t : engine_.transfers()) {
        const QString k = rowKey(t);
        auto it = rowByKey_.find(k);
        if (it == rowByKey_.end()) {
            auto* row = new TransferRow(this, engine_, t);
            rows_->insertWidget(rows_->count() - 1, row); // newest at the bottom, above the stretch
            rowByKey_.insert(k, row);
            added = row;
        } else {
            it.value()->update(t, contactName());
        }
    }
    // Room for about three rows once there are transfers; none before the first.
    scroll_->setMinimumHeight(std::min<int>(int(rowByKey_.size()), 3) * 76);
    if (added)
        QTimer::singleShot(0, scroll_, [scroll = scroll_, added] {
            scroll->ensureWidgetVisible(added); // the newest, at the bottom
        });
}

void FilesPanel::setContactName(const QString& name) {
    if (name == contactName_)
        return;
    contactName_ = name;
    refresh();
}

QString FilesPanel::contactName() const {
    return contactName_.isEmpty() ? tr("Contact") : contactName_;
}

void FilesPanel::tick() {
    if (isVisible())
        refresh();
}

int FilesPanel::sendFiles(const QStringList& paths) {
    int sent = 0;
    QStringList problems;
    for (const QString& path : paths) {
        // Checked here (a stat), stored on the engine's action thread (see TransferRow).
        const QString error = engine_.checkSendable(path);
        if (!error.isEmpty()) {
            problems << error;
            continue;
        }
        engine_.post([&e = engine_, path] {
            QString late;
            if (e.send(path, &late).isEmpty())
                qCWarning(lcFiles).noquote() << "cannot send:" << late;
        });
        ++sent;
    }
    status_->setText(problems.isEmpty() ? tr("%n file(s) offered", nullptr, sent)
                                        : problems.join(QStringLiteral("; ")));
    refresh();
    return sent;
}

void FilesPanel::chooseFiles() {
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Send files"));
    if (!paths.isEmpty())
        sendFiles(paths);
}

bool FilesPanel::eventFilter(QObject* watched, QEvent* event) {
    const auto type = event->type();
    if (type != QEvent::DragEnter && type != QEvent::DragMove && type != QEvent::Drop)
        return false;
    auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget || widget->window() != window())
        return false;
    auto* drop = static_cast<QDropEvent*>(event);
    QStringList paths;
    for (const QUrl& url : drop->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty())
        return false;
    if (type == QEvent::Drop) {
        drop->acceptProposedAction();
        sendFiles(paths);
    } else {
        drop->acceptProposedAction();
    }
    return true;
}

} // namespace charla::files
