// The ids of messages already received, so that a sender's retry (same id) is acknowledged
// without being shown twice. Thread-safe: text.send handlers run concurrently.
#pragma once

#include <QSet>
#include <QUuid>

#include <mutex>

namespace charla::text {

class SeenMessageIds {
public:
    // True if `id` was new (and is now remembered), false if it had been seen before.
    bool insert(const QUuid& id);
    bool contains(const QUuid& id) const;

private:
    mutable std::mutex mutex_;
    QSet<QUuid> ids_;
};

} // namespace charla::text
