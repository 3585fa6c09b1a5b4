#include "gui/login_window.h"

#include "core/endpoint.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace charla::gui {

namespace {

// An empty port field stands for the default it shows in grey.
std::optional<quint16> portField(const QLineEdit* edit, QString* error) {
    const QString text = edit->text().trimmed();
    return host::parsePort(text.isEmpty() ? edit->placeholderText() : text, error);
}

} // namespace

LoginWindow::LoginWindow(bool localMode, const Defaults& defaults, const QStringList& ownAddresses,
                         QWidget* parent)
    : QWidget(parent), localMode_(localMode) {
    setWindowTitle(localMode ? tr("Charla — local mode") : tr("Charla"));
    setObjectName("loginWindow");
    auto* layout = new QVBoxLayout(this);

    auto* title = new QLabel(tr("<h2>Charla</h2>"), this);
    layout->addWidget(title);

    auto* form = new QFormLayout;
    user_ = new QLineEdit(defaults.user, this);
    user_->setObjectName("userEdit");
    user_->setMaxLength(64);
    form->addRow(tr("Your &name:"), user_);
    if (localMode) {
        ownPort_ = new QLineEdit(defaults.ownPort, this);
        ownPort_->setObjectName("ownPortEdit");
        ownPort_->setPlaceholderText(QString::number(host::kDefaultPort));
        contactPort_ = new QLineEdit(defaults.contactPort, this);
        contactPort_->setObjectName("contactPortEdit");
        contactPort_->setPlaceholderText(QString::number(host::kDefaultPort + 1));
        form->addRow(tr("&Your port:"), ownPort_);
        form->addRow(tr("&Contact's port:"), contactPort_);
    } else {
        contactHost_ = new QLineEdit(defaults.contactHost, this);
        contactHost_->setObjectName("contactHostEdit");
        contactHost_->setPlaceholderText(tr("e.g. 192.168.1.20"));
        form->addRow(tr("&Contact's IP address:"), contactHost_);
        // Both sides use one port (5000 unless --port or this field says otherwise); a contact
        // on another port is typed as IP:PORT.
        ownPort_ = new QLineEdit(defaults.ownPort, this);
        ownPort_->setObjectName("ownPortEdit");
        ownPort_->setPlaceholderText(QString::number(host::kDefaultPort));
        form->addRow(tr("&Port:"), ownPort_);
    }
    secret_ = new QLineEdit(this);
    secret_->setObjectName("secretEdit");
    secret_->setEchoMode(QLineEdit::Password);
    secret_->setPlaceholderText(tr("optional, the same on both sides"));
    secret_->setToolTip(tr("With a shared secret, only someone who knows it can talk to you."));
    form->addRow(tr("Shared &secret:"), secret_);
    layout->addLayout(form);

    info_ = new QLabel(this);
    info_->setObjectName("addressesLabel");
    info_->setWordWrap(true);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(info_);
    ownAddresses_ = ownAddresses;
    updateHint();
    if (!localMode)
        connect(ownPort_, &QLineEdit::textChanged, this, &LoginWindow::updateHint);

    error_ = new QLabel(this);
    error_->setObjectName("errorLabel");
    error_->setWordWrap(true);
    error_->setProperty("charlaTone", "error");
    error_->hide();
    layout->addWidget(error_);

    connect_ = new QPushButton(tr("C&onnect"), this);
    connect_->setObjectName("connectButton");
    connect_->setDefault(true);
    layout->addWidget(connect_, 0, Qt::AlignRight);
    connect(connect_, &QPushButton::clicked, this, &LoginWindow::submit);
    for (QLineEdit* edit : {user_, contactHost_, ownPort_, contactPort_, secret_})
        if (edit)
            connect(edit, &QLineEdit::returnPressed, this, &LoginWindow::submit);
    setMinimumWidth(420);
}

void LoginWindow::updateHint() {
    if (localMode_) {
        info_->setText(tr("Both instances run on this computer (127.0.0.1). Give each its own "
                          "port, and the other's as the contact's port."));
        return;
    }
    // The port the user is about to use (--port, the field, or the default it shows).
    QString error;
    const auto typed = portField(ownPort_, &error);
    const QString port = typed ? QString::number(*typed) : ownPort_->placeholderText();
    info_->setText(tr("Your addresses: <b>%1</b><br>Give one of them to your contact. Both sides "
                      "use port %2.")
                       .arg(ownAddresses_.isEmpty() ? tr("none found (no network?)")
                                                    : ownAddresses_.join(", "),
                            port));
}

void LoginWindow::showError(const QString& message) {
    error_->setText(message);
    error_->show();
    setBusy(false);
}

void LoginWindow::setBusy(bool busy) {
    connect_->setEnabled(!busy);
    connect_->setText(busy ? tr("Connecting…") : tr("C&onnect"));
}

void LoginWindow::submit() {
    LoginRequest request;
    request.user = user_->text().trimmed();
    if (request.user.isEmpty()) {
        showError(tr("Please type your name."));
        return;
    }
    QString error;
    if (localMode_) {
        auto own = portField(ownPort_, &error);
        if (!own)
            return showError(tr("Your port: %1").arg(error));
        auto contact = portField(contactPort_, &error);
        if (!contact)
            return showError(tr("Contact's port: %1").arg(error));
        if (*own == *contact)
            return showError(tr("Your port and the contact's port must differ."));
        request.contactHost = QStringLiteral("127.0.0.1");
        request.ownPort = *own;
        request.contactPort = *contact;
    } else {
        auto own = portField(ownPort_, &error);
        if (!own)
            return showError(tr("Port: %1").arg(error));
        auto parsed = host::parseHostPort(contactHost_->text(), &error);
        if (!parsed)
            return showError(error);
        request.contactHost = parsed->host;
        request.ownPort = *own;
        request.contactPort = parsed->port.value_or(*own);
    }
    request.secret = secret_->text();
    error_->hide();
    setBusy(true);
    emit loginRequested(request);
}

} // namespace charla::gui
