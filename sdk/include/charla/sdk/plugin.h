// The plugin contract. A plugin is a shared library with a manifest beside it (charla_<id>.json,
// written by charla_add_plugin() from CharlaPlugin.cmake) that the host reads without running
// any plugin code, and a factory exported with CHARLA_DECLARE_PLUGIN (declare_plugin.h).
//
// Lifecycle, all on the host's GUI thread:
//   create  -> the factory returns a new Plugin
//   initialize(context)  register methods and workers on context.channel(); nothing runs yet
//   createPanel(parent)  optional: a widget the host places in the chat window (GUI runs only)
//   start()              methods are being served; the Channel starts the workers right after
//   ...                  peerChanged() whenever the contact's presence or capabilities change,
//                        callChanged() whenever the call starts, rings, or ends
//   stop()               wake anything the workers wait on; the Channel then joins the workers
//   destroy              the panel is deleted first, then the Plugin; the library stays mapped
// Disabling a plugin at runtime runs stop and destroy; enabling it again creates a new instance.
#pragma once

#include <charla/sdk/call.h>
#include <charla/sdk/channel.h>
#include <charla/sdk/export.h>
#include <charla/sdk/peer_info.h>
#include <charla/sdk/timeline.h>
#include <charla/sdk/version.h>

#include <QSettings> // settings() hands one out
#include <QString>
#include <QtGlobal>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QWidget;

namespace charla::sdk {

// What a plugin tells the peer about itself in host.hello. `sends` and `receives` must be subsets
// of the manifest's (a side with no microphone announces it receives audio only).
struct Announcement {
    std::vector<std::string> sends;
    std::vector<std::string> receives;
    std::map<std::string, std::string> params; // e.g. {"codecs": "opus,pcm16"}
};

class CHARLA_SDK_API PluginContext {
public:
    virtual ~PluginContext();
    virtual Channel& channel() = 0;
    virtual std::string pluginId() const = 0;
    // The local user's display name (what the peer sees as the sender).
    virtual std::string localUser() const = 0;
    // GUI thread. Replaces what the peer is told (until then: the manifest's sends/receives,
    // no params). Kinds outside the manifest are dropped. The peer hears of it at once.
    // Throws std::invalid_argument, and changes nothing, if a param cannot travel to the peer:
    // more than 32 params, an empty name, a name over 64 or a value over 1024 bytes, or text
    // that is not UTF-8 or holds a character XML-RPC cannot carry (C0 controls but tab and line
    // feed, carriage return, U+FFFE, U+FFFF). Any other Unicode character, emoji included, is fine.
    virtual void announce(const Announcement& announcement) = 0;
    // The value of `--plugin-option <id>.<key>=<value>` (or of an option the plugin's manifest
    // declares, e.g. --camera) on the command line, if given.
    virtual std::optional<std::string> option(const std::string& key) const = 0;
    // The current call (any thread).
    virtual CallInfo call() const = 0;

#if CHARLA_SDK_TARGET_ABI_MINOR >= 2
    // --- ABI 1.2 (appended: the host implements this interface, so plugins built against 1.0
    // and 1.1 keep working; hooks a plugin offers are registered here, never added to Plugin) ---

    // The plugin's own settings: a QSettings in a group that neither the host nor another plugin
    // uses ("plugin-settings/<id>"). Keys a plugin kept under the old convention "plugins/<id>"
    // move here on the first call. Any thread; one object per thread (QSettings is reentrant).
    virtual std::unique_ptr<QSettings> settings() const = 0;
    // A directory of the plugin's own (<data>/charla/plugin-data/<id>), created on demand; empty
    // if it cannot be created. Any thread.
    virtual QString dataDir() const = 0;
    // Runs `task` on the GUI thread soon, in posting order. Any thread (workers, method and
    // datagram handlers). Tasks still pending when the plugin is disabled are dropped, never run,
    // and posting afterwards does nothing: a task may use the plugin and its widgets freely. An
    // exception escaping a task fails the plugin, like one escaping a hook.
    virtual void postToGui(std::function<void()> task) = 0;
    // GUI thread. Something the user may not be looking at happened (a message arrived): unless
    // the chat window is the active window, the host shows it through the desktop's
    // notifications and counts it as unread (tray, window title) until the window is activated.
    // `title` is short (who), `body` plain text (the host cuts it to 200 characters).
    virtual void notifyUser(const std::string& title, const std::string& body) = 0;
#endif

#if CHARLA_SDK_TARGET_ABI_MINOR >= 3
    // --- ABI 1.3 ---

    // GUI thread. `listener` runs on the GUI thread once for every call that ends, whatever its
    // outcome (missed, declined, an answered call with its length...), until the plugin is
    // disabled. One listener per plugin: a second call replaces the first, an empty one removes
    // it. An exception escaping the listener fails the plugin, like one escaping a hook.
    virtual void onCallEnded(std::function<void(const CallRecord&)> listener) = 0;
#endif

#if CHARLA_SDK_TARGET_ABI_MINOR >= 4
    // --- ABI 1.4 ---

    // Any thread. Adds `event` as a line to the conversation's history, or rewrites the line this
    // plugin posted with the same key (timeline.h). Delivered on the GUI thread's next turn to
    // every enabled plugin's onTimelineEvent listener, the posting plugin's own included, with
    // `source` set to the poster's id; none listening (the text plugin disabled): it is dropped,
    // so post again what matters after a start (a rewrite with the same text changes nothing).
    // Throws std::invalid_argument, and posts nothing, for a key or text outside timeline.h's
    // limits.
    virtual void postTimelineEvent(const TimelineEvent& event) = 0;
    // GUI thread. `listener` runs on the GUI thread for every event any plugin posts, until this
    // plugin is disabled: the history's keeper stores and shows them. One listener per plugin,
    // as onCallEnded; an exception escaping it fails the plugin.
    virtual void onTimelineEvent(std::function<void(const TimelineEvent&)> listener) = 0;
#endif

#if CHARLA_SDK_TARGET_ABI_MINOR >= 5
    // --- ABI 1.5: lines that follow the user's language (docs/decisions.md, issue 15) ---
    // Distinct names, not overloads: a compiler may order overloaded virtuals together in the
    // vtable, which would move the 1.4 entries.

    // Any thread. postTimelineEvent with what the line means: `record` is the poster's own
    // account of it (a few fields in a form of its choosing, JSON say; 0-4096 bytes of UTF-8),
    // opaque to the host and kept with the line by the history's keeper. Whenever the keeper
    // shows the line again (the next start, perhaps in another language) it asks this plugin's
    // renderer (setTimelineRenderer) to word it from the record; `event.text`, worded now, is
    // shown when it cannot (the poster disabled or gone, a record it no longer reads).
    // Throws std::invalid_argument as postTimelineEvent does, or for a record over the limit.
    virtual void postTimelineRecord(const TimelineEvent& event, const std::string& record) = 0;
    // GUI thread. How this plugin words its lines from their records, in the user's language
    // of the moment: `renderer(event, record)` returns the line's text (timeline.h's rules for
    // `text`), or an empty string for "show the text stored with it". One per plugin, as
    // onTimelineEvent; kept until the plugin is disabled; an exception escaping it fails the
    // plugin. Set it in initialize(): the keeper may show its history before start().
    virtual void setTimelineRenderer(
        std::function<std::string(const TimelineEvent& event, const std::string& record)>
            renderer) = 0;
    // GUI thread. For the history's keeper: as onTimelineEvent (and replacing its listener), with
    // the event's record (empty for a line posted without one).
    virtual void onTimelineRecord(
        std::function<void(const TimelineEvent& event, const std::string& record)> listener) = 0;
    // GUI thread. For the history's keeper: the line `event.source` posted with `record`, worded
    // now by that plugin's renderer; nullopt when that plugin is not enabled, has no renderer,
    // or its renderer gave nothing usable (then show the stored `event.text`).
    virtual std::optional<std::string> renderTimelineRecord(const TimelineEvent& event,
                                                            const std::string& record) = 0;
#endif
};

// Implemented by plugins, so its vtable is frozen for major 1: a host calling a virtual appended
// here would read past an older plugin's vtable. New hooks are registered through PluginContext
// or offered as interfaces the host queries (SettingsPage); see docs/decisions.md.
class CHARLA_SDK_API Plugin {
public:
    virtual ~Plugin();
    virtual void initialize(PluginContext& context) = 0;
    // The host owns the returned widget (it is parented to `parent`) and deletes it before the
    // plugin is destroyed. Return nullptr for no panel.
    virtual QWidget* createPanel(QWidget* parent);
    // Optional: controls for the call window (video, level meters, mute...). Created when a call
    // window opens, deleted when it closes or the plugin is disabled. GUI thread.
    virtual QWidget* createCallPanel(QWidget* parent);
    // Optional: a page for the Settings dialog (devices, quality...). GUI thread.
    virtual QWidget* createSettingsPage(QWidget* parent);
    virtual void start();
    virtual void stop();
    virtual void peerChanged(const PeerInfo& peer);
    virtual void callChanged(const CallInfo& call);
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
