// What the user chose, remembered in the plugin's own settings (PluginContext::settings(),
// SDK 1.2), and how command-line
// options (--plugin-option audio.KEY=VALUE) override it for one run.
#pragma once

#include "audio_engine.h"

#include <QSettings>

#include <functional>
#include <optional>
#include <string>

namespace charla::audio {

struct AudioSettings {
    std::string input; // "" = system default, "none", or a PortAudio device name
    std::string output;
    bool processing = true;

    // `settings` is the plugin's group (PluginContext::settings()).
    static AudioSettings load(QSettings& settings);
    void save(QSettings& settings) const;
};

// Settings, then options on top: input, output, processing (on|off), codecs ("opus,pcm16"),
// frames_per_call (1..5), bitrate (Opus bits/s), max_delay_ms, opus_complexity (0..10),
// input_buffer_ms and output_buffer_ms (5, 10 or 20). Unknown or malformed values are ignored with
// a warning.
EngineConfig
makeEngineConfig(const AudioSettings& settings,
                 const std::function<std::optional<std::string>(const std::string&)>& option);

} // namespace charla::audio
