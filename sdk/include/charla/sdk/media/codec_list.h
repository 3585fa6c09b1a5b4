// Codec negotiation for media plugins, the way audio and video do it: each side announces its
// codecs in host.hello params as {"codecs": "<name>,<name>"} (its own preference order); a sender
// uses the first of its own codecs that the peer lists; a peer without the param offers only the
// codec every implementation has (the table says which). Header only (no ABI). One table per
// plugin is all its codec naming needs:
//
//   enum class Codec { Opus, Pcm16 };
//   inline constexpr charla::sdk::media::CodecNames<Codec, 2> kCodecs{
//       {{{Codec::Opus, "opus"}, {Codec::Pcm16, "pcm16"}}}, Codec::Pcm16};
//   announcement.params[kCodecsParam] = kCodecs.format(ours);
//   std::optional<Codec> use = kCodecs.choose(ours, &peer.params);
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace charla::sdk::media {

inline constexpr char kCodecsParam[] = "codecs";

template <typename Codec, std::size_t N> struct CodecNames {
    std::array<std::pair<Codec, std::string_view>, N> entries;
    Codec assumed; // what a peer that announces no codecs speaks

    // The codec's wire name ("" for one not in the table); a C string when the table was made
    // from literals.
    constexpr std::string_view name(Codec codec) const {
        for (const auto& [c, n] : entries)
            if (c == codec)
                return n;
        return {};
    }
    constexpr std::optional<Codec> find(std::string_view name) const {
        for (const auto& [c, n] : entries)
            if (n == name)
                return c;
        return std::nullopt;
    }
    // "opus, pcm16" -> {Opus, Pcm16}: names trimmed, unknown ones skipped, repeats kept once.
    std::vector<Codec> parse(std::string_view csv) const {
        std::vector<Codec> out;
        while (!csv.empty()) {
            const std::size_t comma = csv.find(',');
            std::string_view item = csv.substr(0, comma);
            csv = comma == std::string_view::npos ? std::string_view() : csv.substr(comma + 1);
            const std::size_t first = item.find_first_not_of(" \t");
            item = first == std::string_view::npos
                       ? std::string_view()
                       : item.substr(first, item.find_last_not_of(" \t") - first + 1);
            if (const std::optional<Codec> c = find(item);
                c && std::find(out.begin(), out.end(), *c) == out.end())
                out.push_back(*c);
        }
        return out;
    }
    std::string format(const std::vector<Codec>& codecs) const {
        std::string out;
        for (Codec c : codecs) {
            if (!out.empty())
                out += ',';
            out += name(c);
        }
        return out;
    }
    // Our first codec that the peer's params list; a peer that announced no "codecs" offers only
    // `assumed`. nullopt: nothing in common.
    std::optional<Codec> choose(const std::vector<Codec>& ours,
                                const std::map<std::string, std::string>* peerParams) const {
        std::vector<Codec> theirs{assumed};
        if (peerParams)
            if (const auto it = peerParams->find(kCodecsParam); it != peerParams->end())
                theirs = parse(it->second);
        for (Codec c : ours)
            if (std::find(theirs.begin(), theirs.end(), c) != theirs.end())
                return c;
        return std::nullopt;
    }
};

} // namespace charla::sdk::media
