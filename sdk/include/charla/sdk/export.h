#pragma once

// Plugins and the SDK are built with -fvisibility=hidden; this marks what the SDK exports.
#define CHARLA_SDK_API __attribute__((visibility("default")))
