// The host's side of sdk::PluginContext: what one enabled plugin may ask of the host. One per
// running plugin, created by the PluginManager before initialize() and destroyed after the plugin.
#pragma once

#include "core/plugin_services.h"

#include <charla/sdk/plugin.h>

#include <string>

namespace charla::host {

class PluginManager;
class PluginScope;

class PluginContext : public sdk::PluginContext {
public:
    // `onFailure` runs on the GUI thread when a task the plugin posted throws.
    PluginContext(PluginManager& manager, PluginScope& scope, std::string id,
                  PluginServices::FailureHandler onFailure);

    sdk::Channel& channel() override;
    std::string pluginId() const override;
    std::string localUser() const override;
    void announce(const sdk::Announcement& announcement) override;
    std::optional<std::string> option(const std::string& key) const override;
    sdk::CallInfo call() const override;
    std::unique_ptr<QSettings> settings() const override;
    QString dataDir() const override;
    void postToGui(std::function<void()> task) override;
    void notifyUser(const std::string& title, const std::string& body) override;
    void onCallEnded(std::function<void(const sdk::CallRecord&)> listener) override;
    // Runs the plugin's call listener, if it set one (GUI thread). Exceptions pass through.
    void callEnded(const sdk::CallRecord& record) const;
    void postTimelineEvent(const sdk::TimelineEvent& event) override;
    void onTimelineEvent(std::function<void(const sdk::TimelineEvent&)> listener) override;
    void postTimelineRecord(const sdk::TimelineEvent& event, const std::string& record) override;
    void setTimelineRenderer(
        std::function<std::string(const sdk::TimelineEvent&, const std::string&)> renderer)
        override;
    void onTimelineRecord(
        std::function<void(const sdk::TimelineEvent&, const std::string&)> listener) override;
    std::optional<std::string> renderTimelineRecord(const sdk::TimelineEvent& event,
                                                    const std::string& record) override;
    // Runs the plugin's timeline listener, if it set one (GUI thread). Exceptions pass through.
    void timelineEvent(const sdk::TimelineEvent& event, const std::string& record) const;
    // Runs the plugin's renderer (GUI thread): nullopt if it set none. Exceptions pass through.
    std::optional<std::string> renderTimeline(const sdk::TimelineEvent& event,
                                              const std::string& record) const;
    // Drops the plugin's pending GUI tasks; called before the instance is destroyed.
    void close();

private:
    PluginManager& manager_;
    PluginScope& scope_;
    std::string id_;
    PluginServices services_;
    std::function<void(const sdk::CallRecord&)> callListener_; // GUI thread only
    // GUI thread only. One listener: onTimelineEvent's ignores the record.
    std::function<void(const sdk::TimelineEvent&, const std::string&)> timelineListener_;
    std::function<std::string(const sdk::TimelineEvent&, const std::string&)> timelineRenderer_;
};

} // namespace charla::host
