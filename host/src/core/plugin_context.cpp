#include "core/plugin_context.h"

#include "core/host_channel.h"
#include "core/plugin_manager.h"

namespace charla::host {

PluginContext::PluginContext(PluginManager& manager, PluginScope& scope, std::string id,
                             PluginServices::FailureHandler onFailure)
    : manager_(manager), scope_(scope), id_(std::move(id)), services_(id_, std::move(onFailure)) {}

sdk::Channel& PluginContext::channel() {
    return scope_;
}

std::string PluginContext::pluginId() const {
    return id_;
}

std::string PluginContext::localUser() const {
    return manager_.localUser();
}

void PluginContext::announce(const sdk::Announcement& announcement) {
    manager_.announce(QString::fromStdString(id_), announcement);
}

std::optional<std::string> PluginContext::option(const std::string& key) const {
    return manager_.pluginOption(id_, key);
}

sdk::CallInfo PluginContext::call() const {
    return manager_.call();
}

std::unique_ptr<QSettings> PluginContext::settings() const {
    return services_.settings();
}

QString PluginContext::dataDir() const {
    return services_.dataDir();
}

void PluginContext::notifyUser(const std::string& title, const std::string& body) {
    emit manager_.userNotice(QString::fromStdString(id_), QString::fromStdString(title),
                             QString::fromStdString(body));
}

void PluginContext::onCallEnded(std::function<void(const sdk::CallRecord&)> listener) {
    callListener_ = std::move(listener);
}

void PluginContext::callEnded(const sdk::CallRecord& record) const {
    if (callListener_)
        callListener_(record);
}

void PluginContext::postTimelineEvent(const sdk::TimelineEvent& event) {
    manager_.postTimelineEvent(id_, event, {});
}

void PluginContext::onTimelineEvent(std::function<void(const sdk::TimelineEvent&)> listener) {
    if (!listener) {
        timelineListener_ = nullptr;
        return;
    }
    timelineListener_ = [listener = std::move(listener)](const sdk::TimelineEvent& event,
                                                         const std::string&) { listener(event); };
}

void PluginContext::postTimelineRecord(const sdk::TimelineEvent& event, const std::string& record) {
    manager_.postTimelineEvent(id_, event, record);
}

void PluginContext::setTimelineRenderer(
    std::function<std::string(const sdk::TimelineEvent&, const std::string&)> renderer) {
    timelineRenderer_ = std::move(renderer);
}

void PluginContext::onTimelineRecord(
    std::function<void(const sdk::TimelineEvent&, const std::string&)> listener) {
    timelineListener_ = std::move(listener);
}

std::optional<std::string> PluginContext::renderTimelineRecord(const sdk::TimelineEvent& event,
                                                               const std::string& record) {
    return manager_.renderTimelineRecord(event, record);
}

void PluginContext::timelineEvent(const sdk::TimelineEvent& event,
                                  const std::string& record) const {
    if (timelineListener_)
        timelineListener_(event, record);
}

std::optional<std::string> PluginContext::renderTimeline(const sdk::TimelineEvent& event,
                                                         const std::string& record) const {
    if (!timelineRenderer_)
        return std::nullopt;
    return timelineRenderer_(event, record);
}

void PluginContext::postToGui(std::function<void()> task) {
    services_.postToGui(std::move(task));
}

void PluginContext::close() {
    services_.close();
}

} // namespace charla::host
