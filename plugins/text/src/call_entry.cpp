#include "call_entry.h"

#include <array>
#include <utility>

namespace charla::text {

namespace {

// Stored as words, not numbers: a row read by hand (sqlite3) says what happened.
constexpr std::array<std::pair<CallOutcome, const char*>, 7> kNames{{
    {CallOutcome::Completed, "completed"},
    {CallOutcome::Missed, "missed"},
    {CallOutcome::Declined, "declined"},
    {CallOutcome::DeclinedByContact, "declined_by_contact"},
    {CallOutcome::Cancelled, "cancelled"},
    {CallOutcome::NoAnswer, "no_answer"},
    {CallOutcome::Failed, "failed"},
}};

} // namespace

QString outcomeName(CallOutcome outcome) {
    for (const auto& [value, name] : kNames)
        if (value == outcome)
            return QLatin1String(name);
    return QStringLiteral("completed");
}

std::optional<CallOutcome> outcomeFromName(const QString& name) {
    for (const auto& [value, text] : kNames)
        if (name == QLatin1String(text))
            return value;
    return std::nullopt;
}

} // namespace charla::text
