// The keys of an action: the platform's standard ones plus the key Linux desktops use. The
// standard list depends on the platform theme (the offscreen and Windows schemes have no Quit
// key at all), so Ctrl+Q and Ctrl+W are always added.
#pragma once

#include <QKeySequence>
#include <QList>

namespace charla::gui {

inline QList<QKeySequence> shortcuts(QKeySequence::StandardKey standard, QKeyCombination always) {
    QList<QKeySequence> keys = QKeySequence::keyBindings(standard);
    if (!keys.contains(QKeySequence(always)))
        keys.prepend(QKeySequence(always));
    return keys;
}

} // namespace charla::gui
