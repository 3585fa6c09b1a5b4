// Out-of-line destructors and defaults: they anchor each interface's vtable and type info in the
// SDK's shared library, so dynamic_cast and exceptions work the same across every dlopen'ed plugin.
#include <charla/sdk/channel.h>
#include <charla/sdk/plugin.h>
#include <charla/sdk/settings_page.h>

namespace charla::sdk {

PeerCallError::PeerCallError(Kind kind, const std::string& what, int faultCode)
    : std::runtime_error(what), kind_(kind), faultCode_(faultCode) {}
PeerCallError::~PeerCallError() = default;

PeerStream::~PeerStream() = default;
Channel::~Channel() = default;
bool Channel::registerDatagramHandler(DatagramHandler) {
    return false;
}
bool Channel::sendDatagram(const std::uint8_t*, std::size_t) {
    return false;
}
std::size_t Channel::maxDatagramPayload() const {
    return 0;
}
PluginContext::~PluginContext() = default;
Plugin::~Plugin() = default;
SettingsPage::~SettingsPage() = default;

QWidget* Plugin::createPanel(QWidget*) {
    return nullptr;
}
QWidget* Plugin::createCallPanel(QWidget*) {
    return nullptr;
}
QWidget* Plugin::createSettingsPage(QWidget*) {
    return nullptr;
}
void Plugin::start() {}
void Plugin::stop() {}
void Plugin::peerChanged(const PeerInfo&) {}
void Plugin::callChanged(const CallInfo&) {}

} // namespace charla::sdk
