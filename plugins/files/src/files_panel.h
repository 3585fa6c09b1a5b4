// The chat window's strip of file transfers: "Send file…", drops of files anywhere on the chat
// window, and one row per transfer (offer with Accept/Decline, progress with rate and time left,
// pause/resume/cancel, a thumbnail for a received or sent picture that opens on click).
#pragma once

#include "transfer_engine.h"

#include <QHash>
#include <QThreadPool>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QTimer;
class QVBoxLayout;

namespace charla::files {

class TransferRow;

class FilesPanel : public QWidget {
    Q_OBJECT
public:
    FilesPanel(TransferEngine& engine, QWidget* parent = nullptr);
    ~FilesPanel() override;
    // Rebuilds rows for transfers that appeared or changed state (GUI thread).
    void refresh();
    // Offers every local file among `paths`; returns how many were offered.
    int sendFiles(const QStringList& paths);
    // Who the rows name ("From Bob: photo.png"); empty: "Contact" (no hello yet, ever).
    void setContactName(const QString& name);
    QString contactName() const;
    // Decodes a picture's thumbnail off the GUI thread and hands it to `row` when ready (never,
    // if the row is gone or the file is no picture Qt reads within the bounds below).
    void requestThumbnail(const QString& path, TransferRow* row);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void chooseFiles();
    void tick();

    TransferEngine& engine_;
    QVBoxLayout* rows_;
    QScrollArea* scroll_;
    QLabel* status_;
    QTimer* timer_;
    QHash<QString, TransferRow*> rowByKey_;
    QString contactName_;
    // One thread: thumbnails come one after another, and a huge picture delays only the others'.
    QThreadPool thumbnails_;
};

} // namespace charla::files
