// The audio page of the Settings dialog: input and output device, echo cancellation and noise
// suppression. The dialog's OK and Apply save the choices (apply()); devices take effect the next
// time the plugin starts (a device cannot be swapped under a running call), processing at once.
// Cancel shows the saved choices again (revert()).
#pragma once

#include "audio_device.h"
#include "audio_settings.h"

#include <charla/sdk/plugin.h>
#include <charla/sdk/settings_page.h>

#include <QWidget>

class QCheckBox;
class QComboBox;

namespace charla::audio {

class AudioEngine;

class AudioSettingsPage : public QWidget, public sdk::SettingsPage {
    Q_OBJECT
public:
    AudioSettingsPage(AudioEngine& engine, sdk::PluginContext& context, QWidget* parent = nullptr);

    QComboBox* inputBox() const { return input_; }
    QComboBox* outputBox() const { return output_; }
    QCheckBox* processingBox() const { return processing_; }

    void apply() override;
    void revert() override;

private:
    AudioSettings shown() const;

    AudioEngine& engine_;
    sdk::PluginContext& context_;
    PortAudioLibrary portAudio_; // for the device list, while the page is open
    QComboBox* input_;
    QComboBox* output_;
    QCheckBox* processing_;
};

} // namespace charla::audio
