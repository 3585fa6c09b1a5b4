#include "video_settings_page.h"

#include "video_wire.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace charla::video {

VideoSettingsPage::VideoSettingsPage(const VideoSettings& settings,
                                     std::optional<std::string> sourceOverride, QString status,
                                     ApplyFn apply, QWidget* parent)
    : QWidget(parent), apply_(std::move(apply)), applied_(settings) {
    source_ = new QComboBox(this);
    source_->setEditable(true);
    for (const CameraDevice& camera : listCameras())
        source_->addItem(QString::fromStdString(camera.label()));
    // The built-in sources by their names in the user's language; the item's data is the source.
    source_->addItem(tr("Test pattern"), QStringLiteral("test"));
    source_->addItem(tr("Screen"), QStringLiteral("screen"));
    source_->addItem(tr("No video"), QStringLiteral("none"));
    // Picking "Video file..." opens a file dialog; its path replaces the entry (typing one works
    // too). The dialog is not modal to the caller: nothing waits on it.
    source_->addItem(tr("Video file…"), QString::fromLatin1(kPickFile));
    connect(source_, &QComboBox::currentTextChanged, this, [this](const QString& text) {
        if (source_->findData(QString::fromLatin1(kPickFile)) != source_->findText(text))
            shownSource_ = text; // what a cancelled dialog goes back to
    });
    connect(source_, &QComboBox::activated, this, [this](int index) {
        if (source_->itemData(index).toString() == QLatin1String(kPickFile))
            pickFile();
    });
    source_->setToolTip(tr("A camera (this computer's are listed), a video file, a GStreamer "
                           "pipeline ending in appsink, the built-in test pattern, the screen, "
                           "or no video"));
    width_ = new QSpinBox(this);
    width_->setRange(16, kMaxDimension);
    height_ = new QSpinBox(this);
    height_->setRange(16, kMaxDimension);
    auto* size = new QHBoxLayout;
    size->addWidget(width_);
    size->addWidget(new QLabel(QStringLiteral("x"), this));
    size->addWidget(height_);
    size->addStretch(1);
    fps_ = new QSpinBox(this);
    fps_->setObjectName("videoFpsBox");
    fps_->setRange(1, 60);
    quality_ = new QSpinBox(this);
    quality_->setRange(10, 100);
    cameraOn_ = new QCheckBox(tr("Camera on (send my video in calls)"), this);
    selfView_ = new QCheckBox(tr("Show self-view"), this);

    auto* form = new QFormLayout;
    form->addRow(tr("Source:"), source_);
    if (sourceOverride) {
        auto* note = new QLabel(tr("For this run --camera %1 replaces the source.")
                                    .arg(QString::fromStdString(*sourceOverride)),
                                this);
        note->setWordWrap(true);
        form->addRow(QString(), note);
    }
    form->addRow(tr("Resolution:"), size);
    form->addRow(tr("Frame rate:"), fps_);
    form->addRow(tr("JPEG quality:"), quality_);
    form->addRow(QString(), cameraOn_);
    form->addRow(QString(), selfView_);

    status_ = new QLabel(status, this);
    status_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(status_);
    layout->addStretch(1);
    display(settings);
}

void VideoSettingsPage::pickFile() {
    source_->setCurrentText(shownSource_); // the entry is an action, never a source
    if (!fileDialog_) {
        fileDialog_ = new QFileDialog(this, tr("Video file"), QString(),
                                      tr("Videos (*.avi *.mp4 *.mkv *.webm *.mov *.ogv *.mpg);;"
                                         "All files (*)"));
        fileDialog_->setFileMode(QFileDialog::ExistingFile);
        connect(fileDialog_, &QFileDialog::fileSelected, this, [this](const QString& path) {
            shownSource_ = path;
            source_->setCurrentText(path);
        });
    }
    fileDialog_->open();
}

QString VideoSettingsPage::shownText(const QString& source) const {
    const int named = source_->findData(source);
    return named >= 0 ? source_->itemText(named) : source;
}

QString VideoSettingsPage::sourceOf(const QString& shown) const {
    const int named = source_->findText(shown);
    const QString data = named >= 0 ? source_->itemData(named).toString() : QString();
    return data.isEmpty() || data == QLatin1String(kPickFile) ? shown : data;
}

void VideoSettingsPage::display(const VideoSettings& settings) {
    shownSource_ = shownText(settings.source); // no change signal when the box showed it already
    source_->setCurrentText(shownSource_);
    width_->setValue(settings.width);
    height_->setValue(settings.height);
    fps_->setValue(settings.fps);
    quality_->setValue(settings.quality);
    cameraOn_->setChecked(settings.cameraOn);
    selfView_->setChecked(settings.selfView);
}

VideoSettings VideoSettingsPage::settings() const {
    VideoSettings s;
    s.source = sourceOf(source_->currentText().trimmed());
    s.width = width_->value();
    s.height = height_->value();
    s.fps = fps_->value();
    s.quality = quality_->value();
    s.cameraOn = cameraOn_->isChecked();
    s.selfView = selfView_->isChecked();
    return s;
}

void VideoSettingsPage::apply() {
    if (settings() == applied_)
        return; // OK after Apply, or nothing edited: the source is not reopened for nothing
    applied_ = settings();
    if (apply_)
        status_->setText(apply_(applied_));
}

void VideoSettingsPage::revert() {
    display(applied_);
}

} // namespace charla::video
