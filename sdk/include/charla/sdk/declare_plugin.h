// CHARLA_DECLARE_PLUGIN(Class): include this in exactly one source file of a plugin.
#pragma once

#include <charla/sdk/plugin.h>

#include <QtGlobal>
#include <boost/dll/alias.hpp>

#ifndef CHARLA_PLUGIN_ID
#error                                                                                             \
    "CHARLA_PLUGIN_ID is not defined: build plugins with charla_add_plugin() (CharlaPlugin.cmake)"
#endif

// Tests build deliberately incompatible plugins by overriding this; real plugins never do.
#ifndef CHARLA_PLUGIN_BUILT_ABI_MAJOR
#define CHARLA_PLUGIN_BUILT_ABI_MAJOR CHARLA_SDK_ABI_MAJOR
#endif

// Exports the factory and the build info of PluginClass under fixed names for Boost.DLL.
#define CHARLA_DECLARE_PLUGIN(PluginClass)                                                         \
    namespace charla_plugin_exports {                                                              \
    charla::sdk::Plugin* create() {                                                                \
        return new PluginClass();                                                                  \
    }                                                                                              \
    const charla::sdk::PluginBuildInfo* buildInfo() {                                              \
        static const charla::sdk::PluginBuildInfo info{                                            \
            CHARLA_PLUGIN_BUILT_ABI_MAJOR, CHARLA_SDK_TARGET_ABI_MINOR, QT_VERSION_MAJOR,          \
            QT_VERSION_MINOR, CHARLA_PLUGIN_ID};                                                   \
        return &info;                                                                              \
    }                                                                                              \
    }                                                                                              \
    BOOST_DLL_ALIAS(charla_plugin_exports::create, charla_create_plugin)                           \
    BOOST_DLL_ALIAS(charla_plugin_exports::buildInfo, charla_plugin_build_info)
