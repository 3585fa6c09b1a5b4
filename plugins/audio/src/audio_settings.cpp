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

// A two-way option: true for `yes`, false for `no`; anything else is ignored with a warning.
std::optional<bool> switchOption(const std::optional<std::string>& value, const char* name,
                                 const char* yes, const char* no) {
    if (!value)
        return std::nullopt;
    if (*value == yes || *value == no)
        return *value == yes;
    qCWarning(lcAudio).noquote() << QString("ignoring audio.%1 = %2: expected %3 or %4")
                                        .arg(name, QString::fromStdString(*value), yes, no);
    return std::nullopt;
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
    if (auto v = switchOption(option("processing"), "processing", "on", "off"))
        config.processing = *v;
    if (auto v = option("codecs")) {
        const auto codecs = kCodecs.parse(*v);
        if (codecs.empty())
            qCWarning(lcAudio) << "ignoring audio.codecs =" << v->c_str()
                               << ": expected opus and/or pcm16";
        else
            config.codecs = codecs;
    }
    if (auto v = switchOption(option("transport"), "transport", "auto", "xmlrpc"))
        config.datagrams = *v; // auto: datagrams when both sides offer them
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
