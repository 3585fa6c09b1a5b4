// The video settings page (offscreen): "Video file…" opens a file dialog whose choice becomes the
// source; cancelling leaves the source as it was.
#include "video_settings_page.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QPixmap>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <optional>

namespace charla::video {
namespace {

TEST(SettingsPage, VideoFileOpensAFileDialogAndItsChoiceBecomesTheSource) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath("holiday.avi");
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write("not really a video");
    }
    VideoSettings initial;
    initial.source = "test";
    std::optional<VideoSettings> applied;
    VideoSettingsPage page(initial, std::nullopt, "Sending from test.",
                           [&](const VideoSettings& s) {
                               applied = s;
                               return QString("applied");
                           });
    page.show();
    QComboBox* box = page.sourceBox();
    const int pick = box->findText(QString::fromUtf8("Video file…"));
    ASSERT_GE(pick, 0) << "no \"Video file…\" choice";

    // Picked and cancelled: the source stays what it was.
    box->setCurrentIndex(pick);
    emit box->activated(pick);
    ASSERT_TRUE(page.fileDialog());
    EXPECT_TRUE(page.fileDialog()->isVisible());
    EXPECT_EQ(box->currentText().toStdString(), "Test pattern") << "the action is not a source";
    page.fileDialog()->reject();
    EXPECT_EQ(box->currentText().toStdString(), "Test pattern");
    page.apply();
    EXPECT_FALSE(applied) << "nothing changed";

    // Picked and a file chosen: its path is the source, and Apply hands it to the plugin.
    box->setCurrentIndex(pick);
    emit box->activated(pick);
    ASSERT_TRUE(page.fileDialog()->isVisible());
    page.fileDialog()->selectFile(path);
    // With CHARLA_SCREENSHOT_DIR set (as for the gui suite), what the user sees is saved there.
    if (const QString shots = qEnvironmentVariable("CHARLA_SCREENSHOT_DIR"); !shots.isEmpty()) {
        page.resize(520, 300);
        page.fileDialog()->resize(760, 460);
        EXPECT_TRUE(page.grab().save(shots + "/video-settings.png", "PNG"));
        EXPECT_TRUE(page.fileDialog()->grab().save(shots + "/video-file-dialog.png", "PNG"));
    }
    // As the dialog's Open button does (accept() is protected in QFileDialog).
    ASSERT_TRUE(QMetaObject::invokeMethod(page.fileDialog(), "accept", Qt::DirectConnection));
    EXPECT_FALSE(page.fileDialog()->isVisible());
    EXPECT_EQ(box->currentText(), path);
    page.apply();
    ASSERT_TRUE(applied);
    EXPECT_EQ(applied->source, path);
}

} // namespace
// The built-in sources are listed by name ("Screen", not "screen"), in the user's language,
// and a name picked applies its source; a source typed by hand is taken as typed.
TEST(SettingsPage, BuiltInSourcesShowTheirNamesAndApplyTheirSource) {
    VideoSettings initial;
    initial.source = "none";
    std::optional<VideoSettings> applied;
    VideoSettingsPage page(initial, std::nullopt, QString(), [&](const VideoSettings& s) {
        applied = s;
        return QString();
    });
    QComboBox* box = page.sourceBox();
    EXPECT_EQ(box->currentText().toStdString(), "No video");
    for (const char* code : {"test", "screen", "none"})
        EXPECT_LT(box->findText(QString::fromLatin1(code)), 0) << code << " is listed by its code";
    box->setCurrentIndex(box->findText("Screen"));
    page.apply();
    ASSERT_TRUE(applied);
    EXPECT_EQ(applied->source.toStdString(), "screen");
    box->setCurrentText("videotestsrc ! appsink");
    page.apply();
    EXPECT_EQ(applied->source.toStdString(), "videotestsrc ! appsink");
}

} // namespace charla::video
