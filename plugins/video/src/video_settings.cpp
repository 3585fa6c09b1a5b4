#include "video_settings.h"

#include <QSettings>

#include <algorithm>

namespace charla::video {

VideoSettings VideoSettings::load(QSettings& settings) {
    VideoSettings s;
    s.source = settings.value("source", s.source).toString();
    s.width = std::clamp(settings.value("width", s.width).toInt(), 16, kMaxDimension);
    s.height = std::clamp(settings.value("height", s.height).toInt(), 16, kMaxDimension);
    s.fps = std::clamp(settings.value("fps", s.fps).toInt(), 1, 60);
    s.quality = std::clamp(settings.value("quality", s.quality).toInt(), 10, 100);
    s.cameraOn = settings.value("camera_on", s.cameraOn).toBool();
    s.selfView = settings.value("self_view", s.selfView).toBool();
    return s;
}

void VideoSettings::save(QSettings& settings) const {
    settings.setValue("source", source);
    settings.setValue("width", width);
    settings.setValue("height", height);
    settings.setValue("fps", fps);
    settings.setValue("quality", quality);
    settings.setValue("camera_on", cameraOn);
    settings.setValue("self_view", selfView);
}

VideoConfig VideoSettings::toConfig(const std::optional<std::string>& sourceOverride) const {
    VideoConfig c;
    c.source = SourceSpec::parse(sourceOverride ? *sourceOverride : source.toStdString());
    c.format = {width, height, fps};
    c.quality = quality;
    return c;
}

} // namespace charla::video
