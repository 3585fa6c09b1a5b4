// Transfers as lines of the conversation's history (SDK 1.4 timeline events, kept by the text
// plugin): "📎 photo.png · 2.3 MB — received" between the messages, on both sides, in the order
// they were offered. A line is posted when a transfer is offered and rewritten when its fate is
// known (received, sent, declined, cancelled, failed); progress stays in the files panel.
#pragma once

#include "transfer_store.h"

#include <charla/sdk/timeline.h>

#include <QCoreApplication>
#include <QHash>
#include <QString>

#include <vector>

namespace charla::files {

// "2.3 MB", in the user's locale (SI units, as the panel shows sizes).
QString bytesText(qint64 bytes);

class TransferTimeline {
    Q_DECLARE_TR_FUNCTIONS(charla::files::TransferTimeline)

public:
    // The line `t` reads as: its name, size and fate (one line, at most kMaxLineChars).
    static QString lineText(const Transfer& t);
    // The events for the transfers whose line differs from the last one returned for them (all of
    // them on the first call: a start posts them again, the history ignores what it has).
    std::vector<sdk::TimelineEvent> changes(const std::vector<Transfer>& transfers);

    static constexpr int kMaxLineChars = 300;

private:
    QHash<QString, QString> posted_; // by event key
};

} // namespace charla::files
