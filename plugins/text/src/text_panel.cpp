#include "text_panel.h"

#include "composer_edit.h"
#include "message_format.h"
#include "text_chat.h"

#include <QAbstractTextDocumentLayout>
#include <QEvent>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QTextCursor>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace charla::text {

TextPanel::TextPanel(TextChat& chat, QWidget* parent)
    : QWidget(parent), chat_(&chat), view_(new QTextBrowser(this)),
      composer_(new ComposerEdit(this)), sendButton_(new QPushButton(tr("Send"), this)),
      hint_(new QLabel(this)), jump_(new QToolButton(view_)) {
    setObjectName(QStringLiteral("textPanel"));
    view_->setObjectName(QStringLiteral("conversationView"));
    composer_->setObjectName(QStringLiteral("composer"));
    sendButton_->setObjectName(QStringLiteral("sendButton"));
    hint_->setObjectName(QStringLiteral("composerHint"));
    jump_->setObjectName(QStringLiteral("jumpToLatestButton"));
    jump_->setText(tr("↓ New messages"));
    jump_->setToolTip(tr("Jump to the latest message"));
    jump_->setAccessibleName(tr("Jump to the latest message"));
    jump_->setCursor(Qt::PointingHandCursor);
    jump_->hide();

    // Links are ours ("retry:<id>"), never something to open.
    view_->setOpenLinks(false);
    view_->setOpenExternalLinks(false);
    composer_->setPlaceholderText(tr("Write a message (Enter sends, Shift+Enter for a new line)"));
    composer_->setFixedHeight(QFontMetrics(composer_->font()).lineSpacing() * 3 + 12);
    hint_->setVisible(false);
    hint_->setStyleSheet(QStringLiteral("color: #b00020"));

    auto* composerRow = new QHBoxLayout;
    composerRow->addWidget(composer_, 1);
    composerRow->addWidget(sendButton_, 0, Qt::AlignBottom);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view_, 1);
    layout->addWidget(hint_);
    layout->addLayout(composerRow);

    connect(composer_, &ComposerEdit::submitRequested, this, &TextPanel::submit);
    connect(sendButton_, &QPushButton::clicked, this, &TextPanel::submit);
    connect(composer_, &QPlainTextEdit::textChanged, this, &TextPanel::updateSendButton);
    connect(view_, &QTextBrowser::anchorClicked, this, &TextPanel::openLink);
    connect(view_->verticalScrollBar(), &QScrollBar::actionTriggered, this,
            &TextPanel::userScrolled);
    connect(view_->verticalScrollBar(), &QScrollBar::rangeChanged, this, &TextPanel::rangeChanged);
    connect(jump_, &QToolButton::clicked, this, &TextPanel::followLatest);
    view_->installEventFilter(this);
    connect(&chat.conversation(), &Conversation::messageAdded, this, [this] {
        renderConversation();
        if (!following_) {
            jump_->show();
            placeJumpButton();
        }
    });
    connect(&chat.conversation(), &Conversation::messageChanged, this,
            &TextPanel::renderConversation);
    connect(&chat.conversation(), &Conversation::contactChanged, this,
            &TextPanel::renderConversation);

    renderConversation();
    updateSendButton();
}

void TextPanel::submit() {
    if (!chat_)
        return;
    const QString body = composer_->toPlainText();
    if (const QString problem = composeProblem(body); !problem.isEmpty()) {
        // Whitespace is silently ignored; anything else the user must know about, text kept.
        hint_->setText(problem);
        hint_->setVisible(!body.trimmed().isEmpty());
        return;
    }
    // What the user just sent is what they want to see, wherever they were reading.
    followLatest();
    if (!chat_->send(body)) {
        // Not queued (the store cannot be written): the text stays for another try.
        hint_->setText(chat_->sendError());
        hint_->setVisible(true);
        return;
    }
    composer_->clear();
    hint_->setVisible(false);
}

void TextPanel::updateSendButton() {
    sendButton_->setEnabled(!composer_->toPlainText().trimmed().isEmpty());
    hint_->setVisible(false);
}

void TextPanel::renderConversation() {
    if (!chat_)
        return;
    QScrollBar* bar = view_->verticalScrollBar();
    if (!following_)
        readingAt_ = bar->value();
    view_->setHtml(
        conversationHtml(chat_->conversation().messages(), chat_->conversation().contact()));
    // Lay the document out now, so the range is right at once; later layout passes (a resize)
    // come through rangeChanged().
    view_->document()->documentLayout()->documentSize();
    if (following_) {
        // QTextEdit shows its text cursor on the first show: keep it at the newest message,
        // or a fresh window opens scrolled to the top.
        QTextCursor end(view_->document());
        end.movePosition(QTextCursor::End);
        view_->setTextCursor(end);
    }
    rangeChanged();
}

void TextPanel::followLatest() {
    following_ = true;
    jump_->hide();
    QScrollBar* bar = view_->verticalScrollBar();
    bar->setValue(bar->maximum());
}

void TextPanel::userScrolled() {
    // Called before the slider's new position becomes its value.
    QScrollBar* bar = view_->verticalScrollBar();
    following_ = bar->sliderPosition() >= bar->maximum();
    readingAt_ = bar->sliderPosition();
    if (following_)
        jump_->hide();
}

void TextPanel::rangeChanged() {
    QScrollBar* bar = view_->verticalScrollBar();
    bar->setValue(following_ ? bar->maximum() : std::min(readingAt_, bar->maximum()));
}

void TextPanel::placeJumpButton() {
    const QRect area = view_->viewport()->geometry();
    jump_->adjustSize();
    jump_->move(area.right() - jump_->width() - 8, area.bottom() - jump_->height() - 8);
    jump_->raise();
}

bool TextPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == view_ && event->type() == QEvent::Resize)
        placeJumpButton();
    return QWidget::eventFilter(watched, event);
}

void TextPanel::openLink(const QUrl& url) {
    if (const QUuid id = retryTarget(url.toString()); chat_ && !id.isNull())
        chat_->retry(id);
}

} // namespace charla::text
