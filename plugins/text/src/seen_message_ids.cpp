#include "seen_message_ids.h"

namespace charla::text {

bool SeenMessageIds::insert(const QUuid& id) {
    std::lock_guard lock(mutex_);
    const qsizetype before = ids_.size();
    ids_.insert(id);
    return ids_.size() != before;
}

bool SeenMessageIds::contains(const QUuid& id) const {
    std::lock_guard lock(mutex_);
    return ids_.contains(id);
}

} // namespace charla::text
