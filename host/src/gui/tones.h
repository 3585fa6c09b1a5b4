#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

class QWidget;

namespace charla::gui {

// Colours that mean something, in both schemes, so no widget hard-codes one that only reads on
// white. A widget (the host's or a plugin's) asks for a tone with the dynamic property
// `charlaTone`: "ok", "error", "warning", "muted" (a quiet note) or "panel" (a box set off from
// the window); the application's style sheet, toneStyleSheet(), colours it for the scheme in use.
enum class Tone { Ok, Error, Warning, Muted };
QColor toneColor(Tone tone, bool dark);
// Gives a widget a tone ("ok", "error", ...) or none (nullptr) once it is on screen: a dynamic
// property only takes effect in the style sheet when the widget is polished again.
void setTone(QWidget* widget, const char* tone);
QString toneStyleSheet(bool dark);
// Whether a palette is a dark one (its base darker than mid-grey).
bool isDark(const QPalette& palette);

} // namespace charla::gui
