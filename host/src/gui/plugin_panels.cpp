#include "gui/plugin_panels.h"

#include "core/plugin_manager.h"

#include <charla/sdk/plugin.h>

#include <exception>

namespace charla::gui {

namespace {

constexpr PanelSlot kSlots[] = {PanelSlot::Chat, PanelSlot::Call, PanelSlot::Settings};

// Runs a panel factory; returns why it threw, or an empty string.
template <typename Call> QString whyThrows(Call call) {
    try {
        call();
        return {};
    } catch (const std::exception& e) {
        return QString::fromLocal8Bit(e.what());
    } catch (...) {
        return QStringLiteral("unknown exception");
    }
}

} // namespace

PluginPanels::PluginPanels(host::PluginManager& plugins, QObject* parent)
    : QObject(parent), plugins_(plugins) {
    // Direct: the panels must exist before start() and be gone before the instance is.
    connect(&plugins_, &host::PluginManager::pluginStarting, this, &PluginPanels::pluginStarting,
            Qt::DirectConnection);
    connect(&plugins_, &host::PluginManager::pluginStopping, this, &PluginPanels::pluginStopping,
            Qt::DirectConnection);
}

PluginPanels::~PluginPanels() {
    for (PanelSlot slot : kSlots)
        setHost(slot, nullptr);
}

void PluginPanels::pluginStarting(const QString& id, sdk::Plugin* plugin) {
    for (const auto& [hostSlot, host] : hosts_) {
        if (!host)
            continue;
        const PanelSlot slot = hostSlot; // clang 14 cannot capture a structured binding
        const QString error = whyThrows([&] { createPanel(id, *plugin, slot); });
        if (!error.isEmpty()) {
            plugins_.failPlugin(id, QStringLiteral("failed to start: %1").arg(error));
            return;
        }
    }
}

void PluginPanels::pluginStopping(const QString& id) {
    for (PanelSlot slot : kSlots)
        deletePanel(id, slot);
    panels_.erase(id);
}

void PluginPanels::createPanel(const QString& id, sdk::Plugin& plugin, PanelSlot slot) {
    PanelHost* host = hosts_[slot];
    if (!host || panels_[id][slot])
        return;
    QWidget* panel = nullptr;
    switch (slot) {
    case PanelSlot::Chat:
        panel = plugin.createPanel(host->panelParent());
        break;
    case PanelSlot::Call:
        panel = plugin.createCallPanel(host->panelParent());
        break;
    case PanelSlot::Settings:
        panel = plugin.createSettingsPage(host->panelParent());
        break;
    }
    if (!panel)
        return;
    panels_[id][slot] = panel;
    const host::PluginRecord* record = plugins_.find(id);
    host->addPanel(id, record ? record->manifest.displayName() : id, panel);
}

void PluginPanels::deletePanel(const QString& id, PanelSlot slot) {
    auto it = panels_.find(id);
    if (it == panels_.end())
        return;
    QPointer<QWidget> panel = it->second[slot];
    it->second.erase(slot);
    if (!panel)
        return;
    if (PanelHost* host = hosts_[slot])
        host->removePanel(id, panel);
    delete panel.data();
}

void PluginPanels::setHost(PanelSlot slot, PanelHost* host) {
    if (hosts_[slot] == host)
        return;
    for (const QString& id : plugins_.enabledIds())
        deletePanel(id, slot);
    hosts_[slot] = host;
    if (!host)
        return;
    for (const QString& id : plugins_.enabledIds()) {
        sdk::Plugin* plugin = plugins_.instance(id);
        const QString error = whyThrows([&] { createPanel(id, *plugin, slot); });
        if (!error.isEmpty())
            plugins_.failPlugin(id, QStringLiteral("failed in createPanel: %1").arg(error));
    }
}

} // namespace charla::gui
