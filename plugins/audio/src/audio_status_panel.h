// What the audio plugin puts in the chat window: one compact line about the devices ("No
// microphone found: in calls you can listen but not speak."), shown only when something is
// missing and dismissible; the call controls (mute, level) live in the call window only.
// deviceStatus() is the one wording of the devices' state, used here and in the call panel.
#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace charla::audio {

class AudioEngine;

// "" when both devices are there and working.
QString deviceStatus(const AudioEngine& engine);

class AudioStatusPanel : public QFrame {
    Q_OBJECT
public:
    explicit AudioStatusPanel(AudioEngine& engine, QWidget* parent = nullptr);

private:
    void refresh();

    AudioEngine& engine_;
    QLabel* text_;
    QToolButton* dismiss_;
    QString dismissed_; // the status the user closed; a new one shows again
};

} // namespace charla::audio
