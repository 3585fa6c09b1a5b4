// The call as plugins see it. The host owns the call flow (call.invite / call.answer /
// call.hangup, docs/protocol.md); media plugins only react: stream while the call is active,
// in the directions both sides announced through host.hello (PeerInfo).
#pragma once

#include <cstdint>
#include <string>

namespace charla::sdk {

struct CallInfo {
    enum class State {
        Idle,     // no call
        Outgoing, // we invited, the peer's phone is ringing
        Incoming, // the peer invited, ours is ringing
        Active,   // both accepted: media flows
    };
    State state = State::Idle;
    std::string id; // the call id (UUID), empty when idle

    bool active() const { return state == State::Active; }
};

// A call that is over, for a plugin's history (PluginContext::onCallEnded, SDK 1.3).
struct CallRecord {
    enum class Direction { Outgoing, Incoming };
    enum class Outcome {
        Completed,         // answered, then ended by either side or lost with the connection
        Missed,            // incoming, never answered: it rang out or the contact gave up
        Declined,          // incoming, declined here
        DeclinedByContact, // outgoing, the contact declined
        Cancelled,         // outgoing, hung up here before the contact answered
        NoAnswer,          // outgoing, the contact never answered (rang out, went offline)
        Failed,            // could not be placed or connected (the request did not get through)
    };
    std::string id; // the call id (UUID)
    Direction direction = Direction::Outgoing;
    Outcome outcome = Outcome::Completed;
    std::int64_t startedMs = 0; // when it began to ring, ms since the Unix epoch (UTC)
    std::int64_t activeMs = 0;  // how long it was active; 0 when it never was
};

} // namespace charla::sdk
