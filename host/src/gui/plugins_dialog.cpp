#include "gui/plugins_dialog.h"

#include "core/plugin_manager.h"
#include "gui/tones.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace charla::gui {

namespace {
enum Column { kEnabled, kName, kId, kVersion, kState, kMedia, kDetails, kColumnCount };
}

// The state in the user's language (host::toString is the log's and --list-plugins' word).
QString PluginsDialog::stateText(host::PluginState state) {
    switch (state) {
    case host::PluginState::Disabled:
        return tr("disabled");
    case host::PluginState::Enabled:
        return tr("enabled");
    case host::PluginState::Refused:
        return tr("refused");
    case host::PluginState::Failed:
        return tr("failed");
    }
    return {};
}

PluginsDialog::PluginsDialog(host::PluginManager& plugins, QWidget* parent)
    : QDialog(parent), plugins_(plugins) {
    setObjectName("pluginsDialog");
    setWindowTitle(tr("Plugins"));
    auto* layout = new QVBoxLayout(this);
    table_ = new QTableWidget(0, kColumnCount, this);
    table_->setObjectName("pluginTable");
    table_->setHorizontalHeaderLabels({tr("On"), tr("Name"), tr("Id"), tr("Version"), tr("State"),
                                       tr("Sends / receives"), tr("Details")});
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setWordWrap(true);
    layout->addWidget(table_);
    error_ = new QLabel(this);
    error_->setObjectName("pluginError");
    error_->setProperty("charlaTone", "error");
    error_->setWordWrap(true);
    error_->hide();
    layout->addWidget(error_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(&plugins_, &host::PluginManager::pluginsChanged, this, &PluginsDialog::rebuild);
    connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (rebuilding_ || item->column() != kEnabled)
            return;
        const QString id = item->data(Qt::UserRole).toString();
        const bool on = item->checkState() == Qt::Checked;
        QString error;
        if (plugins_.setEnabled(id, on, &error)) {
            error_->hide();
            emit pluginToggled(id, on);
        } else {
            error_->setText(tr("Could not enable %1: %2").arg(id, error));
            error_->show();
        }
        rebuild();
    });
    rebuild();
    resize(860, 320);
}

void PluginsDialog::rebuild() {
    rebuilding_ = true;
    const auto& records = plugins_.plugins();
    table_->setRowCount(static_cast<int>(records.size()));
    int row = 0;
    for (const host::PluginRecord& r : records) {
        auto* check = new QTableWidgetItem;
        const bool usable = !r.manifest.id.isEmpty();
        check->setFlags(usable ? Qt::ItemIsUserCheckable | Qt::ItemIsEnabled : Qt::NoItemFlags);
        check->setCheckState(r.state == host::PluginState::Enabled ? Qt::Checked : Qt::Unchecked);
        check->setData(Qt::UserRole, r.manifest.id);
        table_->setItem(row, kEnabled, check);
        table_->setItem(row, kName, new QTableWidgetItem(r.manifest.displayName()));
        table_->setItem(row, kId, new QTableWidgetItem(r.displayId));
        table_->setItem(row, kVersion, new QTableWidgetItem(r.manifest.version));
        auto* state = new QTableWidgetItem(stateText(r.state));
        if (r.state == host::PluginState::Refused || r.state == host::PluginState::Failed)
            state->setForeground(toneColor(Tone::Error, isDark(table_->palette())));
        table_->setItem(row, kState, state);
        QString media;
        if (usable)
            media = tr("sends %1 · receives %2")
                        .arg(r.manifest.sends.isEmpty() ? "—" : r.manifest.sends.join(", "),
                             r.manifest.receives.isEmpty() ? "—" : r.manifest.receives.join(", "));
        table_->setItem(row, kMedia, new QTableWidgetItem(media));
        QString details = r.reason.isEmpty() ? r.manifest.displayDescription() : r.reason;
        if (!r.manifest.vendor.isEmpty() && r.reason.isEmpty())
            details = tr("%1 (%2)").arg(details, r.manifest.vendor);
        auto* detailsItem = new QTableWidgetItem(details);
        detailsItem->setToolTip(r.path);
        table_->setItem(row, kDetails, detailsItem);
        ++row;
    }
    table_->resizeColumnsToContents();
    table_->resizeRowsToContents();
    rebuilding_ = false;
}

} // namespace charla::gui
