#include "text_panel.h"

#include "composer_edit.h"
#include "message_format.h"
#include "text_chat.h"
#include "text_logging.h"

#include <QAbstractTextDocumentLayout>
#include <QDesktopServices>
#include <QEvent>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace charla::text {

namespace {

// search() returns at most this many; more reads "of 500+".
constexpr int kSearchLimit = 500;

QToolButton* searchButton(QWidget* parent, const char* name, const QString& text,
                          const QString& tip) {
    auto* button = new QToolButton(parent);
    button->setObjectName(QLatin1String(name));
    button->setText(text);
    button->setToolTip(tip);
    button->setAccessibleName(tip);
    button->setAutoRaise(true);
    return button;
}

} // namespace

TextPanel::TextPanel(TextChat& chat, QWidget* parent)
    : QWidget(parent), chat_(&chat), view_(new QTextBrowser(this)),
      composer_(new ComposerEdit(this)), sendButton_(new QPushButton(tr("Send"), this)),
      hint_(new QLabel(this)), jump_(new QToolButton(view_)), searchBar_(new QWidget(this)),
      searchEdit_(new QLineEdit(searchBar_)), searchStatus_(new QLabel(searchBar_)),
      searchTimer_(new QTimer(this)) {
    setObjectName(QStringLiteral("textPanel"));
    view_->setObjectName(QStringLiteral("conversationView"));
    composer_->setObjectName(QStringLiteral("composer"));
    // What a screen reader says on reaching them (the placeholder text is not a name).
    view_->setAccessibleName(tr("Conversation"));
    composer_->setAccessibleName(tr("Message to send"));
    sendButton_->setObjectName(QStringLiteral("sendButton"));
    hint_->setObjectName(QStringLiteral("composerHint"));
    jump_->setObjectName(QStringLiteral("jumpToLatestButton"));
    jump_->setText(tr("↓ New messages"));
    jump_->setToolTip(tr("Jump to the latest message"));
    jump_->setAccessibleName(tr("Jump to the latest message"));
    jump_->setCursor(Qt::PointingHandCursor);
    jump_->hide();

    // Links are ours ("retry:<id>") or the web links bodyHtml() made; openLink() decides.
    view_->setOpenLinks(false);
    view_->setOpenExternalLinks(false);
    composer_->setPlaceholderText(tr("Write a message (Enter sends, Shift+Enter for a new line)"));
    composer_->setFixedHeight(QFontMetrics(composer_->font()).lineSpacing() * 3 + 12);
    hint_->setVisible(false);
    hint_->setProperty("charlaTone", "error"); // coloured by the host, for its scheme

    searchBar_->setObjectName(QStringLiteral("searchBar"));
    searchEdit_->setObjectName(QStringLiteral("searchEdit"));
    searchEdit_->setPlaceholderText(tr("Search the whole conversation"));
    searchEdit_->setAccessibleName(tr("Search the conversation"));
    searchEdit_->setClearButtonEnabled(true);
    searchStatus_->setObjectName(QStringLiteral("searchStatus"));
    auto* older =
        searchButton(searchBar_, "searchOlder", QStringLiteral("↑"), tr("Older result (Enter)"));
    auto* newer = searchButton(searchBar_, "searchNewer", QStringLiteral("↓"),
                               tr("Newer result (Shift+Enter)"));
    auto* close =
        searchButton(searchBar_, "searchClose", QStringLiteral("✕"), tr("Close the search (Esc)"));
    auto* searchRow = new QHBoxLayout(searchBar_);
    searchRow->setContentsMargins(0, 0, 0, 0);
    searchRow->addWidget(searchEdit_, 1);
    searchRow->addWidget(searchStatus_);
    searchRow->addWidget(older);
    searchRow->addWidget(newer);
    searchRow->addWidget(close);
    searchBar_->hide();
    searchTimer_->setSingleShot(true);
    searchTimer_->setInterval(250);

    auto* composerRow = new QHBoxLayout;
    composerRow->addWidget(composer_, 1);
    composerRow->addWidget(sendButton_, 0, Qt::AlignBottom);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(searchBar_);
    layout->addWidget(view_, 1);
    layout->addWidget(hint_);
    layout->addLayout(composerRow);

    // Anywhere in the chat window: the panel is the window's conversation.
    auto* find = new QShortcut(QKeySequence::Find, this, this, &TextPanel::openSearch);
    find->setContext(Qt::WindowShortcut);
    // Only while the bar shows (a shortcut of a hidden widget is off), wherever the focus is.
    auto* escape = new QShortcut(Qt::Key_Escape, searchBar_, this, &TextPanel::closeSearch);
    escape->setContext(Qt::WindowShortcut);
    connect(searchEdit_, &QLineEdit::textChanged, searchTimer_, qOverload<>(&QTimer::start));
    connect(searchTimer_, &QTimer::timeout, this, &TextPanel::runSearch);
    connect(older, &QToolButton::clicked, this, [this] { showResult(+1); });
    connect(newer, &QToolButton::clicked, this, [this] { showResult(-1); });
    connect(close, &QToolButton::clicked, this, &TextPanel::closeSearch);
    searchEdit_->installEventFilter(this);

    connect(composer_, &ComposerEdit::submitRequested, this, &TextPanel::submit);
    connect(sendButton_, &QPushButton::clicked, this, &TextPanel::submit);
    connect(composer_, &QPlainTextEdit::textChanged, this, &TextPanel::updateSendButton);
    connect(view_, &QTextBrowser::anchorClicked, this, &TextPanel::openLink);
    connect(view_->verticalScrollBar(), &QScrollBar::actionTriggered, this,
            &TextPanel::userScrolled);
    connect(view_->verticalScrollBar(), &QScrollBar::rangeChanged, this, &TextPanel::rangeChanged);
    connect(view_->verticalScrollBar(), &QScrollBar::valueChanged, this, &TextPanel::markSeen);
    connect(jump_, &QToolButton::clicked, this, &TextPanel::followLatest);
    view_->installEventFilter(this);
    connect(&chat.conversation(), &Conversation::messageAdded, this, [this] {
        // Held at a message (first unread, a search result) but with the bottom in view: the
        // new message is in view too, so follow it.
        QScrollBar* bar = view_->verticalScrollBar();
        if (pinnedSeq_ != 0 && isVisible() && bar->value() >= bar->maximum()) {
            pinnedSeq_ = 0;
            following_ = true;
        }
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

    // Open where the user left off: at the first message they have not seen.
    firstUnreadSeq_ = chat.firstUnreadSeq();
    if (firstUnreadSeq_ != 0) {
        following_ = false;
        pinnedSeq_ = firstUnreadSeq_;
    }
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
    const std::vector<ChatMessage>& all = chat_->conversation().messages();
    shown_ = shownRange(all, pinnedSeq_ != 0 ? pinnedSeq_ : firstUnreadSeq_);
    ConversationLayout layout;
    layout.firstUnreadSeq = firstUnreadSeq_;
    layout.olderHidden = shown_.from;
    layout.newerHidden = all.size() - shown_.to;
    anchors_.clear(); // they name the old document's blocks (markSeen() runs during setHtml)
    view_->setHtml(conversationHtml(std::span(all).subspan(shown_.from, shown_.to - shown_.from),
                                    chat_->conversation().contact(), layout));
    // Lay the document out now, so the range is right at once; later layout passes (a resize)
    // come through rangeChanged().
    view_->document()->documentLayout()->documentSize();
    indexAnchors();
    // QTextEdit shows its text cursor on the first show: keep it where the view should be
    // (the newest message, or the one held at the top), or a fresh window opens at the top.
    if (following_) {
        QTextCursor end(view_->document());
        end.movePosition(QTextCursor::End);
        view_->setTextCursor(end);
    } else if (pinnedSeq_ != 0) {
        selectMessage(pinnedSeq_);
    }
    rangeChanged();
}

void TextPanel::indexAnchors() {
    anchors_.clear();
    for (QTextBlock block = view_->document()->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextCharFormat format = it.fragment().charFormat();
            if (!format.isAnchor())
                continue;
            qint64 seq = 0;
            for (const QString& name : format.anchorNames())
                if ((seq = anchorSeq(name)) != 0)
                    break;
            if (seq != 0) {
                anchors_.emplace_back(block.blockNumber(), seq);
                break;
            }
        }
    }
}

qreal TextPanel::messageTop(int anchorIndex) const {
    const QTextBlock block =
        view_->document()->findBlockByNumber(anchors_[std::size_t(anchorIndex)].first);
    return view_->document()->documentLayout()->blockBoundingRect(block).top();
}

void TextPanel::selectMessage(qint64 seq) {
    const auto it =
        std::lower_bound(anchors_.begin(), anchors_.end(), seq,
                         [](const auto& anchor, qint64 s) { return anchor.second < s; });
    if (it == anchors_.end() || it->second != seq)
        return;
    QTextDocument* document = view_->document();
    QTextCursor cursor(document->findBlockByNumber(it->first));
    // A search result is selected (the whole message, up to the next one); the first unread
    // only places the cursor.
    if (searchBar_->isVisible() && resultIndex_ >= 0 &&
        results_[std::size_t(resultIndex_)] == seq) {
        const auto next = it + 1;
        const QTextBlock last = next == anchors_.end()
                                    ? document->lastBlock()
                                    : document->findBlockByNumber(next->first).previous();
        cursor.setPosition(last.position() + last.length() - 1, QTextCursor::KeepAnchor);
    }
    view_->setTextCursor(cursor);
}

bool TextPanel::scrollToMessage(qint64 seq) {
    if (!std::binary_search(anchors_.begin(), anchors_.end(), std::pair<int, qint64>(0, seq),
                            [](const auto& a, const auto& b) { return a.second < b.second; })) {
        // Not in the part of the history the view holds: hold this one and render again.
        pinnedSeq_ = seq;
        following_ = false;
        renderConversation();
    }
    const auto it =
        std::lower_bound(anchors_.begin(), anchors_.end(), seq,
                         [](const auto& anchor, qint64 s) { return anchor.second < s; });
    if (it == anchors_.end() || it->second != seq)
        return false;
    pinnedSeq_ = seq;
    following_ = false;
    selectMessage(seq);
    rangeChanged();
    return true;
}

void TextPanel::followLatest() {
    following_ = true;
    pinnedSeq_ = 0;
    jump_->hide();
    if (chat_) {
        // The view was held further back (a search result): the newest part again.
        const ShownRange newest = shownRange(chat_->conversation().messages(), firstUnreadSeq_);
        if (newest.from != shown_.from || newest.to != shown_.to)
            renderConversation();
    }
    QScrollBar* bar = view_->verticalScrollBar();
    bar->setValue(bar->maximum());
}

void TextPanel::userScrolled() {
    // Called before the slider's new position becomes its value.
    QScrollBar* bar = view_->verticalScrollBar();
    pinnedSeq_ = 0;
    following_ = bar->sliderPosition() >= bar->maximum();
    readingAt_ = bar->sliderPosition();
    if (following_)
        jump_->hide();
}

void TextPanel::rangeChanged() {
    QScrollBar* bar = view_->verticalScrollBar();
    if (pinnedSeq_ != 0) {
        const auto it =
            std::lower_bound(anchors_.begin(), anchors_.end(), pinnedSeq_,
                             [](const auto& anchor, qint64 s) { return anchor.second < s; });
        if (it != anchors_.end() && it->second == pinnedSeq_) {
            // A little above the message: its "New messages" or date line shows too.
            const int margin = QFontMetrics(view_->font()).lineSpacing() * 5 / 2;
            readingAt_ = std::max(0, int(messageTop(int(it - anchors_.begin()))) - margin);
        }
    }
    bar->setValue(following_ ? bar->maximum() : std::min(readingAt_, bar->maximum()));
    if (pinnedSeq_ != 0) {
        // Opened at the first unread with more below: the way down is one click.
        jump_->setVisible(bar->value() < bar->maximum());
        placeJumpButton();
    }
    markSeen();
}

void TextPanel::markSeen() {
    if (!chat_ || anchors_.empty() || !isVisible() || window()->isMinimized())
        return;
    const QScrollBar* bar = view_->verticalScrollBar();
    const qreal bottom = bar->value() + view_->viewport()->height();
    // The last message whose top is on screen (tops grow with the index).
    int low = 0, high = int(anchors_.size());
    while (low < high) {
        const int mid = (low + high) / 2;
        if (messageTop(mid) < bottom)
            low = mid + 1;
        else
            high = mid;
    }
    if (low > 0)
        chat_->markRead(anchors_[std::size_t(low - 1)].second);
}

void TextPanel::placeJumpButton() {
    const QRect area = view_->viewport()->geometry();
    jump_->adjustSize();
    jump_->move(area.right() - jump_->width() - 8, area.bottom() - jump_->height() - 8);
    jump_->raise();
}

void TextPanel::openSearch() {
    searchBar_->show();
    searchEdit_->setFocus(Qt::ShortcutFocusReason);
    searchEdit_->selectAll();
}

void TextPanel::closeSearch() {
    searchTimer_->stop();
    searchBar_->hide();
    results_.clear();
    resultIndex_ = -1;
    searchedFor_.clear();
    searchStatus_->clear();
    // The selection goes; the view stays where the last result left it.
    QTextCursor cursor = view_->textCursor();
    cursor.clearSelection();
    view_->setTextCursor(cursor);
    composer_->setFocus(Qt::OtherFocusReason);
}

void TextPanel::runSearch() {
    searchTimer_->stop();
    if (!chat_)
        return;
    searchedFor_ = searchEdit_->text();
    results_.clear();
    resultIndex_ = -1;
    if (searchedFor_.trimmed().isEmpty()) {
        searchStatus_->clear();
        return;
    }
    for (const StoredMessage& row : chat_->search(searchedFor_))
        results_.push_back(row.seq);
    if (results_.empty()) {
        searchStatus_->setText(tr("No results"));
        return;
    }
    showResult(+1);
}

void TextPanel::showResult(int step) {
    if (results_.empty())
        return;
    resultIndex_ = std::clamp(resultIndex_ + step, 0, int(results_.size()) - 1);
    const QString total = int(results_.size()) >= kSearchLimit
                              ? QStringLiteral("%1+").arg(results_.size())
                              : QString::number(results_.size());
    searchStatus_->setText(tr("%1 of %2").arg(resultIndex_ + 1).arg(total));
    scrollToMessage(results_[std::size_t(resultIndex_)]);
}

bool TextPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == view_ && event->type() == QEvent::Resize)
        placeJumpButton();
    if (watched == searchEdit_ && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Escape) {
            closeSearch();
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            // Enter: search now, or the next older result of the same search.
            if (searchTimer_->isActive() || searchEdit_->text() != searchedFor_)
                runSearch();
            else
                showResult(key->modifiers() & Qt::ShiftModifier ? -1 : +1);
            return true;
        }
    }
    if (watched == window() && event->type() == QEvent::WindowStateChange)
        QTimer::singleShot(0, this, &TextPanel::markSeen); // restored: on screen now
    return QWidget::eventFilter(watched, event);
}

void TextPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!watchingWindow_ && window() != this) {
        window()->installEventFilter(this);
        watchingWindow_ = true;
    }
    markSeen();
}

void TextPanel::openLink(const QUrl& url) {
    if (const QUuid id = retryTarget(url.toString()); !id.isNull()) {
        if (chat_)
            chat_->retry(id);
        return;
    }
    // Only what bodyHtml() made a link, checked again: http and https, to the browser.
    if (!isWebLink(url)) {
        qCWarning(lcText) << "not opening a link that is not http(s):" << url.scheme();
        return;
    }
    if (!QDesktopServices::openUrl(url))
        qCWarning(lcText) << "no browser could open" << url.toDisplayString();
}

} // namespace charla::text
