// The chat panel: the conversation above, the composer and its Send button below. Tests find the
// widgets by objectName: "conversationView" (QTextBrowser), "composer" (QPlainTextEdit),
// "sendButton" (QPushButton), "composerHint" (QLabel, why the text cannot be sent),
// "jumpToLatestButton" (QToolButton over the conversation: new messages below while the user
// reads further up).
//
// The search bar ("searchBar", hidden until Ctrl+F): "searchEdit" (QLineEdit), "searchStatus"
// (QLabel: "2 of 14", "No results"), "searchOlder"/"searchNewer" (QToolButtons; Enter and
// Shift+Enter in the edit do the same), "searchClose" (Esc too). Each result brings its message
// into view and selects it.
//
// Opening: at the first message from the contact the user has not seen (under a "New messages"
// line), else at the newest. A message counts as seen once it has been on screen while the
// window was not minimised.
//
// Scrolling: the view follows the newest message while the user is at the bottom (and always
// after they send), and keeps its place while they read further up. Only the user's own scroll
// actions change that; the view's range changing under a re-render or a lazy layout does not.
#pragma once

#include "message_format.h"

#include <QPointer>
#include <QWidget>

#include <utility>
#include <vector>

class QLabel;
class QLineEdit;
class QPushButton;
class QTextBrowser;
class QTimer;
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
    void openSearch();
    void closeSearch();
    void runSearch();
    void showResult(int step); // +1: the next older result, -1: the next newer one
    // Brings the message stored as `seq` to the top of the view and keeps it there (through
    // re-renders and resizes) until the user scrolls; false if it is not in the conversation.
    bool scrollToMessage(qint64 seq);
    void indexAnchors();
    qreal messageTop(int anchorIndex) const;
    void markSeen();
    void selectMessage(qint64 seq);
    void updateSendButton();
    void renderConversation();
    void openLink(const QUrl& url);
    void followLatest();
    void userScrolled();
    void rangeChanged();
    void placeJumpButton();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    QPointer<TextChat>
        chat_; // the plugin deletes the panel first, but a stray event must not crash
    QTextBrowser* view_;
    ComposerEdit* composer_;
    QPushButton* sendButton_;
    QLabel* hint_;
    QToolButton* jump_;
    QWidget* searchBar_;
    QLineEdit* searchEdit_;
    QLabel* searchStatus_;
    bool following_ = true; // at the newest message, and stays there as messages come
    int readingAt_ = 0;     // where the user reads while not following
    qint64 pinnedSeq_ = 0;  // a message held at the top (first unread, search result)
    qint64 firstUnreadSeq_ = 0;
    ShownRange shown_; // the part of the conversation the view holds
    // Each stored message's first block, in order: (block number, seq).
    std::vector<std::pair<int, qint64>> anchors_;
    QTimer* searchTimer_;         // searches a moment after the user stops typing
    QString searchedFor_;         // what results_ holds the matches of
    std::vector<qint64> results_; // the search's matches, newest first
    int resultIndex_ = -1;
    bool watchingWindow_ = false;
};

} // namespace charla::text
