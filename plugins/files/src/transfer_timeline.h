// Transfers as lines of the conversation's history (SDK 1.4 timeline events, kept by the text
// plugin): "📎 photo.png · 2.3 MB — received" between the messages, on both sides, in the order
// they were offered. A line is posted when a transfer is offered and rewritten when its fate is
// known (received, sent, declined, cancelled, failed); progress stays in the files panel.
// Each line goes with its record (SDK 1.5): what it means (fate, name, size, reason) rather than
// words, so the history has it worded again (render()) in the language of the moment when shown.
#pragma once

#include "transfer_store.h"

#include <charla/sdk/timeline.h>

#include <QCoreApplication>
#include <QHash>
#include <QString>

#include <optional>
#include <string>
#include <vector>

namespace charla::files {

// "2.3 MB", in the user's locale (SI units, as the panel shows sizes).
QString bytesText(qint64 bytes);

class TransferTimeline {
    Q_DECLARE_TR_FUNCTIONS(charla::files::TransferTimeline)

public:
    // A line for the history and what it means (sdk::PluginContext::postTimelineRecord).
    struct Post {
        sdk::TimelineEvent event;
        std::string record;
    };

    // What `t`'s line means: {"fate", "name", "size", "reason"} as compact JSON.
    static std::string record(const Transfer& t);
    // The line a record reads as now: name, size and fate, one line of at most kMaxLineChars, in
    // the language of the moment; nullopt for one this version cannot read.
    static std::optional<QString> render(const std::string& record, bool outgoing);
    // The posts for the transfers whose line differs from the last one returned for them (all of
    // them on the first call: a start posts them again, the history ignores what it has).
    std::vector<Post> changes(const std::vector<Transfer>& transfers);

    static constexpr int kMaxLineChars = 300;

private:
    QHash<QString, std::string> posted_; // the record, by event key
};

} // namespace charla::files
