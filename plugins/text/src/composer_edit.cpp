#include "composer_edit.h"

#include <QKeyEvent>

namespace charla::text {

ComposerEdit::ComposerEdit(QWidget* parent) : QPlainTextEdit(parent) {
    setTabChangesFocus(true);
}

void ComposerEdit::keyPressEvent(QKeyEvent* event) {
    if (event->key() != Qt::Key_Return && event->key() != Qt::Key_Enter)
        return QPlainTextEdit::keyPressEvent(event);
    if (event->modifiers() & Qt::ShiftModifier)
        insertPlainText(QStringLiteral("\n")); // a real newline, not Qt's U+2028 line separator
    else
        emit submitRequested();
    event->accept();
}

} // namespace charla::text
