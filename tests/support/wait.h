// Waiting in tests without blocking Qt: queued signals and timers keep running while we poll.
#pragma once

#include <chrono>
#include <functional>

namespace charla::test {

// Polls `pred` (pumping Qt events) until it holds or `timeout` passes; returns its last value.
bool waitUntil(const std::function<bool()>& pred,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Pumps Qt events for `duration`.
void pumpFor(std::chrono::milliseconds duration);

} // namespace charla::test
