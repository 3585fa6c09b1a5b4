// The video page of the Settings dialog: source, resolution, frame rate, JPEG quality, camera
// on/off and self-view. The dialog's OK and Apply hand the settings to the plugin (apply()),
// which saves them, reopens the source and tells the peer whether this side can send; Cancel
// shows the applied ones again (revert()).
#pragma once

#include "video_settings.h"

#include <charla/sdk/settings_page.h>

#include <QCoreApplication>
#include <QWidget>

#include <functional>
#include <optional>
#include <string>

class QCheckBox;
class QComboBox;
class QFileDialog;
class QLabel;
class QSpinBox;

namespace charla::video {

class VideoSettingsPage : public QWidget, public sdk::SettingsPage {
    // No Q_OBJECT: without this, tr() would translate in QWidget's context, not this class's.
    Q_DECLARE_TR_FUNCTIONS(charla::video::VideoSettingsPage)

public:
    // `apply` returns a line describing the outcome ("Sending from ...", "Receive-only: ...").
    using ApplyFn = std::function<QString(const VideoSettings&)>;
    VideoSettingsPage(const VideoSettings& settings, std::optional<std::string> sourceOverride,
                      QString status, ApplyFn apply, QWidget* parent = nullptr);

    VideoSettings settings() const;
    void apply() override;
    void revert() override;

    QComboBox* sourceBox() const { return source_; }
    // The dialog of "Video file…", once it was opened (tests).
    QFileDialog* fileDialog() const { return fileDialog_; }
    QLabel* statusLabel() const { return status_; }

private:
    static constexpr const char* kPickFile = "charla-pick-file"; // the item's data
    // A source as the box shows it ("test" as "Test pattern"), and back.
    QString shownText(const QString& source) const;
    QString sourceOf(const QString& shown) const;
    void display(const VideoSettings& settings);
    void pickFile();

    ApplyFn apply_;
    VideoSettings applied_;
    QComboBox* source_ = nullptr;
    QSpinBox* width_ = nullptr;
    QSpinBox* height_ = nullptr;
    QSpinBox* fps_ = nullptr;
    QSpinBox* quality_ = nullptr;
    QCheckBox* cameraOn_ = nullptr;
    QCheckBox* selfView_ = nullptr;
    QLabel* status_ = nullptr;
    QFileDialog* fileDialog_ = nullptr;
    QString shownSource_; // the source in the box before "Video file…" was picked
};

} // namespace charla::video
