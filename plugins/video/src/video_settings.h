// The user's video settings, kept in the plugin's own settings (PluginContext::settings()).
#pragma once

#include "video_engine.h"

#include <QSettings>
#include <QString>

namespace charla::video {

struct VideoSettings {
    QString source = QStringLiteral("0"); // see video_source.h for the forms
    int width = 640;
    int height = 480;
    int fps = 30;
    int quality = 75;
    bool cameraOn = true;
    bool selfView = true;

    // `settings` is the plugin's group (PluginContext::settings()).
    static VideoSettings load(QSettings& settings);
    void save(QSettings& settings) const;
    // The engine configuration, with `sourceOverride` (--camera) taking the source's place.
    VideoConfig toConfig(const std::optional<std::string>& sourceOverride = std::nullopt) const;
    bool operator==(const VideoSettings&) const = default;
};

} // namespace charla::video
