// The files panel as a user meets it (offscreen, real widgets, a real engine and store): files
// dropped on the chat window are offered, an offer shows name, size and type with Accept and
// Decline, and the buttons change the transfer.
#include "files_panel.h"
#include "transfer_engine.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTextEdit>
#include <QThread>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <optional>

using namespace charla::files;

namespace {

struct PanelFixture : ::testing::Test {
    void SetUp() override {
        ASSERT_TRUE(dir.isValid());
        open();
    }
    // The chat window with the panel on a (new) engine over the store in `dir`: a restart.
    void open() {
        window.reset();
        engine.reset();
        EngineConfig config;
        config.storePath = dir.filePath("store.sqlite");
        config.downloadDir = dir.filePath("downloads");
        engine = std::make_unique<TransferEngine>(config);
        window = std::make_unique<QWidget>();
        auto* layout = new QVBoxLayout(window.get());
        composer = new QTextEdit(window.get()); // another plugin's widget in the same window
        layout->addWidget(composer);
        panel = new FilesPanel(*engine, window.get());
        layout->addWidget(panel);
        window->resize(700, 400);
        window->show();
    }
    QString makeFile(const QString& name, const QByteArray& bytes) {
        QFile f(dir.filePath(name));
        EXPECT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        return f.fileName();
    }
    xmlrpc_c::paramList offer(const std::string& id, const std::string& name, double size) {
        xmlrpc_c::paramList params;
        params.add(xmlrpc_c::value_struct(std::map<std::string, xmlrpc_c::value>{
            {"id", xmlrpc_c::value_string(id)},
            {"name", xmlrpc_c::value_string(name)},
            {"size", xmlrpc_c::value_double(size)},
            {"sha256", xmlrpc_c::value_string(std::string(64, 'a'))},
            {"mime", xmlrpc_c::value_string("application/pdf")}}));
        return params;
    }
    // User actions run on the engine's action thread (the GUI never waits on its lock): wait
    // for the snapshot to show what a click did, or give up after 10 s (a failure, not a timing).
    std::optional<State> stateOf(const QString& id) {
        const auto t = engine->transfer(id, Direction::Incoming);
        return t ? std::optional<State>(t->state) : std::nullopt;
    }
    std::optional<State> waitState(const QString& id, State want) {
        QElapsedTimer clock;
        clock.start();
        while (stateOf(id) != want && clock.elapsed() < 10'000) {
            QApplication::processEvents();
            QThread::msleep(5);
        }
        return stateOf(id);
    }
    void offerOrFail(const std::string& id, const std::string& name, double size) {
        try {
            engine->handleOffer(offer(id, name, size));
        } catch (const xmlrpc_c::fault& f) {
            FAIL() << "files.offer refused: " << f.getDescription();
        }
    }
    QWidget* row(const QString& id) { return panel->findChild<QWidget*>("transfer-" + id); }

    QTemporaryDir dir;
    std::unique_ptr<TransferEngine> engine;
    std::unique_ptr<QWidget> window;
    QTextEdit* composer = nullptr;
    FilesPanel* panel = nullptr;
};

} // namespace

TEST_F(PanelFixture, FilesDroppedOnTheWindowAreOffered) {
    const QString a = makeFile("a.txt", "alpha"), b = makeFile("b.png", "not really a png");
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(a), QUrl::fromLocalFile(b)});
    // Dropped on the composer, another plugin's widget: the files plugin takes it.
    QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(composer->viewport(), &enter);
    EXPECT_TRUE(enter.isAccepted());
    QDropEvent drop(QPointF(5, 5), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(composer->viewport(), &drop);
    QElapsedTimer clock;
    clock.start();
    while (engine->transfers().size() < 2 && clock.elapsed() < 10'000)
        QThread::msleep(5);
    panel->refresh();
    const auto all = engine->transfers();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "a.txt");
    EXPECT_EQ(all[1].name, "b.png");
    EXPECT_EQ(all[0].direction, Direction::Outgoing);
    EXPECT_TRUE(composer->toPlainText().isEmpty()) << "the drop also became text";
    EXPECT_TRUE(row(all[0].id) && row(all[1].id));
}

TEST_F(PanelFixture, AnOfferShowsNameSizeTypeAndIsAcceptedOrDeclined) {
    offerOrFail("offer-1", "report.pdf", 2'500'000);
    offerOrFail("offer-2", "other.pdf", 10);
    panel->refresh();
    QApplication::processEvents(); // new rows are shown on the next turn of the event loop
    QWidget* first = row("offer-1");
    ASSERT_TRUE(first);
    const QString title = first->findChild<QLabel*>("title")->text();
    const QString detail = first->findChild<QLabel*>("detail")->text();
    EXPECT_TRUE(title.contains("report.pdf")) << title.toStdString();
    EXPECT_TRUE(detail.contains("2.5 MB")) << detail.toStdString();
    EXPECT_TRUE(detail.contains("application/pdf")) << detail.toStdString();
    auto* accept = first->findChild<QPushButton*>("accept");
    ASSERT_TRUE(accept && accept->isVisible());
    accept->click();
    EXPECT_EQ(waitState("offer-1", State::Transferring), State::Transferring);
    panel->refresh();
    EXPECT_FALSE(accept->isVisible());
    EXPECT_TRUE(first->findChild<QPushButton*>("pause")->isVisible());
    first->findChild<QPushButton*>("pause")->click();
    EXPECT_EQ(waitState("offer-1", State::Paused), State::Paused);
    panel->refresh();
    EXPECT_EQ(first->findChild<QPushButton*>("pause")->text(), "Resume");
    first->findChild<QPushButton*>("pause")->click();
    EXPECT_EQ(waitState("offer-1", State::Transferring), State::Transferring);
    first->findChild<QPushButton*>("cancel")->click();
    EXPECT_EQ(waitState("offer-1", State::Cancelled), State::Cancelled);

    row("offer-2")->findChild<QPushButton*>("decline")->click();
    EXPECT_EQ(waitState("offer-2", State::Declined), State::Declined);
}

TEST_F(PanelFixture, TransfersAreHistoryAcrossARestart) {
    offerOrFail("kept", "kept.pdf", 10);
    open();
    EXPECT_TRUE(row("kept"));
}

// Rows name the contact: "From Bob: photo.png", "To Bob: notes.txt" ("Contact" before any hello).
TEST_F(PanelFixture, RowsNameTheContact) {
    offerOrFail("named", "photo.png", 10);
    panel->refresh();
    auto title = [&] { return row("named")->findChild<QLabel*>("title")->text(); };
    EXPECT_EQ(title(), "From Contact: photo.png");
    panel->setContactName("Bob");
    EXPECT_EQ(title(), "From Bob: photo.png");
}

// A received picture's thumbnail is decoded off the GUI thread: the row is there at once, the
// picture when it is ready. Files that are no picture, or only half of one, get none and hold
// nothing up.
TEST_F(PanelFixture, ThumbnailsAreDecodedOffTheGuiThreadAndBrokenPicturesGetNone) {
    QImage picture(640, 480, QImage::Format_RGB32);
    picture.fill(Qt::darkCyan);
    ASSERT_TRUE(picture.save(dir.filePath("good.png")));
    QFile whole(dir.filePath("good.png"));
    ASSERT_TRUE(whole.open(QIODevice::ReadOnly));
    const QByteArray bytes = whole.readAll();
    const QString half = makeFile("half.png", bytes.left(bytes.size() / 2));
    const QString fake = makeFile("fake.png", "not a picture at all");
    {
        TransferStore store(dir.filePath("store.sqlite"));
        for (const auto& [id, path] : {std::pair{"fake", fake}, std::pair{"half", half},
                                       std::pair{"good", dir.filePath("good.png")}}) {
            Transfer t;
            t.id = id;
            t.direction = Direction::Incoming;
            t.name = QFileInfo(path).fileName();
            t.size = QFileInfo(path).size();
            t.sha256 = QString(64, u'a');
            t.mime = "image/png";
            t.path = path;
            t.state = State::Done;
            ASSERT_TRUE(store.insert(t));
        }
    }
    open();
    panel->refresh(); // the rows are on screen now: their thumbnails are asked for
    auto thumbnail = [&](const char* id) { return row(id)->findChild<QToolButton*>("thumbnail"); };
    EXPECT_TRUE(thumbnail("good")->icon().isNull())
        << "the picture was decoded inside refresh(), on the GUI thread";
    QElapsedTimer clock;
    clock.start();
    while (thumbnail("good")->icon().isNull() && clock.elapsed() < 10'000) {
        QApplication::processEvents();
        QThread::msleep(5);
    }
    EXPECT_FALSE(thumbnail("good")->icon().isNull()) << "no thumbnail within 10 s";
    EXPECT_TRUE(thumbnail("good")->isVisible());
    EXPECT_FALSE(thumbnail("fake")->isVisible());
    EXPECT_FALSE(thumbnail("half")->isVisible());
}
