// Command-line options over settings: valid values are taken, malformed ones ignored (with a
// warning) so that the default stays.
#include "audio_settings.h"

#include <gtest/gtest.h>

#include <map>

namespace charla::audio {
namespace {

EngineConfig configWith(const std::map<std::string, std::string>& options) {
    return makeEngineConfig(AudioSettings{}, [&](const std::string& key) {
        const auto it = options.find(key);
        return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
}

TEST(AudioSettings, DeviceBuffersAndComplexityDefaults) {
    const EngineConfig config = configWith({});
    EXPECT_EQ(config.inputBufferMs, 10);
    EXPECT_EQ(config.outputBufferMs, 20);
    EXPECT_EQ(config.opusComplexity, 1);
}

TEST(AudioSettings, DeviceBuffersAndComplexityFromOptions) {
    const EngineConfig config = configWith(
        {{"input_buffer_ms", "20"}, {"output_buffer_ms", "5"}, {"opus_complexity", "5"}});
    EXPECT_EQ(config.inputBufferMs, 20);
    EXPECT_EQ(config.outputBufferMs, 5);
    EXPECT_EQ(config.opusComplexity, 5);
}

TEST(AudioSettings, MalformedValuesLeaveTheDefaults) {
    for (const std::string bad : {"7", "0", "-10", "ten", "", "10ms", "999999999999"}) {
        const EngineConfig config =
            configWith({{"input_buffer_ms", bad}, {"output_buffer_ms", bad}});
        EXPECT_EQ(config.inputBufferMs, 10) << bad;
        EXPECT_EQ(config.outputBufferMs, 20) << bad;
    }
    for (const std::string bad : {"-1", "11", "ten", "", "5x"})
        EXPECT_EQ(configWith({{"opus_complexity", bad}}).opusComplexity, 1) << bad;
}

} // namespace
} // namespace charla::audio
