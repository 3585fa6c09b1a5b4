// Ring: the tones of a call not answered yet, on the speaker: the ringtone while the contact
// calls us, the ringback tone while our call rings at the contact. The ring thread opens the
// speaker only while a tone sounds (opening a device may take a while: never on the GUI thread)
// and closes it when the call is answered or over; the playout stage then opens it for the call.
#pragma once

#include "call_watch.h"

#include <atomic>
#include <cstdint>
#include <stop_token>

namespace charla::audio {

struct AudioStats;

// The tones, sample by sample (48 kHz) from the moment one starts; pure, so tests check them.
// Ringtone: two 0.4 s bursts of 660 Hz 0.2 s apart, every 3 s. Ringback: 425 Hz, 1 s on, 4 s
// off (ETSI ES 201 970, what European phones play to a caller). 5 ms fades: no clicks.
std::int16_t ringSample(Ring ring, std::int64_t index);

class RingStage {
public:
    // `setup.call.ring` says which tone; a tone sounds only while the call is not active.
    explicit RingStage(DeviceStageSetup setup);
    void run(std::stop_token stop);
    void addTo(AudioStats& stats) const;

private:
    const DeviceStageSetup setup_;
    std::atomic<std::uint64_t> frames_{0};
};

} // namespace charla::audio
