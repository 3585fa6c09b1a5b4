#include "text_panel.h"

#include "composer_edit.h"
#include "message_format.h"
#include "text_chat.h"

#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace charla::text {

TextPanel::TextPanel(TextChat& chat, QWidget* parent)
    : QWidget(parent), chat_(&chat), view_(new QTextBrowser(this)),
      composer_(new ComposerEdit(this)), sendButton_(new QPushButton(tr("Send"), this)),
      hint_(new QLabel(this)) {
    setObjectName(QStringLiteral("textPanel"));
    view_->setObjectName(QStringLiteral("conversationView"));
    composer_->setObjectName(QStringLiteral("composer"));
    sendButton_->setObjectName(QStringLiteral("sendButton"));
    hint_->setObjectName(QStringLiteral("composerHint"));

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
    connect(&chat.conversation(), &Conversation::messageAdded, this,
            &TextPanel::renderConversation);
    connect(&chat.conversation(), &Conversation::messageChanged, this,
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
    // Follow new messages only when the user is not reading further up.
    QScrollBar* bar = view_->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum();
    const int position = bar->value();
    view_->setHtml(conversationHtml(chat_->conversation().messages()));
    bar->setValue(atBottom ? bar->maximum() : position);
}

void TextPanel::openLink(const QUrl& url) {
    if (const QUuid id = retryTarget(url.toString()); chat_ && !id.isNull())
        chat_->retry(id);
}

} // namespace charla::text
