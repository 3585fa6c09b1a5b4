// Paints one picture scaled to the widget with its aspect ratio kept (black bars), or a
// placeholder line when there is none.
#pragma once

#include "video_engine.h"

#include <QImage>
#include <QWidget>

#include <functional>

namespace charla::video {

class VideoView : public QWidget {
public:
    explicit VideoView(QWidget* parent = nullptr);

    void setPicture(const VideoPicture& picture);
    void clearPicture();
    bool hasPicture() const { return !image_.isNull(); }
    std::uint64_t pictureSeq() const { return seq_; }
    void setPlaceholder(const QString& text);
    QString placeholder() const { return placeholder_; }
    // Called after a new picture was painted, with its capture time.
    void setPaintedCallback(std::function<void(double ts)> callback) {
        painted_ = std::move(callback);
    }
    // Where the picture lands inside the widget.
    QRect pictureRect() const;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    cv::Mat mat_;  // owns the pixels image_ points into
    QImage image_; // Format_BGR888 over mat_, no copy
    std::uint64_t seq_ = 0;
    double ts_ = 0;
    bool unpainted_ = false;
    QString placeholder_;
    std::function<void(double)> painted_;
};

} // namespace charla::video
