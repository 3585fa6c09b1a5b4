// A Qt logging category of the plugin's own, named "charla.plugin.<id>" (or
// "charla.plugin.<id>.<sub>"), so QT_LOGGING_RULES can select one plugin and no plugin id can
// collide with the host's categories ("charla.plugins", "charla.channel"...). Header only (no
// ABI); needs CHARLA_PLUGIN_ID, which charla_add_plugin defines.
//
//   CHARLA_PLUGIN_LOGGING_CATEGORY(lcNudge)                 // in one .cpp: charla.plugin.nudge
//   CHARLA_PLUGIN_LOGGING_SUBCATEGORY(lcNudgeNet, "net")    // charla.plugin.nudge.net
//   Q_DECLARE_LOGGING_CATEGORY(lcNudge)                     // in a header, to share it
//   qCInfo(lcNudge) << "nudged";
#pragma once

#include <QLoggingCategory>

#ifndef CHARLA_PLUGIN_ID
#error                                                                                             \
    "CHARLA_PLUGIN_ID is not defined: build plugins with charla_add_plugin() (CharlaPlugin.cmake)"
#endif

#define CHARLA_PLUGIN_LOGGING_CATEGORY(name)                                                       \
    Q_LOGGING_CATEGORY(name, "charla.plugin." CHARLA_PLUGIN_ID)
#define CHARLA_PLUGIN_LOGGING_SUBCATEGORY(name, sub)                                               \
    Q_LOGGING_CATEGORY(name, "charla.plugin." CHARLA_PLUGIN_ID "." sub)
