// The first window, as the assignment has it: between two computers it asks the contact's IP
// and the port both sides use (5000 unless --port says otherwise) and shows the user's own
// addresses; in local mode (-l) it asks the user's port and the contact's port on this computer.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace charla::gui {

struct LoginRequest {
    QString user;
    QString contactHost; // as typed (remote) or 127.0.0.1 (local)
    quint16 ownPort = 0;
    quint16 contactPort = 0;
    QString secret; // optional shared secret; never shown or logged
};

class LoginWindow : public QWidget {
    Q_OBJECT
public:
    struct Defaults {
        QString user;
        QString contactHost;
        QString ownPort;
        QString contactPort;
    };
    LoginWindow(bool localMode, const Defaults& defaults, const QStringList& ownAddresses,
                QWidget* parent = nullptr);

    // Shows why the last request could not go ahead and lets the user try again.
    void showError(const QString& message);
    void setBusy(bool busy);

signals:
    void loginRequested(const charla::gui::LoginRequest& request);

private:
    void submit();
    void updateHint();

    bool localMode_;
    QLineEdit* user_ = nullptr;
    QLineEdit* contactHost_ = nullptr;
    QLineEdit* ownPort_ = nullptr;
    QLineEdit* contactPort_ = nullptr;
    QLineEdit* secret_ = nullptr;
    QLabel* info_ = nullptr; // own addresses and port (remote), or how local mode works
    QStringList ownAddresses_;
    QLabel* error_ = nullptr;
    QPushButton* connect_ = nullptr;
};

} // namespace charla::gui
