// The chat panel: the conversation above, the composer and its Send button below. Tests find the
// widgets by objectName: "conversationView" (QTextBrowser), "composer" (QPlainTextEdit),
// "sendButton" (QPushButton), "composerHint" (QLabel, why the text cannot be sent),
// "jumpToLatestButton" (QToolButton over the conversation: new messages below while the user
// reads further up).
//
// Scrolling: the view follows the newest message while the user is at the bottom (and always
// after they send), and keeps its place while they read further up. Only the user's own scroll
// actions change that; the view's range changing under a re-render or a lazy layout does not.
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;
class QToolButton;
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
    void followLatest();
    void userScrolled();
    void rangeChanged();
    void placeJumpButton();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QPointer<TextChat>
        chat_; // the plugin deletes the panel first, but a stray event must not crash
    QTextBrowser* view_;
    ComposerEdit* composer_;
    QPushButton* sendButton_;
    QLabel* hint_;
    QToolButton* jump_;
    bool following_ = true; // at the newest message, and stays there as messages come
    int readingAt_ = 0;     // where the user reads while not following
};

} // namespace charla::text
