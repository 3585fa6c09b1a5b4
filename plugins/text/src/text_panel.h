// The chat panel: the conversation above, the composer and its Send button below. Tests find the
// widgets by objectName: "conversationView" (QTextBrowser), "composer" (QPlainTextEdit),
// "sendButton" (QPushButton), "composerHint" (QLabel, why the text cannot be sent).
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;
class QUrl;

namespace charla::text {

class ComposerEdit;
class TextChat;

class TextPanel : public QWidget {
    Q_OBJECT
public:
    explicit TextPanel(TextChat& chat, QWidget* parent = nullptr);

private:
    void submit();
    void updateSendButton();
    void renderConversation();
    void openLink(const QUrl& url);

    QPointer<TextChat>
        chat_; // the plugin deletes the panel first, but a stray event must not crash
    QTextBrowser* view_;
    ComposerEdit* composer_;
    QPushButton* sendButton_;
    QLabel* hint_;
};

} // namespace charla::text
