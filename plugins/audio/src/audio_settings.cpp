#include "audio_settings.h"

#include "audio_logging.h"

#include <QSettings>

namespace charla::audio {

namespace {
std::optional<int> intOption(const std::optional<std::string>& value, int min, int max,
                             const char* name) {
    if (!value)
        return std::nullopt;
    bool ok = false;
    const int v = QString::fromStdString(*value).toInt(&ok);
    if (!ok || v < min || v > max) {
        qCWarning(lcAudio).noquote() << QString("ignoring audio.%1 = %2: expected %3..%4")
                                            .arg(name, QString::fromStdString(*value),
                                                 QString::number(min), QString::number(max));
        return std::nullopt;
    }
    return v;
}
} // namespace

AudioSettings AudioSettings::load(QSettings& settings) {
    AudioSettings s;
    s.input = settings.value("input").toString().toStdString();
    s.output = settings.value("output").toString().toStdString();
    s.processing = settings.value("processing", true).toBool();
    return s;
}

void AudioSettings::save(QSettings& settings) const {
    settings.setValue("input", QString::fromStdString(input));
    settings.setValue("output", QString::fromStdString(output));
    settings.setValue("processing", processing);
}

EngineConfig
makeEngineConfig(const AudioSettings& settings,
                 const std::function<std::optional<std::string>(const std::string&)>& option) {
    EngineConfig config;
    config.input = settings.input;
    config.output = settings.output;
    config.processing = settings.processing;
    if (auto v = option("input"))
        config.input = *v;
    if (auto v = option("output"))
        config.output = *v;
    if (auto v = option("processing")) {
        if (*v == "on" || *v == "off")
            config.processing = *v == "on";
        else
            qCWarning(lcAudio) << "ignoring audio.processing =" << v->c_str()
                               << ": expected on or off";
    }
    if (auto v = option("codecs")) {
        const auto codecs = parseCodecList(*v);
        if (codecs.empty())
            qCWarning(lcAudio) << "ignoring audio.codecs =" << v->c_str()
                               << ": expected opus and/or pcm16";
        else
            config.codecs = codecs;
    }
    if (auto v = option("transport")) {
        if (*v == "auto" || *v == "xmlrpc")
            config.datagrams = *v == "auto";
        else
            qCWarning(lcAudio) << "ignoring audio.transport =" << v->c_str()
                               << ": expected auto or xmlrpc";
    }
    if (auto v = intOption(option("frames_per_call"), 1, 5, "frames_per_call"))
        config.framesPerCall = *v;
    if (auto v = intOption(option("bitrate"), 6000, 128000, "bitrate"))
        config.opusBitrate = *v;
    if (auto v = intOption(option("max_delay_ms"), 40, 2000, "max_delay_ms"))
        config.maxDelayMs = *v;
    if (auto v = intOption(option("opus_complexity"), 0, 10, "opus_complexity"))
        config.opusComplexity = *v;
    for (auto [name, target] : {std::pair{"input_buffer_ms", &config.inputBufferMs},
                                std::pair{"output_buffer_ms", &config.outputBufferMs}}) {
        const auto value = option(name);
        if (value && *value != "5" && *value != "10" && *value != "20")
            qCWarning(lcAudio).noquote() << QString("ignoring audio.%1 = %2: expected 5, 10 or 20")
                                                .arg(name, QString::fromStdString(*value));
        else if (value)
            *target = std::stoi(*value);
    }
    return config;
}

} // namespace charla::audio
