// The stats convention of a media pipeline: each stage (capture, send, receive, play/decode)
// owns its counters and figures and fills its part of the plugin's stats struct in
// `void addTo(Stats&) const`; the plugin gathers them for its stats method and its panel. A
// stage's figures then change with the stage alone. Header only (no ABI).
#pragma once

namespace charla::sdk::media {

// A Stats filled by every stage in turn (a later stage may refine what an earlier one set).
template <typename Stats, typename... Stages> Stats gatherStats(const Stages&... stages) {
    Stats stats{};
    (stages.addTo(stats), ...);
    return stats;
}

} // namespace charla::sdk::media
