#include "video_view.h"

#include <QPainter>

namespace charla::video {

VideoView::VideoView(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(64, 48);
}

void VideoView::setPicture(const VideoPicture& picture) {
    if (picture.bgr.empty() || picture.bgr.type() != CV_8UC3)
        return;
    mat_ = picture.bgr; // shares the decoder's buffer; nobody writes to it again
    image_ = QImage(mat_.data, mat_.cols, mat_.rows, static_cast<qsizetype>(mat_.step),
                    QImage::Format_BGR888);
    seq_ = picture.seq;
    ts_ = picture.ts;
    unpainted_ = true;
    update();
}

void VideoView::clearPicture() {
    if (image_.isNull())
        return;
    image_ = QImage();
    mat_.release();
    unpainted_ = false;
    update();
}

void VideoView::setPlaceholder(const QString& text) {
    if (text == placeholder_)
        return;
    placeholder_ = text;
    if (image_.isNull())
        update();
}

QRect VideoView::pictureRect() const {
    if (image_.isNull())
        return {};
    QSize size = image_.size().scaled(this->size(), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - size.width()) / 2, (height() - size.height()) / 2), size);
}

void VideoView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (image_.isNull()) {
        painter.setPen(QColor(160, 160, 160));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(pictureRect(), image_);
    if (unpainted_) {
        unpainted_ = false;
        if (painted_)
            painted_(ts_);
    }
}

} // namespace charla::video
