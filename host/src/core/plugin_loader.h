// The loader: maps a plugin's library, once per process, and checks that the code agrees with the
// manifest the catalog accepted (same id, same ABI and Qt). Libraries stay mapped for the life of
// the process: code that ran Qt static initialisers is never safe to unload. Also the crash guard,
// which keeps a plugin off that took Charla down while it loaded.
#pragma once

#include "core/plugin_catalog.h"

#include <charla/sdk/plugin.h>

#include <boost/dll/shared_library.hpp>

#include <QString>

#include <map>
#include <memory>

namespace charla::host {

struct LoadedLibrary {
    boost::dll::shared_library library;
    sdk::CreatePluginFn* create = nullptr;      // set when the library passed every check
    PluginState verdict = PluginState::Enabled; // or Refused / Failed, with `reason`
    QString reason;
};

// Loads (or finds loaded) the library `manifest` names and checks it. A library that disagrees
// with its manifest or exports no plugin is Refused (cached); one that cannot be loaded is Failed
// (not cached: the file may be fixed). Every refusal and failure is logged with its reason.
std::shared_ptr<const LoadedLibrary> loadPluginLibrary(const PluginManifest& manifest);

// The crash guard. While a plugin loads, its id and a strike count are written to a file that is
// removed once it is up; a file left at the next start means Charla died meanwhile. A single
// leftover is not evidence: a SIGKILL (a test, a shutdown) may land during any load. So the first
// leftover only gives the plugin a strike and it loads again; dying again in the same plugin
// (two leftovers in a row) keeps it off, state Failed with the reason, until the user enables it.
class CrashGuard {
public:
    explicit CrashGuard(QString path = {}) : path_(std::move(path)) {}

    // Reads and removes a leftover. Returns the id of the plugin to keep off (two strikes), or
    // an empty string; a first strike is remembered for the next arm().
    QString takeLeftover();

    // Marks `id` as loading until the returned object is destroyed.
    class Armed {
    public:
        Armed(CrashGuard& guard, QString id);
        ~Armed();
        Armed(const Armed&) = delete;
        Armed& operator=(const Armed&) = delete;

    private:
        CrashGuard& guard_;
        QString id_;
    };
    Armed arm(const QString& id) { return Armed(*this, id); }

private:
    QString path_;                   // empty: no guard
    std::map<QString, int> strikes_; // leftovers already seen, by plugin id
};

} // namespace charla::host
