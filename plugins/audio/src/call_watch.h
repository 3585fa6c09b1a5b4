// The call as the audio workers see it, and the latest device problem. AudioEngine::setCall()
// changes the call (GUI thread); the capture and playout threads wait for the state they need.
#pragma once

#include "codec.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

namespace charla::audio {

// How often the device threads look at the call state and the device's health.
inline constexpr std::chrono::milliseconds kDeviceWait{100};

// Which tone a call that is not answered yet sounds (ring_stage.h).
enum class Ring { None, Incoming, Outgoing };

struct CallState {
    bool active = false;
    Ring ring = Ring::None; // set while the call rings (the host's Incoming or Outgoing)
    std::optional<Codec> sendCodec;
    std::uint64_t callNumber = 0; // bumped when a call becomes active
};

class CallWatch {
public:
    CallState current() const;
    // Applies `change` under the lock; waiters see it at notify().
    void change(const std::function<void(CallState&)>& change);
    void notify();
    // Waits until `pred(state)` or stop; returns the state then.
    CallState waitFor(std::stop_token stop, const std::function<bool(const CallState&)>& pred);
    // The same, but returns after `timeout` at the latest.
    CallState waitFor(std::stop_token stop, const std::function<bool(const CallState&)>& pred,
                      std::chrono::milliseconds timeout);

private:
    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    CallState state_;
};

// The latest device problem, for the user (logged as it happens).
class DeviceProblem {
public:
    void set(const std::string& problem);
    std::string get() const;

private:
    mutable std::mutex mutex_;
    std::string problem_;
};

// What a device stage (capture, playout) is given: its device, its buffer, the call it follows
// and where it reports a device's failure.
struct DeviceStageSetup {
    std::optional<int> device; // the PortAudio device; nullopt: none (the thread returns at once)
    int bufferMs = 0;
    CallWatch& call;
    DeviceProblem& problem;
};

} // namespace charla::audio
