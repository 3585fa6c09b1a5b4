// A call that ended, as the conversation keeps it: a line in the history between the messages
// ("Missed call", "Call · 12 min"), from the host's call records (sdk::CallRecord, SDK 1.3).
#pragma once

#include <charla/sdk/call.h>

#include <QString>
#include <QtGlobal>

#include <optional>

namespace charla::text {

using CallOutcome = sdk::CallRecord::Outcome;

struct CallEntry {
    CallOutcome outcome = CallOutcome::Completed;
    qint64 activeMs = 0; // how long it was active (Completed)
    bool operator==(const CallEntry&) const = default;
};

// The outcome's name in the message store ("missed", "declined_by_contact"...), and back
// (nullopt for a name this version does not know).
QString outcomeName(CallOutcome outcome);
std::optional<CallOutcome> outcomeFromName(const QString& name);

} // namespace charla::text
