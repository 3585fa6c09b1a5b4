// The call: who, how long, the media plugins' call panels (remote video, self-view, mute, levels)
// and the hang-up button. Ringing states show Cancel instead. Closing the window hangs up.
#pragma once

#include "gui/panel_host.h"

#include <charla/sdk/call.h>

#include <QDialog>
#include <QMap>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTimer;
class QVBoxLayout;

namespace charla::host {
class CallManager;
}

namespace charla::gui {

class CallWindow : public QWidget, public PanelHost {
    Q_OBJECT
public:
    CallWindow(host::CallManager& calls, const QString& contactName, QWidget* parent = nullptr);

    QWidget* panelParent() override;
    void addPanel(const QString& pluginId, const QString& title, QWidget* panel) override;
    void removePanel(const QString& pluginId, QWidget* panel) override;

    void setContactName(const QString& name);
    void updateCall(const sdk::CallInfo& call);

signals:
    // Ctrl+Q: the whole application.
    void quitRequested();
    // "Safety number…": the chat window opens the dialog over this one.
    void safetyNumberRequested();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void updateStatus();
    void updatePlaceholder();

    // The window is deleted later (deleteLater) and may outlive the session's CallManager by an
    // event loop turn, in which its clock still ticks: it must see that the manager is gone.
    QPointer<host::CallManager> calls_;
    QString contactName_;
    QLabel* status_ = nullptr;
    QWidget* panelArea_ = nullptr;
    QVBoxLayout* panelLayout_ = nullptr;
    QLabel* placeholder_ = nullptr;
    QPushButton* hangUp_ = nullptr;
    QTimer* clock_ = nullptr;
    QMap<QString, QWidget*> panels_;
};

// "Bob is calling": Accept or Decline. Closing it declines.
class IncomingCallDialog : public QDialog {
    Q_OBJECT
public:
    IncomingCallDialog(const QString& contactName, QWidget* parent = nullptr);

signals:
    void accepted();
    void declined();
};

} // namespace charla::gui
