// The safety number of this installation's key and the contact's (issue 13): 60 digits in 12
// groups of 5, the same on both sides, large enough to read aloud; "Mark as verified" once the
// two people compared it by voice or in person. Reachable from the chat and the call window.
#pragma once

#include <QDialog>

class QLabel;
class QPushButton;

namespace charla::gui {

class SafetyNumberDialog : public QDialog {
    Q_OBJECT
public:
    // `number` as security::safetyNumber() makes it ("12345 67890 ..."); `verified`: already
    // marked.
    SafetyNumberDialog(const QString& contactName, const QString& number, bool verified,
                       QWidget* parent = nullptr);

    // The mark is stored: the dialog says so and the button goes.
    void setVerified(bool verified);

signals:
    void markVerifiedRequested();

private:
    QLabel* status_ = nullptr;
    QPushButton* markVerified_ = nullptr;
};

} // namespace charla::gui
