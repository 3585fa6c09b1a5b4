// The video part of the call window: the peer's picture large, our own small in a corner (can be
// hidden), a camera on/off button and a stats line with fps, latency and kbps each way.
// New pictures arrive from the engine's threads as a coalesced queued call: the GUI thread never
// waits on a media lock longer than a shared_ptr copy.
#pragma once

#include "video_engine.h"

#include <QCoreApplication>
#include <QWidget>

#include <atomic>
#include <functional>

class QLabel;
class QToolButton;

namespace charla::video {

class VideoView;

class VideoCallPanel : public QWidget {
    // No Q_OBJECT: without this, tr() would translate in QWidget's context, not this class's.
    Q_DECLARE_TR_FUNCTIONS(charla::video::VideoCallPanel)

public:
    struct Callbacks {
        std::function<void(bool on)> cameraToggled;
        std::function<void(bool visible)> selfViewToggled;
        // Switches the source to the screen and back; returns why it could not (empty: done).
        std::function<QString(bool on)> screenShareToggled;
    };
    VideoCallPanel(VideoEngine& engine, bool selfViewVisible, Callbacks callbacks,
                   QWidget* parent = nullptr);
    ~VideoCallPanel() override;

    VideoView* remoteView() const { return remote_; }
    VideoView* selfView() const { return self_; }
    QToolButton* cameraButton() const { return cameraButton_; }
    QToolButton* selfViewButton() const { return selfViewButton_; }
    QToolButton* screenButton() const { return screenButton_; }
    QLabel* statsLabel() const { return stats_; }
    // Pulls the newest pictures and the stats now (normally driven by the engine and a timer).
    void refresh();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void refreshPictures();
    void refreshStats();
    void placeSelfView();
    void updateCameraButton();

    VideoEngine& engine_;
    Callbacks callbacks_;
    VideoView* remote_ = nullptr;
    VideoView* self_ = nullptr;
    QToolButton* cameraButton_ = nullptr;
    QToolButton* selfViewButton_ = nullptr;
    QToolButton* screenButton_ = nullptr;
    QLabel* stats_ = nullptr;
    int listener_ = 0;
    std::atomic<bool> refreshPending_{false};
};

} // namespace charla::video
