// The plugin contract. A plugin is a shared library with a manifest beside it (charla_<id>.json,
// written by charla_add_plugin() from CharlaPlugin.cmake) that the host reads without running
// any plugin code, and a factory exported with CHARLA_DECLARE_PLUGIN (declare_plugin.h).
//
// Lifecycle, all on the host's GUI thread:
//   create  -> the factory returns a new Plugin
//   initialize(context)  register methods and workers on context.channel(); nothing runs yet
//   createPanel(parent)  optional: a widget the host places in the chat window (GUI runs only)
//   start()              methods are being served; the Channel starts the workers right after
//   ...                  peerChanged() whenever the contact's presence or capabilities change
//   stop()               wake anything the workers wait on; the Channel then joins the workers
//   destroy              the panel is deleted first, then the Plugin; the library stays mapped
// Disabling a plugin at runtime runs stop and destroy; enabling it again creates a new instance.
#pragma once

#include <charla/sdk/channel.h>
#include <charla/sdk/export.h>
#include <charla/sdk/peer_info.h>
#include <charla/sdk/version.h>

#include <QtGlobal>

#include <string>

class QWidget;

namespace charla::sdk {

class CHARLA_SDK_API PluginContext {
  public:
    virtual ~PluginContext();
    virtual Channel& channel() = 0;
    virtual std::string pluginId() const = 0;
    // The local user's display name (what the peer sees as the sender).
    virtual std::string localUser() const = 0;
};

class CHARLA_SDK_API Plugin {
  public:
    virtual ~Plugin();
    virtual void initialize(PluginContext& context) = 0;
    // The host owns the returned widget (it is parented to `parent`) and deletes it before the
    // plugin is destroyed. Return nullptr for no panel.
    virtual QWidget* createPanel(QWidget* parent);
    virtual void start();
    virtual void stop();
    virtual void peerChanged(const PeerInfo& peer);
};

// What the library was compiled against; the host compares it with the manifest after loading.
struct PluginBuildInfo {
    int abiMajor;
    int abiMinor;
    int qtMajor;
    int qtMinor;
    const char* id;
};

using CreatePluginFn = Plugin*();
using BuildInfoFn = const PluginBuildInfo*();

} // namespace charla::sdk
