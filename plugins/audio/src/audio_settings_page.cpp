#include "audio_settings_page.h"

#include "audio_device.h"
#include "audio_engine.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>

namespace charla::audio {

namespace {

// Entries carry the setting value as item data: "" default, "none", or the device name.
void fill(QComboBox* box, const std::vector<DeviceInfo>& devices, bool input,
          const std::string& current) {
    box->clear();
    box->addItem(QObject::tr("System default"), QString());
    box->addItem(QObject::tr("None"), QString::fromLatin1(kNoDevice));
    for (const DeviceInfo& d : devices) {
        if ((input ? d.inputChannels : d.outputChannels) <= 0)
            continue;
        const QString name = QString::fromStdString(d.name);
        if (box->findData(name) < 0)
            box->addItem(QStringLiteral("%1 (%2)").arg(name, QString::fromStdString(d.hostApi)),
                         name);
    }
    const QString value = QString::fromStdString(current == "default" ? "" : current);
    int index = box->findData(value);
    if (index < 0) { // remembered but not present now: keep it visible, marked
        box->addItem(QObject::tr("%1 (not available)").arg(value), value);
        index = box->count() - 1;
    }
    box->setCurrentIndex(index);
}

} // namespace

AudioSettingsPage::AudioSettingsPage(AudioEngine& engine, sdk::PluginContext& context,
                                     QWidget* parent)
    : QWidget(parent), engine_(engine), context_(context), input_(new QComboBox(this)),
      output_(new QComboBox(this)),
      processing_(new QCheckBox(tr("Echo cancellation and noise suppression"), this)) {
    processing_->setObjectName("audioProcessingBox");
    auto* form = new QFormLayout(this);
    form->addRow(tr("Microphone:"), input_);
    form->addRow(tr("Speaker:"), output_);
    form->addRow(processing_);
    auto* note = new QLabel(tr("Device changes apply the next time audio starts."), this);
    note->setWordWrap(true);
    form->addRow(note);
    revert(); // shows what is saved
}

AudioSettings AudioSettingsPage::shown() const {
    AudioSettings s;
    s.input = input_->currentData().toString().toStdString();
    s.output = output_->currentData().toString().toStdString();
    s.processing = processing_->isChecked();
    return s;
}

void AudioSettingsPage::apply() {
    const AudioSettings s = shown();
    s.save(*context_.settings());
    engine_.setProcessing(s.processing);
}

void AudioSettingsPage::revert() {
    const AudioSettings saved = AudioSettings::load(*context_.settings());
    const std::vector<DeviceInfo> devices = listDevices();
    fill(input_, devices, true, saved.input);
    fill(output_, devices, false, saved.output);
    processing_->setChecked(saved.processing);
}

} // namespace charla::audio
