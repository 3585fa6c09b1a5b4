// The user's video settings, kept in QSettings group "plugins/video".
#pragma once

#include "video_engine.h"

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

    static VideoSettings load();
    void save() const;
    // The engine configuration, with `sourceOverride` (--camera) taking the source's place.
    VideoConfig toConfig(const std::optional<std::string>& sourceOverride = std::nullopt) const;
    bool operator==(const VideoSettings&) const = default;
};

} // namespace charla::video
