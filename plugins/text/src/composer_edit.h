// The message editor: Enter submits, Shift+Enter starts a new line.
#pragma once

#include <QPlainTextEdit>

namespace charla::text {

class ComposerEdit : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit ComposerEdit(QWidget* parent = nullptr);

signals:
    void submitRequested();

protected:
    void keyPressEvent(QKeyEvent* event) override;
};

} // namespace charla::text
