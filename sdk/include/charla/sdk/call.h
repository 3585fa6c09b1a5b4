// The call as plugins see it. The host owns the call flow (call.invite / call.answer /
// call.hangup, docs/protocol.md); media plugins only react: stream while the call is active,
// in the directions both sides announced through host.hello (PeerInfo).
#pragma once

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

} // namespace charla::sdk
