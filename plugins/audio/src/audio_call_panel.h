// The audio controls in the call window: mute, the input level, the jitter-buffer delay and the
// loss, and the devices' status in the same words as the chat window's (audio_status_panel.h).
// Reads the engine's atomic counters on a timer: the GUI never waits on a media lock.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace charla::audio {

class AudioEngine;

class AudioCallPanel : public QWidget {
    Q_OBJECT
public:
    AudioCallPanel(AudioEngine& engine, QWidget* parent = nullptr);

    QPushButton* muteButton() const { return mute_; }
    QProgressBar* levelMeter() const { return level_; }
    QLabel* figures() const { return figures_; }

private:
    void refresh();

    AudioEngine& engine_;
    QPushButton* mute_;
    QProgressBar* level_;
    QLabel* figures_;
    QLabel* problem_;
    QTimer* timer_;
};

} // namespace charla::audio
