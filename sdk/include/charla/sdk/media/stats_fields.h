// How media plugins name their figures in a "<id>.stats" answer, written one way so that every
// plugin's stats read alike to the benchmarks and tests that fetch them. Header only (no ABI).
#pragma once

#include "latency_histogram.h"

#include <xmlrpc-c/base.hpp>

#include <map>
#include <string>

namespace charla::sdk::media {

using StatsStruct = std::map<std::string, xmlrpc_c::value>;

// A latency's percentiles as "<name>_p50_ms", "<name>_p95_ms" and "<name>_p99_ms" (-1: no
// samples yet).
inline void putPercentiles(StatsStruct& stats, const std::string& name, const LatencyBins& bins) {
    for (int p : {50, 95, 99})
        stats.insert_or_assign(name + "_p" + std::to_string(p) + "_ms",
                               xmlrpc_c::value_double(bins.percentileMs(p)));
}

} // namespace charla::sdk::media
