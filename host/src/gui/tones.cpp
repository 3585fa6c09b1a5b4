#include "gui/tones.h"

#include <QStyle>
#include <QWidget>

namespace charla::gui {

QColor toneColor(Tone tone, bool dark) {
    // Each reads at 4.5:1 or more (WCAG AA) on its scheme's window and panel.
    switch (tone) {
    case Tone::Ok:
        return dark ? QColor(0x6f, 0xd0, 0x8c) : QColor(0x1a, 0x6b, 0x2e);
    case Tone::Error:
        return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x00, 0x20);
    case Tone::Warning:
        return dark ? QColor(0xff, 0xd2, 0x7f) : QColor(0x5c, 0x44, 0x00);
    case Tone::Muted:
        return dark ? QColor(0xb4, 0xb4, 0xb4) : QColor(0x55, 0x55, 0x55);
    }
    return {};
}

QString toneStyleSheet(bool dark) {
    const auto name = [dark](Tone tone) { return toneColor(tone, dark).name(); };
    return QStringLiteral("*[charlaTone=\"ok\"] { color: %1; }"
                          "*[charlaTone=\"error\"] { color: %2; }"
                          "*[charlaTone=\"warning\"] { color: %3; }"
                          "*[charlaTone=\"muted\"] { color: %4; }"
                          "*[charlaTone=\"panel\"] { background: %5; border: 1px solid %6; "
                          "border-radius: 4px; }")
        .arg(name(Tone::Ok), name(Tone::Error), name(Tone::Warning), name(Tone::Muted),
             dark ? QStringLiteral("#1e1e1e") : QStringLiteral("#f3f3f3"),
             dark ? QStringLiteral("#3c3c3c") : QStringLiteral("#dcdcdc"));
}

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Base).lightness() < 128;
}

void setTone(QWidget* widget, const char* tone) {
    const QVariant value = tone ? QVariant(QString::fromLatin1(tone)) : QVariant();
    if (widget->property("charlaTone") == value)
        return;
    widget->setProperty("charlaTone", value);
    widget->style()->unpolish(widget);
    widget->style()->polish(widget);
}

} // namespace charla::gui
