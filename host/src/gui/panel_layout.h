// How much room a plugin's panel gets: panels that want to grow (a conversation, video) share the
// space; compact ones (audio controls, a nudge button) keep their natural height.
#pragma once

#include <QLayout>
#include <QWidget>

namespace charla::gui {

inline bool wantsHeight(const QWidget* panel) {
    if (panel->sizePolicy().verticalPolicy() & QSizePolicy::ExpandFlag)
        return true;
    return panel->layout() && (panel->layout()->expandingDirections() & Qt::Vertical);
}

} // namespace charla::gui
